"""PDF through a LaTeX builder of our own: each document set as the Governing Body sets it.

conf.py lists the documents in ``rbmdocs_documents`` (start page, file name, title, the
document symbol, the session, committee, purpose and item of the masthead). From that list
this module derives ``latex_documents`` and the LaTeX settings: xelatex, A4, the masthead
on the first page followed by the contents, parts numbered with Roman numerals ("I.",
"II.", or "一、", "二、" in Chinese) instead of "CHAPTER ONE", running headers with the
symbol and the page number (none on the masthead and contents pages), numbered captions,
table headers that are never hyphenated, and the PDF's information dictionary (title,
author, subject, keywords, language). A project that sets ``latex_documents`` or a
``latex_elements`` key itself keeps its own value.

The builder is registered under its own name, ``rbmdocs-pdf`` (``rbmdocs build --format
pdf`` uses it): ``sphinx-build -b latex`` stays Sphinx's own builder and writer.

The texts of the masthead are translated like any sentence: they are added to the start
page's catalogue by ``rbmdocs i18n update`` and looked up here in the ``.po`` file (at
``config-inited`` no compiled catalogue exists yet).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex import LaTeXBuilder
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.template import LaTeXRenderer
from sphinx.writers.latex import LaTeXTranslator
from sphinx_needs.utils import add_doc

from rbmdocs.config import settings
from rbmdocs.documents import TRANSLATED_FIELDS
from rbmdocs.render.labels import label
from rbmdocs.sphinx.i18n import po_translations

#: The name ``rbmdocs build --format pdf`` builds with (``-b latex`` stays Sphinx's).
BUILDER_NAME = "rbmdocs-pdf"


def document_texts(srcdir: Path, config: Config) -> list[dict[str, str]]:
    """``rbmdocs_documents`` with the masthead texts in the build language."""
    texts: list[dict[str, str]] = []
    for entry in settings(config).documents:
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


def _upper(text: str) -> str:
    """Capitals as the masthead prints them (a script without case is left as it is)."""
    return text.upper()


def masthead(entry: Mapping[str, str], language: str) -> str:
    """The LaTeX of the first page's masthead and title, from one translated entry.

    Line by line as the Governing Body prints it: the Office and the symbol; the organ
    and the session; the committee and its abbreviation; the purpose; the item on the
    agenda; then the title and subtitle. A line whose texts the entry lacks is left out.
    """

    def text(key: str) -> str:
        return _tex_escape(entry.get(key, ""))

    lines = [r"\begingroup\sffamily\setlength{\parindent}{0pt}\setlength{\parskip}{0pt}"]
    organisation = _tex_escape(_upper(entry.get("author", "")))
    symbol = text("symbol")
    lines.append(rf"{{\large\bfseries {organisation}}}\hfill{{\large\bfseries {symbol}}}\par")
    if entry.get("body") or entry.get("session") or entry.get("date"):
        parts = [entry[key] for key in ("session", "place", "date") if entry.get(key)]
        session = _tex_escape(label("masthead.separator", language).join(parts))
        lines.append(r"\vspace{1.2ex}")
        lines.append(rf"{{\Large\bfseries {text('body')}}}\hfill{{\normalsize {session}}}\par")
    lines.append(r"\vspace{1ex}\rule{\textwidth}{0.6pt}\par\vspace{1.5ex}")
    if entry.get("committee"):
        abbreviation = text("committee_abbreviation")
        lines.append(rf"{{\bfseries {text('committee')}}}\hfill{{\bfseries {abbreviation}}}\par")
    if entry.get("purpose"):
        purpose = _tex_escape(_upper(entry["purpose"]))
        lines.append(rf"\vspace{{0.8ex}}\hfill{{\bfseries {purpose}}}\par")
    if entry.get("item"):
        item = _tex_escape(_upper(entry["item"]))
        lines.append(rf"\vspace{{1.5ex}}{{\bfseries {item}}}\par")
    lines.append(r"\vspace{5ex}\begin{center}")
    lines.append(rf"{{\LARGE\bfseries {text('title')}\par}}")
    if entry.get("subtitle"):
        lines.append(rf"\vspace{{1ex}}{{\Large {text('subtitle')}\par}}")
    lines.append(r"\end{center}\vspace{4ex}")
    lines.append(r"\endgroup")
    return "\n".join(lines)


def _pdf_information(entry: Mapping[str, str], language: str) -> str:
    """``\\hypersetup`` keys of the PDF's information dictionary for one document."""
    title = entry["title"]
    if entry.get("subtitle"):
        title = label("masthead.title_subtitle", language, title=title, subtitle=entry["subtitle"])
    subject = entry.get("subject") or label("masthead.separator", language).join(
        part for part in (entry.get("body"), entry.get("session"), entry.get("committee")) if part
    )
    keywords = entry.get("keywords") or ", ".join(
        part for part in (entry.get("symbol"), entry.get("committee_abbreviation")) if part
    )
    language_tag = language.replace("_", "-")
    values = {
        "pdftitle": title,
        "pdfauthor": entry.get("author", ""),
        "pdfsubject": subject,
        "pdfkeywords": keywords,
    }
    keys = ", ".join(f"{key}={{{_tex_escape(value)}}}" for key, value in values.items())
    return f"{keys}, pdflang={{{language_tag}}}"


