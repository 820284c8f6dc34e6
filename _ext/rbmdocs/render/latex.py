"""PDF through Sphinx's LaTeX builder: one official-looking document per SPF and P&B.

conf.py lists the documents in ``rbmdocs_documents`` (start page, file name, title, the
document symbol, date and place of the title page). From that list this module derives
``latex_documents`` and the LaTeX settings: xelatex, A4, a title page with the symbol,
running headers with the symbol and title, need boxes and tables that stay on the page,
and, per language, the fonts and captions (for Chinese: Noto CJK through xeCJK, 目录 and
第1章). A project that sets ``latex_documents`` or a ``latex_elements`` key itself keeps
its own value.

The title, date and place are translated like any sentence: they are added to the start
page's catalogue by ``rbmdocs i18n update`` and looked up here in the ``.po`` file (at
``config-inited`` no compiled catalogue exists yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.latex import LaTeXBuilder
from sphinx.config import Config
from sphinx.writers.latex import LaTeXTranslator
from sphinx_needs.utils import add_doc

from rbmdocs.sphinx.i18n import po_translations

#: Text fields of a document entry that readers see on the title page.
TRANSLATED_FIELDS = ("title", "date", "place")
DOCUMENT_FIELDS = ("name", "start", *TRANSLATED_FIELDS, "symbol")


def check_documents(value: Any) -> list[str]:
    """Problems with ``rbmdocs_documents`` (for the one ConfigError of ``config.py``)."""
    if not isinstance(value, list | tuple):
        return [f"rbmdocs_documents must be a list of dicts, not {value!r}"]
    problems: list[str] = []
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, Mapping):
            problems.append(f"rbmdocs_documents[{position}] must be a dict, not {entry!r}")
            continue
        for key in ("name", "start", "title"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                problems.append(f"rbmdocs_documents[{position}] needs a text {key!r}")
        for key in entry:
            if key not in DOCUMENT_FIELDS:
                problems.append(
                    f"rbmdocs_documents[{position}] has an unknown key {key!r} "
                    f"(known: {', '.join(DOCUMENT_FIELDS)})"
                )
        name = entry.get("name")
        if isinstance(name, str) and not name.replace("_", "").replace("-", "").isalnum():
            problems.append(
                f"rbmdocs_documents[{position}]: name {name!r} becomes a file name; "
                "use letters, digits, - and _"
            )
    return problems


def document_texts(srcdir: Path, config: Config) -> list[dict[str, str]]:
    """``rbmdocs_documents`` with the title-page texts in the build language."""
    texts: list[dict[str, str]] = []
    for entry in config.rbmdocs_documents:
        catalogue = po_translations(srcdir, config, entry["start"])
        translated = {key: str(value) for key, value in entry.items()}
        for key in TRANSLATED_FIELDS:
            if key in translated:
                translated[key] = catalogue.get(translated[key], translated[key])
        translated["author"] = catalogue.get(config.author, config.author)
        texts.append(translated)
    return texts


def _tex_escape(text: str) -> str:
    replacements = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
    return "".join(replacements.get(character, character) for character in text)


_TITLE_PAGE = r"""
\begin{titlepage}
  \sffamily
  \begin{flushright}
    {\large\bfseries \rbmdocsfield{symbol}}
  \end{flushright}
  \vspace*{0.22\textheight}
  \begin{center}
    {\LARGE\bfseries \rbmdocsfield{author}\par}
    \vspace{2.5em}
    \rule{0.6\textwidth}{0.6pt}\par\vspace{1.5em}
    {\Huge\bfseries \csname @title\endcsname\par}
    \vspace{1.5em}\rule{0.6\textwidth}{0.6pt}\par
    \vfill
    {\large \rbmdocsfield{place}\par\vspace{0.5em}\rbmdocsfield{date}\par}
  \end{center}
