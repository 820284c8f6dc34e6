"""The side-by-side edition: each block of a page in the source language facing its translation.

How it is made (``rbmdocs build --edition parallel``, run by ``parallel_build``): Sphinx
builds the partner language (Chinese) first, exactly as its own edition is built, with its
catalogues, need titles, labels and generated tables; ``collect_partner_doctree`` keeps
each page's resolved doctree in memory. Then Sphinx builds the source language (English)
with the same builder, and ``pair_with_partner`` walks each resolved English page beside
the kept Chinese one and puts every block (paragraph, list, need presentation, table)
into a ``parallel_pair`` with the block of the same source (file and line), section by
section; headings become a pair inside their own title, so the table of contents and
the numbering of parts stay those of the English document.

Why pair two finished builds rather than translate the English doctree message by
message: the Chinese page is more than its translated paragraphs. Need titles go through
the catalogue in the directive, tables are computed with Chinese labels and sorted by
Chinese collation, need presentations are laid out in the build language. Asking the
catalogue for each paragraph would reproduce Sphinx's ``Locale`` transform (parsing each
translated message) and still leave those in English; pairing what the Chinese build made
shows exactly what a Chinese reader gets, and uses only public events and nodes.

A block the catalogue leaves untranslated carries Sphinx's own mark (``translated`` is
False on the node, as for ``translation_progress_classes``); it is marked "translation
pending" in the partner column rather than shown as if it were translated. An English
block with no partner at all gets the same mark in an otherwise empty column.

In HTML a pair is one row of two columns; in the PDF it is a ``paracol`` environment, so
that both columns start at the same height on the same page and may break across pages
together. A block that holds a table is set one language above the other, each across
the whole width, because a table of seven columns cannot be read at half a page (and
LaTeX's ``longtable`` cannot stand in a column).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.fileutil import copy_asset_file
from sphinx.writers.html5 import HTML5Translator
from sphinx.writers.latex import LaTeXTranslator

from rbmdocs.config import settings
from rbmdocs.render.labels import label
from rbmdocs.sphinx.i18n import po_translations

#: The stylesheet of the edition (``render/static``), added to its pages only.
STYLESHEET = "rbmdocs-parallel.css"
_STATIC = Path(__file__).parent.parent / "render" / "static"
#: The CSS classes tests and stylesheets find the edition's parts by.
PAIR_CLASS = "rbmdocs-pair"
SIDE_CLASS = "rbmdocs-side"
STACKED_CLASS = "rbmdocs-pair-stacked"
UNTRANSLATED_CLASS = "rbmdocs-untranslated"
MARK_CLASS = "rbmdocs-untranslated-mark"
#: The class of a body paragraph's number (``sphinx/paragraphs.py``).
NUMBER_CLASS = "rbmdocs-para-number"


class parallel_pair(nodes.General, nodes.Element):
    """A block and its translation: two ``parallel_side`` children, source language first."""


class parallel_side(nodes.General, nodes.Element):
    """One language's column of a pair (``lang`` is the language, e.g. ``zh_CN``)."""


class parallel_title(nodes.Inline, nodes.Element):
    """A heading in two languages, inside the section's own title."""


class parallel_title_side(nodes.Inline, nodes.Element):
    """One language's words of a paired heading."""


# --- the partner's doctrees, kept between the two runs --------------------------------


@dataclass
class PartnerStore:
    """The partner's finished pages by name, and what the pairing made of them."""

    pages: dict[str, nodes.document] = field(default_factory=dict)
    pairs: int = 0
    untranslated: int = 0
    """Blocks marked "translation pending" (a translator's to-do in this edition)."""


_stores: dict[str, PartnerStore] = {}


@contextmanager
def partner_store(token: str) -> Iterator[PartnerStore]:
    """A place for one edition's partner doctrees, gone when the edition is built.

    The two Sphinx runs share it by name (``rbmdocs_parallel_collect`` and
    ``rbmdocs_parallel_partner`` carry the name as a plain string, which Sphinx may
    store with its configuration); nothing is left behind in the process.
    """
    store = PartnerStore()
    _stores[token] = store
    try:
        yield store
    finally:
        _stores.pop(token, None)