def _chinese_numeral(number: int) -> str:
    digits = "〇一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, units = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def _document_macros(texts: list[dict[str, str]], language: str) -> str:
    """Per-document macros, chosen by ``\\jobname``: the preamble is shared by every PDF."""
    lines = [r"\usepackage{etoolbox}", r"\makeatletter"]
    for entry in texts:
        name = entry["name"]
        values = {
            "symbol": _tex_escape(entry.get("symbol", "")),
            "masthead": masthead(entry, language),
            "pdfinfo": _pdf_information(entry, language),
        }
        for key, value in values.items():
            lines.append(rf"\expandafter\def\csname rbmdocs@{key}@{name}\endcsname{{{value}}}")
    lines.append(r"\newcommand{\rbmdocsfield}[1]{\csname rbmdocs@#1@\jobname\endcsname}")
    # the information dictionary (hyperref is loaded: the preamble follows it), before
    # the document begins, when hyperref writes the language; its keys are read unexpanded
    lines.append(
        r"\letcs\rbmdocs@pdfinfo{rbmdocs@pdfinfo@\jobname}"
        r"\edef\rbmdocs@tmp{\noexpand\hypersetup{\expandonce\rbmdocs@pdfinfo}}\rbmdocs@tmp"
    )
    lines.append(r"\makeatother")
    return "\n".join(lines) + "\n"


