"""The parts every generated table is made of: the context, a table node, sorting, money.

Shared by the framework tables (``tables``) and the programme-cycle tables
(``cycle_tables``), so that every table of the site looks and sorts the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.util.nodes import make_refnode

from rbmdocs.graph import CheckResult, NeedGraph
from rbmdocs.graph.model import NeedRecord
from rbmdocs.render.labels import label
from rbmdocs.schema import REGIONS
from rbmdocs.sphinx.checking import docname_of_file

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort IO_2 before IO_10, as a reader counts."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text))


@dataclass(slots=True)
class TableContext:
    """What a table builder needs: the graph, the page it goes on, the language."""

    result: CheckResult
    env: BuildEnvironment
    builder: Builder
    docname: str
    language: str
    options: dict[str, str]

    @property
    def graph(self) -> NeedGraph:
        return self.result.graph

    def text(self, key: str, **values: str) -> str:
        return label(key, self.language, **values)

    def link(self, need: NeedRecord, text: str | None = None) -> nodes.Node:
        """A reference to the need wherever it is rendered (HTML or LaTeX alike)."""
        shown = text if text is not None else f"{need.id} {need.title}".strip()
        target_doc = docname_of_file(self.env, need.file)
        if target_doc is None:
            return nodes.Text(shown)
        try:
            return make_refnode(
                self.builder, self.docname, target_doc, need.id, nodes.inline(shown, shown), need.id
            )
        except NoUri:  # a PDF holds one document: a need of the other is named, not linked
            return nodes.Text(shown)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[nodes.Node | str]],
    *,
    classes: Sequence[str] = (),
    numeric_from: int | None = None,
    widths: Sequence[int] | None = None,
) -> nodes.table:
    """A docutils table; cells may be text or nodes; numeric columns align right."""
    # longtable: in a PDF the table breaks across pages, its header repeated on each
    table = nodes.table(classes=["rbmdocs-table", "longtable", *classes])
    if widths:
        table["classes"].append("colwidths-given")  # Sphinx then writes the widths out
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


def table_row(
    cells: Sequence[nodes.Node | str], numeric_from: int | None, *, header: bool = False
) -> nodes.row:
    """One row; text and inline cells get a paragraph, block cells (several lines) stand."""
    row = nodes.row()
    for index, cell in enumerate(cells):
        entry = nodes.entry()
        if numeric_from is not None and index >= numeric_from:
            entry["classes"].append("rbmdocs-number")
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
    return [
        nodes.raw("", r"\rbmdocswidetrue", format="latex"),
        table_node,
        nodes.raw("", r"\rbmdocswidefalse", format="latex"),
    ]