\end{titlepage}
"""

_HEADERS = r"""
\usepackage{etoolbox}
% generated tables have many columns: a smaller type keeps the headers inside their cells;
% the widest (budget against expenditure: ten columns of amounts) get a smaller one still
\newif\ifrbmdocswide
\AtBeginEnvironment{longtable}{\ifrbmdocswide\scriptsize\setlength{\tabcolsep}{1pt}\else\small\fi}
\makeatletter
\fancypagestyle{normal}{%
  \fancyhf{}%
  \fancyhead[L]{\small\sffamily \rbmdocsfield{symbol}}%
  \fancyhead[R]{\small\sffamily \nouppercase{\leftmark}}%
  \fancyfoot[C]{\small\sffamily \thepage}%
  \renewcommand{\headrulewidth}{0.4pt}%
  \renewcommand{\footrulewidth}{0pt}%
}
\makeatother
"""

_CHINESE = r"""
\usepackage{xeCJK}
\setCJKmainfont{Noto Serif CJK SC}
\setCJKsansfont{Noto Sans CJK SC}
\setCJKmonofont{Noto Sans Mono CJK SC}
\xeCJKsetup{CJKecglue={\hskip 0.15em plus 0.05em minus 0.05em}}
"""

_CHINESE_CAPTIONS = r"""
\renewcommand{\contentsname}{目录}
\renewcommand{\figurename}{图}
\renewcommand{\tablename}{表}
\renewcommand{\indexname}{索引}
\makeatletter
\renewcommand{\@chapapp}{}
\renewcommand{\chaptername}{}
\renewcommand{\@makechapterhead}[1]{%
  \vspace*{20pt}{\parindent 0pt \raggedright \sffamily
  \ifnum\c@secnumdepth>\m@ne \Large\bfseries 第\thechapter 章\par\nobreak\vskip 12pt\fi
  \Huge\bfseries #1\par\nobreak\vskip 30pt}}
\renewcommand{\chaptermark}[1]{\markboth{第\thechapter 章\quad #1}{}}
\makeatother
"""


def _document_macros(texts: list[dict[str, str]]) -> str:
    lines = [r"\makeatletter"]
    for entry in texts:
        name = entry["name"]
        for key in ("symbol", "date", "place", "author"):
            value = _tex_escape(entry.get(key, ""))
            lines.append(rf"\expandafter\def\csname rbmdocs@{key}@{name}\endcsname{{{value}}}")
    lines.append(r"\newcommand{\rbmdocsfield}[1]{\csname rbmdocs@#1@\jobname\endcsname}")
    lines.append(r"\makeatother")
    return "\n".join(lines) + "\n"


def configure_latex(app: Sphinx, config: Config) -> None:
    """Derive ``latex_documents`` and the LaTeX settings from ``rbmdocs_documents``."""
    if not config.rbmdocs_documents:
        return
    own = set(config._raw_config)  # what the project set itself wins
    texts = document_texts(Path(app.srcdir), config)
    if "latex_documents" not in own:
        config.latex_documents = [
            (entry["start"], f"{entry['name']}.tex", entry["title"], entry["author"], "manual")
            for entry in texts
        ]
    if "latex_engine" not in own:
        config.latex_engine = "xelatex"
    chinese = (config.language or "").startswith("zh")
    preamble = _document_macros(texts) + _HEADERS
    if chinese:
        preamble += _CHINESE_CAPTIONS
    defaults: dict[str, str] = {
        "papersize": "a4paper",
        "pointsize": "11pt",
        "maketitle": _TITLE_PAGE,
        "preamble": preamble,
        "sphinxsetup": (
            "hmargin={2.2cm,2.2cm}, vmargin={2.5cm,2.5cm}, TableRowColorOdd={gray}{0.97}"
        ),
        "releasename": "",
        "printindex": "",
    }
    if chinese:
        defaults.update({"babel": "", "fontpkg": _CHINESE, "fncychap": ""})
    elements = dict(config.latex_elements)
    for key, value in defaults.items():
        elements.setdefault(key, value)
    config.latex_elements = elements
    if "latex_show_urls" not in own:
        config.latex_show_urls = "no"
    if "latex_table_style" not in own:
        config.latex_table_style = ["booktabs", "colorrows"]


def mark_start_pages(app: Sphinx, doctree: nodes.document) -> None:
    """Make sphinx-needs process a PDF's whole tree, whose start page has no need itself.

    The LaTeX builder resolves one merged tree per document under the start page's name,
    and sphinx-needs lays out need boxes only for pages it knows to hold needs; without
    this, every need box in a PDF whose start page has no need would fail to render.
    """
    docname = app.env.docname
    if any(entry.get("start") == docname for entry in app.config.rbmdocs_documents):
        add_doc(app.env, docname)


#: Address given to a page of another PDF: the writer prints the link's text alone.
OTHER_DOCUMENT = "rbmdocs-other-document:"


class DocumentLaTeXBuilder(LaTeXBuilder):
    """Sphinx's LaTeX builder, with an address for pages that are in another PDF.

    A PDF holds one document, so Sphinx has no address for a page of the other one and
    raises NoUri; sphinx-needs then drops the link and shows "None" (``STR_1``
    implements ``IO_1``, which lives in the SPF). Such pages get a marker address
    instead, and ``DocumentLaTeXTranslator`` prints the link's text without a link.
    """

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        """The usual address inside this PDF; the marker for a page of another."""
        if docname not in self.docnames and docname in self.env.all_docs:
            return OTHER_DOCUMENT + docname
        return super().get_target_uri(docname, typ)


class DocumentLaTeXTranslator(LaTeXTranslator):
    """Sphinx's LaTeX writer: a link to another PDF's page is printed as text."""

    def visit_reference(self, node: nodes.Element) -> None:
        """Print the text of a link to another document; anything else as usual."""
        if str(node.get("refuri", "")).startswith(OTHER_DOCUMENT):
            node["rbmdocs_other_document"] = True
            return
        super().visit_reference(node)

    def depart_reference(self, node: nodes.Element) -> None:
        """Close what ``visit_reference`` opened (nothing for another document)."""
        if node.get("rbmdocs_other_document"):
            return
        super().depart_reference(node)


def setup_latex(app: Sphinx) -> None:
    """Configure the LaTeX builder once the project's configuration is read."""
    app.connect("config-inited", configure_latex, priority=900)
    app.connect("doctree-read", mark_start_pages)
    app.add_builder(DocumentLaTeXBuilder, override=True)
    app.set_translator("latex", DocumentLaTeXTranslator, override=True)
