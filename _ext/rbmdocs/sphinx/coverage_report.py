"""Coverage at a glance on the traceability report: charts and the priority matrix.

The charts are SVG drawn at build time from the check's own figures (no plotting library,
no image to keep in git); HTML shows them inline, with a title and a text equivalent, and
the PDF builders leave them out (the tables beside them carry the same numbers). The
matrix lists, per region, every DWCP against the immediate outcomes its priorities reach
through their CPOs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from docutils import nodes

from rbmdocs.graph import NeedGraph
from rbmdocs.graph.model import NeedRecord

_BAR_HEIGHT = 22
_LABEL_WIDTH = 230
_CHART_WIDTH = 640


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, the part and the whole (the chart shows part / whole)."""

    label: str
    part: int
    whole: int


def bar_chart_svg(title: str, bars: Sequence[Bar], colour: str = "#2E75B6") -> str:
    """A horizontal bar chart of shares, as an accessible SVG element."""
    height = _BAR_HEIGHT * len(bars) + 16
    plot = _CHART_WIDTH - _LABEL_WIDTH - 110
    rows = []
    for index, bar in enumerate(bars):
        y = 8 + index * _BAR_HEIGHT
        share = bar.part / bar.whole if bar.whole else 0.0
        width = round(plot * share, 1)
        rows.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{_LABEL_WIDTH}" y="{y + 3}" width="{plot}" height="{_BAR_HEIGHT - 6}" '
            f'fill="#E7EEF7"/>'
            f'<rect class="rbmdocs-bar" x="{_LABEL_WIDTH}" y="{y + 3}" width="{width}" '
            f'height="{_BAR_HEIGHT - 6}" fill="{colour}"><title>{escape(bar.label)}: '
            f"{bar.part} / {bar.whole}</title></rect>"
            f'<text x="{_LABEL_WIDTH + plot + 8}" y="{y + 15}">{bar.part} / {bar.whole}'
            f"{f' ({100 * share:.0f}%)' if bar.whole else ''}</text>"
        )
    return (
        f'<svg class="rbmdocs-chart" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{_CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_CHART_WIDTH} {height}" font-size="13">'
        f"<title>{escape(title)}</title>{''.join(rows)}</svg>"
    )


def chart_node(title: str, bars: Sequence[Bar]) -> nodes.Node:
    """The chart for HTML; nothing for other formats (a figure with its caption)."""
    figure = nodes.container(classes=["rbmdocs-chart-figure"])
    figure += nodes.raw("", bar_chart_svg(title, bars), format="html")
    return figure


def objective_of_outcomes(graph: NeedGraph) -> dict[str, str]:
    """Immediate outcome → the strategic objective it reaches, in one pass per outcome."""
    found: dict[str, str] = {}
    for outcome in graph.needs_of_type("immediate-outcome"):
        frontier, seen = [outcome.id], set()
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            record = graph.need(current)
            if record is not None and record.type == "strategic-objective":
                found[outcome.id] = current
                break
            frontier.extend(graph.targets(current, "contributes_to"))
    return found


def objective_bars(
    graph: NeedGraph, label_of: Callable[[NeedRecord], str]
) -> tuple[list[Bar], list[Bar]]:
    """Per strategic objective: country-scope outcomes with a CPO; outcomes with a strategy."""
    objectives = {record.id: record for record in graph.needs_of_type("strategic-objective")}
    supported: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    strategies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome_id, objective_id in objective_of_outcomes(graph).items():
        outcome = graph.need(outcome_id)
        if outcome is None:
            continue
        if outcome.fields.get("scope", "country") != "global":
            supported[objective_id][1] += 1
            if any(
                (source := graph.need(cpo)) is not None and source.type == "cpo"
                for cpo in graph.sources(outcome_id, "contributes_to")
            ):
                supported[objective_id][0] += 1
        strategies[objective_id][1] += 1
        if graph.sources(outcome_id, "implements"):
            strategies[objective_id][0] += 1
    order = sorted(objectives)
    return (
        [Bar(label_of(objectives[o]), *supported[o]) for o in order if supported[o][1]],
        [Bar(label_of(objectives[o]), *strategies[o]) for o in order if strategies[o][1]],
    )


def priority_matrix(graph: NeedGraph) -> dict[str, dict[str, dict[str, int]]]:
    """Region → DWCP → immediate outcome → number of its priorities that reach it."""
    matrix: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for dwcp in graph.needs_of_type("dwcp"):
        row: dict[str, int] = defaultdict(int)
        for priority_id in graph.sources(dwcp.id, "part_of"):
            reached: set[str] = set()
            for cpo_id in graph.sources(priority_id, "realises"):
                for outcome_id in graph.targets(cpo_id, "contributes_to"):
                    outcome = graph.need(outcome_id)
                    if outcome is not None and outcome.type == "immediate-outcome":
                        reached.add(outcome_id)
            for outcome_id in reached:
                row[outcome_id] += 1
        matrix[dwcp.fields.get("region", "")][dwcp.id] = dict(row)
    return matrix


def matrix_html(
    corner: str, columns: Sequence[str], rows: Sequence[tuple[str, str, list[str]]], region: str
) -> str:
    """The priority matrix of one region as an HTML table (row: name, link, cells)."""
    head = "".join(f'<th class="head">{escape(column)}</th>' for column in columns)
    parts = [
        f'<table class="rbmdocs-table rbmdocs-matrix rbmdocs-matrix-{escape(region)} docutils">',
        f'<thead><tr class="row-odd"><th class="head">{escape(corner)}</th>{head}</tr></thead>',
        "<tbody>",
    ]
    for name, href, cells in rows:
        label = (
            f'<a class="reference internal" href="{escape(href)}">{escape(name)}</a>'
            if href
            else escape(name)
        )
        numbers = "".join(f'<td class="rbmdocs-number">{cell}</td>' for cell in cells)
        parts.append(f"<tr><td>{label}</td>{numbers}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
