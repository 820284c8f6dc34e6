"""Tables of the rest of the programme cycle, computed from the resolved graph.

The implementation report's results per outcome and its budget against expenditure, the
follow-up of evaluation recommendations, the strategy matrix, the RBM milestones and the
CPOs by capacity level: each is one walk over the needs the check has indexed, never a
table typed by hand, so a changed result or status shows everywhere in the next build.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from docutils import nodes
from sphinx.util import logging

from rbmdocs.config import build_date, settings
from rbmdocs.graph import NeedGraph
from rbmdocs.graph.model import NeedRecord, natural_key
from rbmdocs.graph.rules import is_overdue, iso_date
from rbmdocs.render.need_view_model import reader_name
from rbmdocs.schema import (
    CAPACITY_KINDS,
    CAPACITY_LEVELS,
    MILESTONE_AREAS,
    RECOMMENDATION_STATUSES,
)
from rbmdocs.sphinx.coverage_report import objective_of_outcomes
from rbmdocs.sphinx.table_kit import (
    TableContext,
    amount,
    by_id,
    money,
    region_order,
    sources_of_type,
    table,
    wide_in_pdf,
)

logger = logging.getLogger(__name__)

Cell = nodes.Node | str
#: The resources of the P&B and what the implementation report says was spent of them.
_BUDGET_SPENT: tuple[tuple[str, str, str], ...] = (
    ("table.regular_budget", "regular_budget", "spent_regular_budget"),
    ("table.extra_budgetary", "extra_budgetary", "spent_extra_budgetary"),
    ("table.rbsa", "rbsa", "spent_rbsa"),
)


def _in_file_order(needs: Iterable[NeedRecord]) -> list[NeedRecord]:
    """As the drafting team wrote them: file, then line (the reading order may vary)."""
    return sorted(needs, key=lambda need: (need.file, need.line or 0, natural_key(need.id)))


def _reported_biennium(context: TableContext) -> str:
    """The ``:biennium:`` option, else the first reported biennium, else the first P&B."""
    values = settings(context.env.config)
    bienniums = [*values.reports, *values.bienniums]
    return context.options.get("biennium") or (bienniums[0] if bienniums else "")


def _of_biennium(needs: Iterable[NeedRecord], biennium: str) -> list[NeedRecord]:
    return [need for need in needs if need.fields.get("biennium", "") == biennium]


def dwcp_of_cpo(graph: NeedGraph, cpo: NeedRecord) -> NeedRecord | None:
    """The programme a CPO belongs to: CPO → realises → priority → part_of → DWCP."""
    for priority_id in cpo.links.get("realises") or ():
        priority = graph.need(priority_id)
        if priority is None:
            continue
        for dwcp_id in priority.links.get("part_of") or ():
            dwcp = graph.need(dwcp_id)
            if dwcp is not None and dwcp.type == "dwcp":
                return dwcp
    return None


def _spanned_header(table_node: nodes.table, groups: Sequence[tuple[str, int]]) -> None:
    """Put a first header row above the table's own, with cells spanning column groups."""
    head = next(table_node.findall(nodes.thead))
    row = nodes.row()
    for text, span in groups:
        entry = nodes.entry()
        if span > 1:
            entry["morecols"] = span - 1
        paragraph = nodes.paragraph()
        if text:
            paragraph += nodes.strong(text, text)
        entry += paragraph
        row += entry
    head.insert(0, row)


def _paragraphs(*lines: Cell) -> nodes.Node:
    """Several lines in one cell, each its own paragraph (a line break in HTML and PDF)."""
    container = nodes.container(classes=["rbmdocs-cell-lines"])
    for line in lines:
        paragraph = nodes.paragraph()
        paragraph += line if isinstance(line, nodes.Node) else nodes.Text(line)
        container += paragraph
    return container


def _warn_option(context: TableContext, message: str) -> list[nodes.Node]:
    """A table that cannot be drawn says why, in the build log and on the page."""
    logger.warning(message, location=(context.docname, None), type="rbmdocs", subtype="table")
    return [nodes.paragraph(message, message)]


