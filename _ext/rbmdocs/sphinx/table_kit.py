"""The parts every generated table is made of: the context, a table node, sorting, money.

Shared by the framework tables (``tables``) and the programme-cycle tables
(``cycle_tables``), so that every table of the site looks and sorts the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from docutils import nodes
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.util.nodes import make_refnode

from rbmdocs.graph import CheckResult, NeedGraph
from rbmdocs.graph.model import NeedRecord, natural_key
from rbmdocs.render.labels import label, region_label
from rbmdocs.render.need_view_model import NeedTexts, reader_name
from rbmdocs.schema import REGIONS
from rbmdocs.sphinx.checking import docname_of_file


@dataclass(slots=True)
class TableContext:
    """What a table builder needs: the graph, the page it goes on, the language."""

    result: CheckResult
    env: BuildEnvironment
    builder: Builder
    docname: str
    language: str
    options: dict[str, str]
    texts: NeedTexts = field(default_factory=NeedTexts)
    """What the read phase noted of the needs (the heading an outcome is known by)."""

    @property
    def graph(self) -> NeedGraph:
        return self.result.graph

    def text(self, key: str, **values: str) -> str:
        return label(key, self.language, **values)

    def region(self, region: str) -> str:
        """A region's name in the page's language (``labels.region_label``)."""
        return region_label(region, self.language)

    def link(self, need: NeedRecord, text: str | None = None) -> nodes.Node:
        """A reference to the need wherever it is rendered (HTML or LaTeX alike).

        Shown by the name a reader knows it by ("Outcome 1: Employment promotion"), never
        by its ID unless it has no title.
        """
        shown = text if text is not None else reader_name(need, self.texts.sections)
        return need_link(self.builder, self.env, self.docname, need.id, need.file, shown)


def need_link(
    builder: Builder, env: BuildEnvironment, fromdocname: str, need_id: str, file: str, shown: str
) -> nodes.Node:
    """A link to a need's anchor on its page, showing ``shown``; text alone without a page.

    The ID is the link's title, so a reviewer who hovers over a name sees it. A PDF holds
    one document: a need of another is named, not linked (Sphinx has no address for it
    and raises NoUri).
    """
    target_doc = docname_of_file(env, file)
    if target_doc is None:
        return nodes.Text(shown)
    try:
        return make_refnode(
            builder, fromdocname, target_doc, need_id, nodes.inline(shown, shown), need_id
        )
    except NoUri:
        return nodes.Text(shown)


#: The LaTeX column spec of a generated table, read by our PDF writer (``sphinx/latex``).
LATEX_COLSPEC = "rbmdocs_latex_colspec"
#: The class of a cell that holds an amount or a count: right-aligned in HTML and PDF.
NUMBER_CELL = "rbmdocs-number"


#: The text block of the PDF (A4, margins of 2.2 cm).
_TEXT_WIDTH_PT = 479.0
_WORD = re.compile(r"[^\s\u2e80-\u9fff\uff00-\uffef]+")


@dataclass(frozen=True, slots=True)
class _TableType:
    """What a header word takes in a table's type.

    An average bold sans character, and the padding either side of a cell (``\\tabcolsep``).
    """

    character_pt: float
    padding_pt: float


#: The tables' small type, and the script size of tables set wide (``wide_in_pdf``).
_USUAL = _TableType(character_pt=6.2, padding_pt=12.0)
_WIDE = _TableType(character_pt=4.4, padding_pt=2.0)


def _fractions(headers: Sequence[str], shares: Sequence[int], kind: _TableType) -> list[float]:
    """Each column's share of the text width, widened to hold its longest header word.

    A header is never hyphenated, so a column narrower than a word of its header
    ("Americas" in a column of 5/53) would push the word over its edge. Chinese needs no
    room: it breaks between any two characters.
    """
    total = sum(shares) or 1
    wanted = [share / total for share in shares]
    minimum = [
        (
            max((len(word) for word in _WORD.findall(header)), default=0) * kind.character_pt
            + kind.padding_pt
        )
        / _TEXT_WIDTH_PT
        for header in headers
    ]
    fixed: set[int] = set()
    fractions = list(wanted)
    while True:
        narrow = {i for i, share in enumerate(fractions) if share < minimum[i] - 1e-9} - fixed
        if not narrow:
            return fractions
        fixed |= narrow
        room = 1.0 - sum(minimum[i] for i in fixed)
        free = sum(wanted[i] for i in range(len(wanted)) if i not in fixed)
        if room <= 0 or free <= 0:  # the words cannot all fit: share out what there is
            widest = [max(pair) for pair in zip(wanted, minimum, strict=True)]
            return [width / sum(widest) for width in widest]
        fractions = [
            minimum[i] if i in fixed else wanted[i] * room / free for i in range(len(wanted))
        ]


def latex_colspec(
    headers: Sequence[str],
    numeric_from: int | None,
    widths: Sequence[int] | None,
    *,
    wide: bool = False,
) -> str:
    """Columns that share the text width: text ragged right, amounts flush right.

    Without a spec, Sphinx sets a long table's columns as wide as their longest line
    (wider than the page) and justifies the text of narrow cells (hyphenating headers).
    """
    shares = list(widths) if widths else [1] * len(headers)
    fractions = _fractions(headers, shares, _WIDE if wide else _USUAL)
    per_mille = [max(1, round(fraction * 1000)) for fraction in fractions]
    per_mille[per_mille.index(max(per_mille))] -= sum(per_mille) - 1000  # exactly the width
    columns = []
    for index, share in enumerate(per_mille):
        numeric = numeric_from is not None and index >= numeric_from
        align = r"\raggedleft" if numeric else r"\raggedright"
        columns.append(rf">{{{align}\arraybackslash}}\X{{{share}}}{{1000}}")
    return "".join(columns)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[nodes.Node | str]],
    *,
    classes: Sequence[str] = (),
    numeric_from: int | None = None,
    widths: Sequence[int] | None = None,
    caption: str | None = None,
) -> nodes.table:
    """A docutils table; cells may be text or nodes; numeric columns align right.

    ``caption`` becomes the table's title: numbered ("Table 3.", "表 3") in the PDF.
    """
    # longtable: in a PDF the table breaks across pages, its header repeated on each
    table = nodes.table(classes=["rbmdocs-table", "longtable", *classes])
    if widths:
        table["classes"].append("colwidths-given")  # Sphinx then writes the widths out
    table[LATEX_COLSPEC] = latex_colspec(headers, numeric_from, widths)
    table["rbmdocs_columns"] = (list(headers), numeric_from, list(widths) if widths else None)
    if caption:
        table += nodes.title(caption, caption)
        # a captioned table is numbered: Sphinx's writers need an anchor for it
        table["ids"].append(nodes.make_id(f"table-{caption}"))
    group = nodes.tgroup(cols=len(headers))
    table += group
    for index in range(len(headers)):
        width = widths[index] if widths else 1
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += table_row(headers, numeric_from, header=True)
    body = nodes.tbody()
    group += body
    for cells in rows:
        body += table_row(cells, numeric_from)
    return table


#: ``\arraybackslash`` gives ``\\`` back its meaning of "end of row" where the cell is not in
#: a box of its own (Sphinx before 9 sets cells of a table with a column spec unboxed)
_ALIGN_LEFT = nodes.raw("", r"\raggedright\arraybackslash", format="latex")
_ALIGN_RIGHT = nodes.raw("", r"\raggedleft\arraybackslash", format="latex")


def table_row(
    cells: Sequence[nodes.Node | str], numeric_from: int | None, *, header: bool = False
) -> nodes.row:
    """One row; text and inline cells get a paragraph, block cells (several lines) stand."""
    row = nodes.row()
    for index, cell in enumerate(cells):
        entry = nodes.entry()
        numeric = numeric_from is not None and index >= numeric_from
        if numeric:
            entry["classes"].append(NUMBER_CELL)
        # Sphinx sets each cell in a box of its own, which justifies its lines whatever the
        # column says: text ragged right, amounts (and their headers) flush right
        entry += _ALIGN_RIGHT.deepcopy() if numeric else _ALIGN_LEFT.deepcopy()
        if isinstance(cell, nodes.container):  # lines of their own: a paragraph cannot hold them
            entry += cell
            row += entry
            continue
        paragraph = nodes.paragraph()
        if isinstance(cell, nodes.Node):
            paragraph += cell
        else:
            paragraph += nodes.strong(cell, cell) if header else nodes.Text(cell)
        entry += paragraph
        row += entry
    return row


def by_id(needs: Iterable[NeedRecord]) -> list[NeedRecord]:
    return sorted(needs, key=lambda need: natural_key(need.id))


def sources_of_type(graph: NeedGraph, need_id: str, link: str, need_type: str) -> list[NeedRecord]:
    """As the graph gives them, once each, in ID order (IO_2 before IO_10)."""
    return by_id(
        {source.id: source for source in graph.sources_of_type(need_id, link, need_type)}.values()
    )


def money(amount: int) -> str:
    return f"{amount:,}"


def amount(value: str) -> int:
    return int(value) if value.isdigit() else 0


def region_order(regions: Iterable[str]) -> list[str]:
    known = [region for region in REGIONS if region in regions]
    return known + sorted(region for region in regions if region not in REGIONS)


def wide_in_pdf(table_node: nodes.table) -> list[nodes.Node]:
    """The table between switches that set it in smaller type in the PDF (HTML ignores them).

    A table of ten columns of amounts does not fit a portrait page in the usual type:
    its figures would run over their cells.
    """
    columns = table_node.get("rbmdocs_columns")
    if columns:  # the smaller type needs less room for each header word
        headers, numeric_from, widths = columns
        table_node[LATEX_COLSPEC] = latex_colspec(headers, numeric_from, widths, wide=True)
    return [
        nodes.raw("", r"\rbmdocswidetrue", format="latex"),
        table_node,
        nodes.raw("", r"\rbmdocswidefalse", format="latex"),
    ]