def collect_partner_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` of the partner run: keep the finished page for the pairing."""
    store = _stores.get(app.config.rbmdocs_parallel_collect)
    if store is not None:
        store.pages[docname] = doctree


# --- pairing ------------------------------------------------------------------------


#: Blocks that stay as they are in the source language: anchors, comments, index entries.
_KEPT = (
    nodes.target,
    nodes.comment,
    nodes.substitution_definition,
    nodes.system_message,
    addnodes.index,
    addnodes.toctree,  # a hidden one (the DWCP index's): nothing to read
    nodes.meta,
)
#: Blocks whose children are paired in turn.
_WALKED = (nodes.section, addnodes.start_of_file)


def _walked(node: nodes.Node) -> bool:
    """A section, an included page of a PDF, or the wrapper the PDF includes pages in."""
    if isinstance(node, nodes.compound):
        return "toctree-wrapper" in node["classes"]
    return isinstance(node, _WALKED)


#: Blocks never opened up: their parts only make sense together.
_WHOLE = (
    nodes.TextElement,
    nodes.table,
    nodes.bullet_list,
    nodes.enumerated_list,
    nodes.definition_list,
    nodes.field_list,
)


def _holds_table(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and any(node.findall(nodes.table))


def _opened(english: nodes.Node, partner: nodes.Node | None) -> bool:
    """A container (a need presentation, its text) whose blocks are paired one by one.

    Paired whole, a need's text would start level with its translation and then drift, a
    line a paragraph, as the shorter Chinese runs ahead; and set one language above the
    other because it also shows a table, it would be a page away from its translation.
    """
    return (
        isinstance(english, nodes.Element)
        and isinstance(partner, nodes.Element)
        and type(partner) is type(english)
        and not isinstance(english, _WHOLE)
        and (
            (_holds_table(english) and _holds_table(partner))
            or (len(english.children) > 1 and len(partner.children) > 1)
        )
    )


def _kept(node: nodes.Node) -> bool:
    if isinstance(node, _KEPT) or not isinstance(node, nodes.Element):
        return True
    # a switch for the PDF's type size (``wide_in_pdf``) acts on the page, not a column
    return isinstance(node, nodes.raw) and "latex" in node.get("format", "").split()


def _key(node: nodes.Node) -> tuple[str, str, int]:
    """What a block is aligned by: its kind and where its source was written."""
    anchor = node
    if isinstance(node, nodes.section) and node.children and isinstance(node[0], nodes.title):
        anchor = node[0]
    source = getattr(anchor, "source", None) or ""
    line = getattr(anchor, "line", None) or 0
    return (type(node).__name__, str(source), int(line))


def _aligned(
    english: list[nodes.Node], partner: list[nodes.Node]
) -> list[tuple[nodes.Node | None, nodes.Node | None]]:
    """Pairs of blocks, in order: by source and line, then by position where those differ."""
    matcher = difflib.SequenceMatcher(
        None, [_key(n) for n in english], [_key(n) for n in partner], autojunk=False
    )
    pairs: list[tuple[nodes.Node | None, nodes.Node | None]] = []
    for _op, e_start, e_end, p_start, p_end in matcher.get_opcodes():
        left, right = english[e_start:e_end], partner[p_start:p_end]
        for index in range(max(len(left), len(right))):
            pairs.append(
                (
                    left[index] if index < len(left) else None,
                    right[index] if index < len(right) else None,
                )
            )
    return pairs


class Pairing:
    """Pairs one English page with its partner page; counts what it paired."""

    def __init__(self, source_language: str, partner_language: str, *, latex: bool) -> None:
        self.source_language = source_language
        self.partner_language = partner_language
        self.latex = latex
        self.pairs = 0
        self.untranslated = 0

    def pair_children(self, english: nodes.Element, partner: nodes.Element, depth: int) -> None:
        """Replace ``english``'s children by pairs with ``partner``'s, section by section."""
        children: list[nodes.Node] = []
        for left, right in _aligned(list(english.children), list(partner.children)):
            if left is None:
                if right is not None and not _kept(right):
                    children.append(self.pair(None, right))
                continue
            if _walked(left) and isinstance(right, type(left)) and isinstance(right, nodes.Element):
                assert isinstance(left, nodes.Element)
                self.pair_children(left, right, depth + 1)
                children.append(left)
            elif isinstance(left, nodes.title) and isinstance(english, nodes.section):
                # the PDF takes the document's title from the first heading, as plain text
                if not (self.latex and depth == 0):
                    self.pair_title(left, right if isinstance(right, nodes.title) else None)
                children.append(left)
            elif _kept(left):
                children.append(left)
            elif _opened(left, right) and isinstance(right, nodes.Element):
                # a need presentation: each of its blocks beside its translation
                assert isinstance(left, nodes.Element)
                self.pair_children(left, right, depth + 1)
                children.append(left)
            else:
                children.append(self.pair(left, right))
        del english[:]
        english.extend(children)

    def pair_title(self, english: nodes.title, partner: nodes.title | None) -> None:
        """The heading's words in both languages, side by side in one title."""
        pair = parallel_title()
        left = parallel_title_side(lang=self.source_language)
        left.extend(list(english.children))
        right = parallel_title_side(lang=self.partner_language)
        if partner is None:
            right += self.mark()
        else:
            if partner.get("translated") is False:
                right += self.mark()
            right.extend(list(partner.children))
        del english[:]
        pair += left
        pair += right
        english += pair
        self.pairs += 1

    def pair(self, english: nodes.Node | None, partner: nodes.Node | None) -> parallel_pair:
        """A pair node of the two blocks (either may be missing, and is then marked)."""
        stacked = any(
            any(block.findall(nodes.table)) for block in (english, partner) if block is not None
        )
        pair = parallel_pair(classes=[PAIR_CLASS] + ([STACKED_CLASS] if stacked else []))
        pair["stacked"] = stacked
        left = parallel_side(lang=self.source_language, classes=[SIDE_CLASS])
        right = parallel_side(lang=self.partner_language, classes=[SIDE_CLASS])
        if english is not None:
            left += english
        if isinstance(partner, nodes.title):  # a heading met out of place: its words only
            partner = nodes.paragraph("", "", nodes.strong("", "", *partner.children))
        if partner is None:
            right += nodes.paragraph("", "", self.mark())
        else:
            self.prepare_partner(partner)
            right += partner
            # the translation's table bears the number of the English one it repeats
            right["captions"] = sum(
                1
                for table in partner.findall(nodes.table)
                if any(isinstance(child, nodes.title) for child in table.children)
            )
            right["table_name"] = label("parallel.table_name", self.partner_language)
        pair += left
        pair += right
        self.pairs += 1
        return pair

    def prepare_partner(self, block: nodes.Node) -> None:
        """Mark what the catalogue left untranslated; drop the anchors English already has."""
        if not isinstance(block, nodes.Element):
            return
        for node in list(block.findall(nodes.Element)):
            # a numbered table or figure keeps its anchor in HTML, where Sphinx finds its
            # number by it; every other anchor is the English block's
            if self.latex or not isinstance(node, _NUMBERED):
                node["ids"] = []
            if isinstance(node, nodes.target) and not node.get("refuri"):
                node.parent.remove(node)
                continue
            if node.get("translated") is False and isinstance(node, nodes.TextElement):
                node["classes"].append(UNTRANSLATED_CLASS)
                node.insert(_after_number(node), self.mark())

    def mark(self) -> nodes.inline:
        """The words "translation pending", in the partner's language, where one is missing."""
        self.untranslated += 1
        text = label("parallel.untranslated", self.partner_language)
        return nodes.inline(text, text, classes=[MARK_CLASS])


#: What Sphinx numbers by its anchor ("Table 1"), in HTML as in the PDF.
_NUMBERED = (nodes.table, nodes.figure)


def _after_number(node: nodes.Element) -> int:
    """Where the mark goes in a paragraph: after its number ("2."), else first."""
    first = node.children[0] if node.children else None
    numbered = isinstance(first, nodes.inline) and NUMBER_CLASS in first["classes"]
    return 1 if numbered else 0


def pair_with_partner(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` of the English run: pair the page with the kept partner page."""
    store = _stores.get(app.config.rbmdocs_parallel_partner)
    if store is None:
        return
    partner = store.pages.pop(docname, None)
    pairing = Pairing(
        app.config.language or "en",
        app.config.rbmdocs_parallel_language,
        latex=app.builder.format == "latex",
    )
    if partner is None:  # a page the partner run did not write: every block marked
        partner = nodes.document(doctree.settings, doctree.reporter)
    pairing.pair_children(doctree, partner, depth=-1)
    store.pairs += pairing.pairs
    store.untranslated += pairing.untranslated


def pair_page_without_document(app: Sphinx, doctree: nodes.document, pagename: str) -> None:
    """A page written from data (a DWCP page), paired as a document's page is.

    Such a page passes no ``doctree-resolved``: its writer hands its finished nodes here,
    which the partner run keeps and the English run pairs, as for a document.
    """
    collect_partner_doctree(app, doctree, pagename)
    pair_with_partner(app, doctree, pagename)


def in_parallel_edition(app: Sphinx) -> bool:
    """Whether this run is one of the side-by-side edition's two runs."""
    return bool(app.config.rbmdocs_parallel_collect or app.config.rbmdocs_parallel_partner)