def build_outcome_results(context: TableContext) -> list[nodes.Node]:
    """Per indicator of one outcome: the target, the result and the member States counted.

    The member States are the countries of the DWCPs whose CPOs the result names in
    ``achieved_through``, grouped by region, so the count follows the country data.
    """
    graph = context.graph
    outcome_id = context.options.get("outcome", "")
    outcome = graph.need(outcome_id)
    if outcome is None or outcome.type != "immediate-outcome":
        return _warn_option(
            context,
            f"outcome-results: :outcome: {outcome_id or '(missing)'} names no immediate "
            "outcome; give the ID of one, e.g. :outcome: IO_1",
        )
    biennium = _reported_biennium(context)
    rows: list[list[Cell]] = []
    for indicator in sources_of_type(graph, outcome.id, "measures", "indicator"):
        targets = _of_biennium(
            sources_of_type(graph, indicator.id, "sets_target_for", "target"), biennium
        )
        candidates: list[NeedRecord | None] = [*targets] or [None]
        for target in candidates:
            results = (
                _of_biennium(sources_of_type(graph, target.id, "reports_on", "result"), biennium)
                if target
                else []
            )
            target_cell: Cell = (
                _paragraphs(context.link(target, target.fields.get("value", "") or target.title))
                if target
                else "–"
            )
            rows.append(
                [
                    context.link(indicator),
                    target_cell,
                    _result_cell(context, results),
                    _states_cell(context, results),
                ]
            )
    headers = [
        context.text("table.indicator"),
        context.text("table.target", biennium=biennium),
        context.text("table.result"),
        context.text("table.states_counted"),
    ]
    return [table(headers, rows, classes=["rbmdocs-outcome-results"], widths=[3, 4, 4, 5])]


def _result_cell(context: TableContext, results: list[NeedRecord]) -> Cell:
    if not results:
        return context.text("table.no_result")
    lines: list[Cell] = []
    for result in results:
        lines.append(context.link(result, result.fields.get("value", "") or result.title))
        criteria = result.fields.get("criteria_met", "")
        if criteria:
            lines.append(context.text("table.criteria_met", criteria=criteria))
    return _paragraphs(*lines)


def _states_cell(context: TableContext, results: list[NeedRecord]) -> Cell:
    graph = context.graph
    countries: dict[str, dict[str, NeedRecord]] = defaultdict(dict)
    for result in results:
        for cpo_id in result.links.get("achieved_through") or ():
            cpo = graph.need(cpo_id)
            dwcp = dwcp_of_cpo(graph, cpo) if cpo is not None else None
            if dwcp is not None:
                countries[dwcp.fields.get("region", "")][dwcp.id] = dwcp
    if not countries:
        return "–"
    lines: list[Cell] = []
    for region in region_order(countries):
        line = nodes.inline()
        name = context.region(region)
        line += nodes.Text(
            context.text("table.region_count", region=name, count=str(len(countries[region])))
        )
        for index, dwcp in enumerate(by_id(countries[region].values())):
            if index:
                line += nodes.Text(context.text("table.list_separator"))
            line += context.link(dwcp, dwcp.title or dwcp.id)
        lines.append(line)
    return _paragraphs(*lines)


def build_expenditure_table(context: TableContext) -> list[nodes.Node]:
    """Budget (outcome strategies) against expenditure (outcome reports), per outcome and SO."""
    graph = context.graph
    biennium = _reported_biennium(context)
    objective_of = objective_of_outcomes(graph)
    by_objective: dict[str, list[tuple[NeedRecord, list[int | None]]]] = defaultdict(list)
    for outcome in by_id(graph.needs_of_type("immediate-outcome")):
        strategies = _of_biennium(
            sources_of_type(graph, outcome.id, "implements", "outcome-strategy"), biennium
        )
        reports = _of_biennium(
            sources_of_type(graph, outcome.id, "reports_on", "outcome-report"), biennium
        )
        figures: list[int | None] = []
        for _label, budget_field, spent_field in _BUDGET_SPENT:
            figures.append(sum(amount(s.fields.get(budget_field, "")) for s in strategies))
            spent = [amount(r.fields.get(spent_field, "")) for r in reports]
            figures.append(sum(spent) if reports else None)
        by_objective[objective_of.get(outcome.id, "")].append((outcome, figures))

    rows: list[list[Cell]] = []
    grand: list[int | None] = [0] * 6
    for objective_id in sorted(by_objective, key=natural_key):
        subtotal: list[int | None] = [0] * 6
        for outcome, figures in by_objective[objective_id]:
            rows.append([context.link(outcome), *_money_cells(figures)])
            subtotal = _add(subtotal, figures)
        objective = graph.need(objective_id) if objective_id else None
        name = (
            reader_name(objective, context.texts.sections)
            if objective
            else objective_id or context.text("region.unknown")
        )
        rows.append(_strong_row(context.text("table.subtotal", name=name), subtotal))
        grand = _add(grand, subtotal)
    rows.append(_strong_row(context.text("table.grand_total"), grand))
    budget_word, spent_word = context.text("table.budget"), context.text("table.spent")
    headers = [
        context.text(
            "table.with_biennium", what=context.text("table.immediate_outcome"), biennium=biennium
        ),
        *[budget_word, spent_word] * 4,
        context.text("table.share_spent"),
    ]
    table_node = table(
        headers,
        rows,
        classes=["rbmdocs-expenditure"],
        numeric_from=1,
        widths=[7, 6, 6, 6, 6, 6, 6, 7, 7, 4],
        caption=context.text("caption.expenditure", biennium=biennium),
    )
    groups = [("", 1)]
    groups += [(context.text(key), 2) for key, _budget, _spent in _BUDGET_SPENT]
    groups += [(context.text("table.all_sources"), 3)]
    _spanned_header(table_node, groups)
    return wide_in_pdf(table_node)