#: Parts as the Governing Body numbers them, the running headers, the contents, tables.
_LAYOUT = r"""
\makeatletter
% parts: "I. Introduction" in the text and the contents, never "Chapter"; sections
% are not numbered (their titles carry the outcome's number where there is one)
\setcounter{secnumdepth}{0}
\renewcommand{\thechapter}{\rbmdocs@partnumber{\value{chapter}}}
% headings a size below Sphinx's: part \Large, section \large, the rest the text's size
\titleformat{\section}{\large\py@HeaderFamily}{\py@TitleColor\thesection}{0.5em}{\py@TitleColor}
\titleformat{\subsection}{\normalsize\py@HeaderFamily}%
  {\py@TitleColor\thesubsection}{0.5em}{\py@TitleColor}
% a part runs on from the one before, as in a Governing Body paper: no page left part-empty
\renewcommand{\chapter}{\par\needspace{8\baselineskip}\addvspace{3ex}%
  \global\@topnum\z@\@afterindentfalse\secdef\@chapter\@schapter}
\renewcommand{\@makechapterhead}[1]{%
  {\parindent\z@\raggedright\sffamily\Large\bfseries
  \ifnum\c@secnumdepth>\m@ne\thechapter\rbmdocs@partsep\fi#1\par\nobreak}\vskip 10pt}
\renewcommand{\@makeschapterhead}[1]{%
  {\parindent\z@\raggedright\sffamily\Large\bfseries #1\par\nobreak}\vskip 10pt}
\renewcommand{\numberline}[1]{\hb@xt@\@tempdima{#1\rbmdocs@tocsep\hfil}}
\renewcommand*{\l@chapter}[2]{%
  \ifnum\c@tocdepth>\m@ne
    \addpenalty{-\@highpenalty}\vskip 0.5em\@plus\p@
    \setlength\@tempdima{\rbmdocs@tocnumwidth}%
    \begingroup
      \parindent\z@\rightskip\@pnumwidth\parfillskip-\@pnumwidth
      \leavevmode\bfseries\advance\leftskip\@tempdima\hskip-\leftskip
      #1\nobreak\leaders\hbox{$\m@th\mkern\@dotsep mu\hbox{.}\mkern\@dotsep mu$}\hfill
      \nobreak\hb@xt@\@pnumwidth{\hss #2}\par\penalty\@highpenalty
    \endgroup
  \fi}
\renewcommand*{\l@section}{\@dottedtocline{1}{\rbmdocs@tocnumwidth}{2.6em}}
\renewcommand*{\l@subsection}{\@dottedtocline{2}{\dimexpr2\rbmdocs@tocnumwidth\relax}{2.6em}}
% tables and figures are numbered through the document, not per part
\counterwithout{table}{chapter}
\counterwithout{figure}{chapter}
% running headers: the symbol and the page number; none on the masthead and contents
\newcommand{\rbmdocs@headers}{%
  \fancyhf{}%
  \fancyhead[L]{\small\sffamily \rbmdocsfield{symbol}}%
  \fancyhead[R]{\small\sffamily \thepage}%
  \renewcommand{\headrulewidth}{0.4pt}%
  \renewcommand{\footrulewidth}{0pt}}
\fancypagestyle{normal}{\rbmdocs@headers}
\fancypagestyle{plain}{\rbmdocs@headers}
% the contents follow the masthead on its page, under a heading of their own
% (the page style is set outside the group: a page of contents is shipped out after it)
\newcommand{\rbmdocscontents}{%
  \pagestyle{empty}%
  \begingroup
    {\sffamily\bfseries\large \contentsname\par}\vspace{1ex}%
    \parskip\z@skip
    \@starttoc{toc}%
  \endgroup
  \clearpage
  \pagestyle{normal}}
% a body paragraph's number, at the start of its first line
\expandafter\def\csname DUrolerbmdocs-para-number\endcsname#1{\makebox[2.4em][l]{#1}}
% IDs in a face whose underscores are as wide as any other character
\expandafter\def\csname DUrolerbmdocs-id\endcsname#1{{\ttfamily\small #1}}
% a cross-reference reads as the words it links (an outcome's name, a target's value):
% Sphinx sets it in italics, which no Governing Body document does
\protected\def\sphinxcrossref#1{#1}
% a section heading never ends a page: with less than a third of a page left, it moves on
% with what follows it (an outcome's heading, statement and table of indicators)
\pretocmd{\section}{\needspace{0.3\textheight}}{}{}
% table headers: never hyphenated (a line may still break after an explicit hyphen)
\protected\def\sphinxstyletheadfamily{\sffamily\hyphenpenalty\@M}
% generated tables have many columns: a smaller type keeps the headers inside their cells;
% the widest (budget against expenditure: ten columns of amounts) get a smaller one still
\newif\ifrbmdocswide
\AtBeginEnvironment{longtable}{\ifrbmdocswide\scriptsize\setlength{\tabcolsep}{1pt}\else\small\fi}
\makeatother
"""

_ENGLISH_NUMBERS = r"""
\makeatletter
\newcommand{\rbmdocs@partnumber}[1]{\@Roman{#1}}
\newcommand{\rbmdocs@partsep}{.\enspace}
\newcommand{\rbmdocs@tocsep}{.}
\newcommand{\rbmdocs@tocnumwidth}{2.6em}
\makeatother
\usepackage[labelsep=period,font=small,labelfont=bf]{caption}
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
\newcommand{\rbmdocs@partsep}{、}
\newcommand{\rbmdocs@tocsep}{、}
\newcommand{\rbmdocs@tocnumwidth}{3.4em}
\makeatother
\usepackage[labelsep=quad,font=small,labelfont=bf]{caption}
"""