# --- writing: HTML ------------------------------------------------------------------


def _lang(node: nodes.Element) -> str:
    return str(node.get("lang", "")).replace("_", "-")


def visit_pair_html(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append(self.starttag(node, "div"))


def depart_pair_html(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append("</div>\n")


def visit_side_html(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append(self.starttag(node, "div", lang=_lang(node)))


def visit_title_html(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append('<span class="rbmdocs-title-pair">')


def depart_title_html(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append("</span>")


def visit_title_side_html(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append(f'<span class="rbmdocs-title-side" lang="{_lang(node)}">')


# --- writing: LaTeX -----------------------------------------------------------------


def visit_pair_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    if node.get("stacked"):
        self.body.append("\n\\par\n")
    else:
        self.body.append("\n\\begin{paracol}{2}\n")


def depart_pair_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    if node.get("stacked"):
        self.body.append("\n\\par\n")
    else:
        self.body.append("\n\\end{paracol}\n")


def visit_side_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    pair = node.parent
    if pair is None or pair.index(node) == 0:
        return
    if not pair.get("stacked"):
        self.body.append("\n\\switchcolumn\n")
        return
    self.body.append("\n\\par\\medskip\\begingroup\n")
    captions = int(node.get("captions", 0))
    if captions:
        name = str(node.get("table_name", ""))
        self.body.append(f"\\renewcommand{{\\tablename}}{{{name}}}")
        self.body.append(f"\\addtocounter{{table}}{{-{captions}}}\n")


def depart_side_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    pair = node.parent
    if pair is not None and pair.index(node) > 0 and pair.get("stacked"):
        self.body.append("\n\\endgroup\n")


def visit_title_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    self.body.append(r"\rbmdocspairedtitle")


def visit_title_side_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    self.body.append("{")


def depart_title_side_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    self.body.append("}")


def _nothing(self: Any, node: nodes.Element) -> None:
    """Nothing to write on this side of the node."""


def _text_only(self: Any, node: nodes.Element) -> None:
    """Other writers (text, man…) show the two sides one after the other."""


#: The LaTeX of the edition: two columns that start together, paired headings, the mark.
_PREAMBLE = r"""
\usepackage{xeCJK}
\setCJKmainfont{Noto Serif CJK SC}
\setCJKsansfont{Noto Sans CJK SC}
\setCJKmonofont{Noto Sans Mono CJK SC}
\usepackage{paracol}
\setlength{\columnsep}{1.6em}
% half a page is too narrow to justify English without rivers of space: ragged right,
% hyphenated as usual (Chinese fills its lines either way)
\AtBeginEnvironment{paracol}{\setlength{\rightskip}{0pt plus 2.5em}}
% and headings ragged right too (the sizes are those of sphinx/latex.py's layout)
\makeatletter
\titleformat{\section}{\large\py@HeaderFamily\raggedright}%
  {\py@TitleColor\thesection}{0.5em}{\py@TitleColor}
\titleformat{\subsection}{\normalsize\py@HeaderFamily\raggedright}%
  {\py@TitleColor\thesubsection}{0.5em}{\py@TitleColor}
\titleformat{\subsubsection}{\normalsize\py@HeaderFamily\raggedright}%
  {\py@TitleColor\thesubsubsection}{0.5em}{\py@TitleColor}
\makeatother
% a heading in two languages: each in its half of the line, both starting together; in
% the contents, one line: the English, then the translation
\newif\ifrbmdocsincontents
\DeclareRobustCommand{\rbmdocspairedtitle}[2]{\ifrbmdocsincontents #1\quad #2\else
  \begin{minipage}[t]{0.455\linewidth}\raggedright #1\end{minipage}\hfill
  \begin{minipage}[t]{0.455\linewidth}\raggedright #2\end{minipage}\fi}
\pdfstringdefDisableCommands{\def\rbmdocspairedtitle#1#2{#1 / #2}}
\expandafter\def\csname DUrolerbmdocs-untranslated-mark\endcsname#1{%
  \fbox{\sffamily\scriptsize #1}\enspace}
"""


def _escape(text: str) -> str:
    return "".join(
        {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$"}.get(c, c) for c in text
    )


def configure_parallel_latex(app: Sphinx, config: Config) -> None:
    """The English PDF set up for two languages: Chinese type, paracol, a bilingual title."""
    partner = config.rbmdocs_parallel_language
    if not config.rbmdocs_parallel_partner or not settings(config).documents:
        return
    elements = dict(config.latex_elements)
    lines = [_PREAMBLE, r"\makeatletter"]
    for entry in settings(config).documents:
        texts = po_translations(Path(app.srcdir), config, entry["start"], partner)
        title = _escape(texts.get(entry.get("title", ""), ""))
        subtitle = (
            _escape(texts.get(entry.get("subtitle", ""), "")) if entry.get("subtitle") else ""
        )
        block = rf"\begin{{center}}{{\LARGE\bfseries {title}\par}}"
        if subtitle:
            block += rf"\vspace{{1ex}}{{\Large {subtitle}\par}}"
        block += r"\end{center}\vspace{3ex}"
        lines.append(
            rf"\expandafter\def\csname rbmdocs@partnertitle@{entry['name']}\endcsname{{{block}}}"
        )
    lines.append(r"\makeatother")
    elements["preamble"] = elements.get("preamble", "") + "\n".join(lines) + "\n"
    elements["maketitle"] = elements.get("maketitle", "") + "\n" + r"\rbmdocsfield{partnertitle}"
    elements["tableofcontents"] = (
        r"\rbmdocsincontentstrue" + elements.get("tableofcontents", "") + r"\rbmdocsincontentsfalse"
    )
    config.latex_elements = elements


def _add_stylesheet(app: Sphinx) -> None:
    """``builder-inited``: the edition's stylesheet on its pages, and only there."""
    if app.config.rbmdocs_parallel_partner and app.builder.format == "html":
        app.add_css_file(STYLESHEET, priority=600)


def _copy_stylesheet(app: Sphinx, _builder: object) -> None:
    if app.config.rbmdocs_parallel_partner and app.builder.format == "html":
        copy_asset_file(_STATIC / STYLESHEET, Path(app.outdir) / "_static", force=True)


def setup_parallel(app: Sphinx) -> None:
    """Register the edition's nodes, its two settings and the events that pair the pages."""
    # set by ``rbmdocs build --edition parallel`` only, never in conf.py; no rebuild
    app.add_config_value("rbmdocs_parallel_collect", "", "", types=frozenset({str}))
    app.add_config_value("rbmdocs_parallel_partner", "", "", types=frozenset({str}))
    app.add_config_value("rbmdocs_parallel_language", "zh_CN", "", types=frozenset({str}))
    html = (visit_pair_html, depart_pair_html)
    side_html = (visit_side_html, depart_pair_html)
    app.add_node(
        parallel_pair,
        html=html,
        latex=(visit_pair_latex, depart_pair_latex),
        text=(_text_only, _nothing),
    )
    app.add_node(
        parallel_side,
        html=side_html,
        latex=(visit_side_latex, depart_side_latex),
        text=(_text_only, _nothing),
    )
    app.add_node(
        parallel_title,
        html=(visit_title_html, depart_title_html),
        latex=(visit_title_latex, _nothing),
        text=(_text_only, _nothing),
    )
    app.add_node(
        parallel_title_side,
        html=(visit_title_side_html, depart_title_html),
        latex=(visit_title_side_latex, depart_title_side_latex),
        text=(_text_only, _nothing),
    )
    # last of all: after the tables are filled and the needs laid out
    app.connect("doctree-resolved", collect_partner_doctree, priority=990)
    app.connect("doctree-resolved", pair_with_partner, priority=990)
    app.connect("config-inited", configure_parallel_latex, priority=950)
    app.connect("builder-inited", _add_stylesheet)
    app.connect("write-started", _copy_stylesheet)