def _add(total: list[int | None], figures: list[int | None]) -> list[int | None]:
    """Sum column by column; a column with nothing reported stays unreported (None)."""
    return [None if a is None or b is None else a + b for a, b in zip(total, figures, strict=True)]


def _money_cells(figures: list[int | None]) -> list[str]:
    """Budget and spent per source, then all sources and the share spent."""
    budgets = [figure or 0 for figure in figures[0::2]]
    spent = figures[1::2]
    cells = ["–" if figure is None else money(figure) for figure in figures]
    total_budget = sum(budgets)
    total_spent = None if any(part is None for part in spent) else sum(p or 0 for p in spent)
    cells.append(money(total_budget))
    cells.append("–" if total_spent is None else money(total_spent))
    share = (
        f"{100 * total_spent / total_budget:.1f}"
        if total_spent is not None and total_budget
        else "–"
    )
    cells.append(share)
    return cells


def _strong_row(title: str, figures: list[int | None]) -> list[Cell]:
    """A subtotal row: its title in bold, its figures plain.

    Bold nine-digit amounts would not fit ten columns of a portrait page in Chinese type.
    """
    return [nodes.strong(title, title), *_money_cells(figures)]


def build_recommendation_follow_up(context: TableContext) -> list[nodes.Node]:
    """Recommendations counted by status, then each with its due date, owner and target.

    Overdue is judged on the build date (``rbmdocs_build_date``), as rule RBM040 does.
    """
    graph = context.graph
    today = iso_date(build_date(context.env.config))
    recommendations = graph.needs_of_type("recommendation")
    status_rank = {status: rank for rank, status in enumerate(RECOMMENDATION_STATUSES)}

    counts: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for need in recommendations:
        status = need.fields.get("status", "")
        counts[status] += 1
        late[status] += is_overdue(need, today)
    statuses = [*RECOMMENDATION_STATUSES, *sorted(set(counts) - set(RECOMMENDATION_STATUSES))]
    summary_rows: list[list[Cell]] = [
        [context.text(f"status.{status}"), str(counts[status]), str(late[status])]
        for status in statuses
        if counts[status] or status in RECOMMENDATION_STATUSES
    ]
    total = context.text("table.total")
    summary_rows.append(
        [
            nodes.strong(total, total),
            nodes.strong(str(len(recommendations)), str(len(recommendations))),
            nodes.strong(str(sum(late.values())), str(sum(late.values()))),
        ]
    )
    summary_headers = [
        context.text("table.status"),
        context.text("table.number"),
        context.text("table.overdue", date=today.isoformat() if today else ""),
    ]
    ordered = sorted(
        recommendations,
        key=lambda need: (
            status_rank.get(need.fields.get("status", ""), len(status_rank)),
            need.fields.get("due") or "",
            natural_key(need.id),
        ),
    )
    detail_rows: list[list[Cell]] = []
    for need in ordered:
        status = need.fields.get("status", "")
        status_text = context.text(f"status.{status}") if status else ""
        if is_overdue(need, today):
            status_text = context.text("table.overdue_mark", status=status_text)
        addressed = by_id(
            target
            for target_id in need.links.get("addresses") or ()
            if (target := graph.need(target_id)) is not None
        )
        detail_rows.append(
            [
                context.link(need),
                _paragraphs(*(context.link(target) for target in addressed)),
                need.fields.get("owner", ""),
                need.fields.get("due", ""),
                status_text,
            ]
        )
    detail_headers = [
        context.text("table.recommendation"),
        context.text("table.addresses"),
        context.text("option.owner"),
        context.text("option.due"),
        context.text("table.status"),
    ]
    return [
        table(summary_headers, summary_rows, classes=["rbmdocs-follow-up"], numeric_from=1),
        table(
            detail_headers,
            detail_rows,
            classes=["rbmdocs-follow-up"],
            widths=[6, 2, 3, 2, 2],
        ),
    ]