def _chinese_part_numbers() -> str:
    cases = "".join(rf"\or {_chinese_numeral(number)}" for number in range(1, 100))
    return (
        "\\makeatletter\n"
        rf"\newcommand{{\rbmdocs@partnumber}}[1]{{\ifcase#1 〇{cases}\else\number#1\fi}}"
        "\n\\makeatother\n"
    )


def configure_latex(app: Sphinx, config: Config) -> None:
    """Derive ``latex_documents`` and the LaTeX settings from ``rbmdocs_documents``."""
    if not settings(config).documents:
        return
    # what the project set itself wins; a read only: Sphinx has no public way to tell a
    # value set in conf.py from its default
    own = set(config._raw_config)
    texts = document_texts(Path(app.srcdir), config)
    language = config.language or "en"
    if "latex_documents" not in own:
        config.latex_documents = [
            (entry["start"], f"{entry['name']}.tex", entry["title"], entry["author"], "manual")
            for entry in texts
        ]
    if "latex_engine" not in own:
        config.latex_engine = "xelatex"
    chinese = language.startswith("zh")
    preamble = _document_macros(texts, language)
    if chinese:
        preamble += _CHINESE_CAPTIONS + _chinese_part_numbers()
    else:
        preamble += _ENGLISH_NUMBERS
    preamble += _LAYOUT
    defaults: dict[str, str] = {
        "papersize": "a4paper",
        "pointsize": "11pt",
        "classoptions": ",openany",
        "maketitle": r"\thispagestyle{empty}" + "\n" + r"\rbmdocsfield{masthead}",
        "tableofcontents": r"\rbmdocscontents",
        "preamble": preamble,
        "fncychap": "",
        "sphinxsetup": (
            "hmargin={2.2cm,2.2cm}, vmargin={2.5cm,2.5cm}, TableRowColorOdd={gray}{0.97}, "
            "TitleColor={rgb}{0,0,0}, InnerLinkColor={rgb}{0,0,0}"
        ),
        "releasename": "",
        "printindex": "",
    }
    if chinese:
        defaults.update({"babel": "", "fontpkg": _CHINESE})
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
    if any(entry.get("start") == docname for entry in settings(app.config).documents):
        add_doc(app.env, docname)


class IntroductionPart(SphinxPostTransform):
    """The start page's own text becomes part I, "Introduction", of its PDF.

    In the merged tree of a PDF the start page's title is the document's title, and its
    text would stand before the first part with no heading at all; a Governing Body
    document opens with "I. Introduction". The HTML start page is left as it is.
    """

    default_priority = 400
    builders = (BUILDER_NAME,)

    def run(self, **_kwargs: Any) -> None:
        """Wrap what stands before the first included page in a section of its own."""
        top = next(iter(self.document.findall(nodes.section)), None)
        if top is None or not top.children or not isinstance(top[0], nodes.title):
            return
        leading: list[nodes.Node] = []
        for child in top.children[1:]:
            if isinstance(child, nodes.section) or any(child.findall(addnodes.start_of_file)):
                break
            leading.append(child)
        if not any(isinstance(node, nodes.paragraph) for node in leading):
            return
        heading = label("document.introduction", self.config.language)
        introduction = nodes.section(ids=["rbmdocs-introduction"], names=[])
        introduction += nodes.title(heading, heading)
        for node in leading:
            top.remove(node)
            introduction += node
        top.insert(1, introduction)


#: The column spec ``table_kit.table`` gives a generated table (``table_kit.LATEX_COLSPEC``;
#: not imported: ``config`` imports this module, and ``table_kit`` imports ``config``).
LATEX_COLSPEC = "rbmdocs_latex_colspec"

#: Address given to a page of another PDF: the writer prints the link's text alone.
OTHER_DOCUMENT = "rbmdocs-other-document:"


