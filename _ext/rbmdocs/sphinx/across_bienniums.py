"""``{results-across-bienniums}``: each indicator's target and result, biennium by biennium.

One table per immediate outcome, under the outcome's name: a row per indicator, and for
each biennium of the SPF period that the build programmes, its target and its result side
by side. The data comes from ``render/across_bienniums.py``; this module only draws it, in
the build language, with a link from every value to the need that states it.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util import logging

from rbmdocs.config import settings
from rbmdocs.graph.model import NeedRecord
from rbmdocs.render.across_bienniums import (
    AcrossBienniums,
    BienniumEntry,
    OutcomeAcross,
    results_across_bienniums,
)
from rbmdocs.render.need_view_model import reader_name
from rbmdocs.sphinx.table_kit import TableContext, table, wide_in_pdf

logger = logging.getLogger(__name__)

#: The class of every table this directive draws (tests and stylesheets find them by it).
TABLE_CLASS = "rbmdocs-across-bienniums"
#: From this many bienniums on, the PDF sets the table in its smaller type.
_WIDE_FROM = 3


def build_results_across_bienniums(context: TableContext) -> list[nodes.Node]:
    """A rubric and a table per immediate outcome (or the ``:outcome:`` one alone)."""
    values = settings(context.env.config)
    outcome_id = context.options.get("outcome", "").strip()
    view = results_across_bienniums(
        context.graph,
        values.spf_period,
        values.bienniums,
        [biennium for biennium, state in values.reports.items() if state == "final"],
        outcome_id,
    )
    if outcome_id and not view.outcomes:
        message = (
            f"results-across-bienniums: :outcome: {outcome_id} names no immediate outcome; "
            "give the ID of one, e.g. :outcome: IO_1, or leave the option out for all"
        )
        logger.warning(message, location=(context.docname, None), type="rbmdocs", subtype="table")
        return [nodes.paragraph(message, message)]
    output: list[nodes.Node] = []
    for outcome in view.outcomes:
        if not outcome_id:
            name = reader_name(outcome.outcome, context.texts.sections)
            heading = nodes.rubric(name, "")
            heading += context.link(outcome.outcome)
            output.append(heading)
        output.extend(_outcome_table(context, view, outcome))
    if view.still_to_come:
        note = context.text(
            "across.still_to_come",
            bienniums=context.text("list.separator").join(view.still_to_come),
        )
        output.append(nodes.paragraph(note, note, classes=["rbmdocs-across-note"]))
    return output


def _outcome_table(
    context: TableContext, view: AcrossBienniums, outcome: OutcomeAcross
) -> list[nodes.Node]:
    target_word, result_word = context.text("across.target"), context.text("across.result")
    headers = [context.text("table.indicator")]
    for _biennium in view.bienniums:
        headers += [target_word, result_word]
    rows: list[list[nodes.Node | str]] = []
    for line in outcome.indicators:
        row: list[nodes.Node | str] = [context.link(line.indicator)]
        for entry in line.entries:
            row += [_target_cell(context, entry), _result_cell(context, entry)]
        rows.append(row)
    table_node = table(
        headers,
        rows,
        classes=[TABLE_CLASS],
        widths=[4, *([3] * (2 * len(view.bienniums)))],
    )
    table_node["ids"].append(f"across-{outcome.outcome.id.lower().replace('_', '-')}")
    _biennium_header(table_node, view.bienniums)
    return wide_in_pdf(table_node) if len(view.bienniums) >= _WIDE_FROM else [table_node]


def _biennium_header(table_node: nodes.table, bienniums: tuple[str, ...]) -> None:
    """A first header row: an empty corner, then each biennium over its two columns."""
    head = next(table_node.findall(nodes.thead))
    row = nodes.row()
    row += nodes.entry("", nodes.paragraph())
    for biennium in bienniums:
        entry = nodes.entry(morecols=1)
        paragraph = nodes.paragraph()
        paragraph += nodes.strong(biennium, biennium)
        entry += paragraph
        row += entry
    head.insert(0, row)


def _value_link(context: TableContext, need: NeedRecord) -> nodes.Node:
    return context.link(need, need.fields.get("value", "") or need.title or need.id)


def _target_cell(context: TableContext, entry: BienniumEntry) -> nodes.Node | str:
    if entry.target is None:
        return context.text("across.no_target")
    return _value_link(context, entry.target)


def _result_cell(context: TableContext, entry: BienniumEntry) -> nodes.Node | str:
    if entry.target is None:
        return "–"
    if not entry.results:
        return context.text("table.no_result" if entry.reported else "across.not_yet_reported")
    if len(entry.results) == 1:
        return _value_link(context, entry.results[0])
    lines = nodes.container(classes=["rbmdocs-cell-lines"])
    for result in entry.results:
        paragraph = nodes.paragraph()
        paragraph += _value_link(context, result)
        lines += paragraph
    return lines