def build_strategy_matrix(context: TableContext) -> list[nodes.Node]:
    """The strategy matrix: each strategy (row) against the core management strategies.

    A cell is the strategy link from the row to the column: its title is the cell's text
    (titles are translated like every title), and it links to the need for the detail.
    """
    graph = context.graph
    strategies = _in_file_order(graph.needs_of_type("management-strategy"))
    columns = [need for need in strategies if need.fields.get("kind") == "core"]
    cells: dict[tuple[str, str], NeedRecord] = {}
    for link in _in_file_order(graph.needs_of_type("strategy-link")):
        sources, targets = link.links.get("from") or (), link.links.get("to") or ()
        if len(sources) == 1 and len(targets) == 1:
            cells.setdefault((sources[0], targets[0]), link)
    linked_rows = {row for row, _column in cells}
    rows: list[list[Cell]] = []
    for strategy in strategies:
        if strategy.id not in linked_rows:
            continue
        row: list[Cell] = [context.link(strategy, strategy.title or strategy.id)]
        for column in columns:
            cell = cells.get((strategy.id, column.id))
            row.append(context.link(cell, cell.title or cell.id) if cell else "")
        rows.append(row)
    headers = [
        context.text("table.strategy"),
        *(column.title or column.id for column in columns),
    ]
    table_node = table(
        headers,
        rows,
        classes=["rbmdocs-strategy-matrix"],
        widths=[2, *([3] * len(columns))],
    )
    _spanned_header(
        table_node, [("", 1), (context.text("table.links_with_core"), len(columns) or 1)]
    )
    return [table_node]


def build_milestone_table(context: TableContext) -> list[nodes.Node]:
    """The RBM milestones of one area (``:area:``), or of all areas: milestone, year, status."""
    area = context.options.get("area", "")
    if area and area not in MILESTONE_AREAS:
        return _warn_option(
            context,
            f"milestone-table: :area: {area} is not one of {', '.join(MILESTONE_AREAS)}",
        )
    milestones = [
        need
        for need in context.graph.needs_of_type("milestone")
        if not area or need.fields.get("area") == area
    ]
    milestones.sort(key=lambda need: (need.fields.get("year") or "", need.file, need.line or 0))
    rows: list[list[Cell]] = []
    for need in milestones:
        row: list[Cell] = [context.link(need, need.title or need.id)]
        if not area:
            row.append(context.text(f"area.{need.fields.get('area', '')}"))
        row += [need.fields.get("year", ""), need.fields.get("status", "")]
        rows.append(row)
    headers = [context.text("table.milestone")]
    if not area:
        headers.append(context.text("option.area"))
    headers += [context.text("option.year"), context.text("table.status")]
    widths = [5, 2, 1, 5] if not area else [5, 1, 5]
    return [table(headers, rows, classes=["rbmdocs-milestones"], widths=widths)]


def build_capacity_table(context: TableContext) -> list[nodes.Node]:
    """CPOs by capacity level and kind, per region: where capacity development is tracked."""
    graph = context.graph
    combinations = [(level, kind) for level in CAPACITY_LEVELS for kind in CAPACITY_KINDS]
    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    all_cpos: Counter[str] = Counter()
    for cpo in graph.needs_of_type("cpo"):
        dwcp = dwcp_of_cpo(graph, cpo)
        region = dwcp.fields.get("region", "") if dwcp else ""
        all_cpos[region] += 1
        level = cpo.fields.get("capacity_level") or ""
        kind = cpo.fields.get("capacity_kind") or ""
        if level or kind:
            counts[region][(level, kind)] += 1
    regions = region_order(set(all_cpos))
    rows: list[list[Cell]] = []
    totals: Counter[tuple[str, str]] = Counter()
    for region in regions:
        region_counts = counts[region]
        totals.update(region_counts)
        name = context.region(region)
        rows.append(
            [
                name,
                *(str(region_counts[combination]) for combination in combinations),
                str(sum(region_counts.values())),
                str(all_cpos[region]),
            ]
        )
    total = context.text("table.total")
    rows.append(
        [
            nodes.strong(total, total),
            *(nodes.strong(str(totals[c]), str(totals[c])) for c in [*combinations]),
            nodes.strong(str(sum(totals.values())), str(sum(totals.values()))),
            nodes.strong(str(all_cpos.total()), str(all_cpos.total())),
        ]
    )
    headers = [
        context.text("table.region"),
        *(context.text(f"capacity_kind.{kind}") for _level, kind in combinations),
        context.text("table.capacity_recorded"),
        context.text("table.cpos"),
    ]
    table_node = table(
        headers,
        rows,
        classes=["rbmdocs-capacity"],
        numeric_from=1,
        widths=[4, *([2] * len(combinations)), 2, 2],
    )
    groups = [("", 1)]
    groups += [
        (context.text(f"capacity_level.{level}"), len(CAPACITY_KINDS)) for level in CAPACITY_LEVELS
    ]
    groups += [("", 1), ("", 1)]
    _spanned_header(table_node, groups)
    return wide_in_pdf(table_node)


CYCLE_TABLE_BUILDERS: dict[str, Callable[[TableContext], list[nodes.Node]]] = {
    "outcome-results": build_outcome_results,
    "expenditure-table": build_expenditure_table,
    "recommendation-follow-up": build_recommendation_follow_up,
    "strategy-matrix": build_strategy_matrix,
    "milestone-table": build_milestone_table,
    "capacity-table": build_capacity_table,
}