class DocumentLaTeXBuilder(LaTeXBuilder):
    """Sphinx's LaTeX builder under our own name, with an address for another PDF's pages.

    A PDF holds one document, so Sphinx has no address for a page of the other one and
    raises NoUri; sphinx-needs then drops the link and shows "None" (``STR_1``
    implements ``IO_1``, which lives in the SPF). Such pages get a marker address
    instead, and ``DocumentLaTeXTranslator`` prints the link's text without a link.
    """

    name = BUILDER_NAME

    @functools.cached_property
    def shipped_templates(self) -> LaTeXRenderer:
        """One renderer of Sphinx's own LaTeX templates for the whole build.

        Sphinx's writer makes a new one, with a new Jinja environment that compiles the
        template again, for every table it writes (see ``docs/upstream.md``); a document
        of the sample has a hundred tables.
        """
        return LaTeXRenderer(latex_engine=self.config.latex_engine)

    def init_document_data(self) -> None:
        """Every document as Sphinx lists it, then only those ``rbmdocs_pdf_only`` names.

        ``rbmdocs build`` makes again only the PDFs whose inputs changed
        (``sphinx/pdf_inputs.py``) and names them here; the others are neither resolved
        nor written. Sphinx's list of every document's title stays whole, so a reference
        to a page of a PDF not written now reads as it always does.
        """
        super().init_document_data()
        wanted = {name for name in str(self.config.rbmdocs_pdf_only).split(",") if name}
        if wanted:
            self.document_data = [
                entry for entry in self.document_data if Path(entry[1]).stem in wanted
            ]

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        """The usual address inside this PDF; the marker for a page of another."""
        if docname not in self.docnames and docname in self.env.all_docs:
            return OTHER_DOCUMENT + docname
        return super().get_target_uri(docname, typ)


class DocumentLaTeXTranslator(LaTeXTranslator):
    """Sphinx's LaTeX writer: links to another PDF as text, generated tables' own columns."""

    def render(self, template_name: str, variables: dict[str, Any]) -> str:
        """A template Sphinx ships, through the build's one renderer of them.

        A project's own template of that name (in ``templates_path``, or its legacy
        ``_t`` file) goes through Sphinx's method, which finds it and warns as it does.
        """
        builder = self.builder
        if not isinstance(builder, DocumentLaTeXBuilder) or self._own_template(template_name):
            return super().render(template_name, variables)
        return builder.shipped_templates.render(template_name, variables)

    def _own_template(self, template_name: str) -> bool:
        for folder in self.config.templates_path:
            template = Path(self.builder.confdir) / folder / template_name
            legacy = template.with_name(template.name.removesuffix(".jinja") + "_t")
            if template.exists() or (template.suffix == ".jinja" and legacy.exists()):
                return True
        return False

    def visit_table(self, node: nodes.Element) -> None:
        """A generated table takes the columns ``table_kit`` gave it.

        Text ragged right, amounts flush right, the widths adding up to the text block;
        an author's ``tabularcolumns`` before the table still comes first.
        """
        spec = node.get(LATEX_COLSPEC)
        if isinstance(spec, str) and spec and not self.next_table_colspec:
            self.next_table_colspec = spec
        if not any(isinstance(child, nodes.title) for child in node.children):
            # a table without a caption has no number to carry on to the next page
            self.body.append("\n" + r"\begingroup\protected\def\sphinxtablecontinued#1{}")
        super().visit_table(node)

    def depart_table(self, node: nodes.Element) -> None:
        """Number only the tables with a caption: "Table 3." is the third captioned one.

        LaTeX's longtable steps the table counter for every table, captioned or not, so
        the sample's first caption read "Table 39" after 38 tables of need views.
        """
        uncaptioned = not any(isinstance(child, nodes.title) for child in node.children)
        longtable = self.table is not None and self.table.get_table_type() == "longtable"
        super().depart_table(node)
        if uncaptioned:
            self.body.append(r"\endgroup" + "\n")
            if longtable:
                self.body.append(r"\addtocounter{table}{-1}" + "\n")

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
    """Register our PDF builder and configure LaTeX once the project's config is read."""
    app.connect("config-inited", configure_latex, priority=900)
    # set by ``rbmdocs build`` alone (comma-separated PDF names): write only these
    app.add_config_value("rbmdocs_pdf_only", "", "", types=frozenset({str}))
    app.connect("doctree-read", mark_start_pages)
    app.add_builder(DocumentLaTeXBuilder)
    app.set_translator(BUILDER_NAME, DocumentLaTeXTranslator)
    app.add_post_transform(IntroductionPart)
