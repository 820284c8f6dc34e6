"""Generated tables: placeholders at read time, filled from the resolved graph at write time.

A table is never typed by hand and never filtered per table from all needs: each is a
walk over the graph the traceability check has already built once. Pages holding a table
are written again, not read again, whenever any need changes (see
``generated_pages_to_rewrite``), so a table is never stale after an incremental build.
"""

from __future__ import annotations

import weakref
from collections import Counter, defaultdict
from collections.abc import Callable
from html import escape
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.util.docutils import SphinxDirective

from rbmdocs.config import settings
from rbmdocs.graph import NeedGraph
from rbmdocs.graph.model import NeedRecord, natural_key
from rbmdocs.render.collation import sort_key
from rbmdocs.render.need_view_model import ViewMaker, reader_name
from rbmdocs.schema import DWCP_STATUSES, REGIONS
from rbmdocs.sphinx.across_bienniums import build_results_across_bienniums
from rbmdocs.sphinx.checking import check_result, docname_of_file
from rbmdocs.sphinx.coverage_report import (
    Bar,
    chart_node,
    matrix_html,
    objective_bars,
    objective_of_outcomes,
    priority_matrix,
)
from rbmdocs.sphinx.cycle_tables import CYCLE_TABLE_BUILDERS
from rbmdocs.sphinx.dwcp_data import dwcp_data
from rbmdocs.sphinx.env_data import all_notes, need_texts, notes_for
from rbmdocs.sphinx.need_views import need_panel
from rbmdocs.sphinx.table_inputs import keep_table_inputs, view_of, views_changed
from rbmdocs.sphinx.table_kit import (
    TableContext,
    amount,
    by_id,
    money,
    region_order,
    sources_of_type,
    table,
)


class generated_content(nodes.General, nodes.Element):
    """Where a generated table goes; replaced before any writer sees it."""


class GeneratedContentDirective(SphinxDirective):
    """``{results-framework}``, ``{resource-table}``, …: a placeholder for a generated table."""

    kind: ClassVar[str] = ""
    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "objective": directives.unchanged,
        "biennium": directives.unchanged,
        "outcome": directives.unchanged,
        "area": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        """Leave a placeholder and remember that this page holds generated content."""
        node = generated_content(kind=self.kind, options=dict(self.options))
        self.set_source_info(node)
        notes_for(self.env, self.env.docname).generated_content.add(self.kind)
        return [node, *self.extra_nodes()]

    def extra_nodes(self) -> list[nodes.Node]:
        """Nodes the read phase must see (a toctree); none by default."""
        return []


class DwcpIndexDirective(GeneratedContentDirective):
    """The DWCPs by region, each linked to its page.

    The programmes' pages are no documents (``dwcp_data``): no table of contents lists
    them, and the index tables are the way to them.
    """

    kind = "dwcp-index"


def _objectives(context: TableContext) -> list[NeedRecord]:
    objectives = by_id(context.graph.needs_of_type("strategic-objective"))
    wanted = context.options.get("objective")
    return [need for need in objectives if not wanted or need.id == wanted]


def build_results_framework(context: TableContext) -> list[nodes.Node]:
    """Per strategic objective: intermediate outcomes, immediate outcomes, indicators."""
    graph = context.graph
    output: list[nodes.Node] = []
    for objective in _objectives(context):
        rows: list[list[nodes.Node | str]] = []
        for intermediate in sources_of_type(
            graph, objective.id, "contributes_to", "intermediate-outcome"
        ):
            outcomes = sources_of_type(
                graph, intermediate.id, "contributes_to", "immediate-outcome"
            )
            for index, outcome in enumerate(outcomes or [None]):
                indicators = (
                    sources_of_type(graph, outcome.id, "measures", "indicator") if outcome else []
                )
                indicator_list = nodes.inline()
                for position, indicator in enumerate(indicators):
                    if position:
                        indicator_list += nodes.Text(context.text("list.group_separator"))
                    indicator_list += context.link(indicator)
                rows.append(
                    [
                        context.link(intermediate) if index == 0 else "",
                        context.link(outcome) if outcome else "",
                        indicator_list,
                    ]
                )
        caption = objective.title or objective.id
        output.append(nodes.rubric(caption, "", context.link(objective, caption)))
        output.append(
            table(
                [
                    context.text("table.intermediate_outcome"),
                    context.text("table.immediate_outcome"),
                    context.text("table.indicators"),
                ],
                rows,
                classes=["rbmdocs-results-framework"],
                widths=[3, 4, 2],
            )
        )
    return output


def build_resource_table(context: TableContext) -> list[nodes.Node]:
    """Resources per immediate outcome and strategic objective, with subtotals and total."""
    graph = context.graph
    bienniums = settings(context.env.config).bienniums
    biennium = context.options.get("biennium") or (bienniums[0] if bienniums else "")
    columns = ("regular_budget", "extra_budgetary", "rbsa")
    by_objective: dict[str, list[tuple[NeedRecord, list[int]]]] = defaultdict(list)
    objective_of = objective_of_outcomes(graph)
    for outcome in by_id(graph.needs_of_type("immediate-outcome")):
        amounts = [0, 0, 0]
        for strategy in sources_of_type(graph, outcome.id, "implements", "outcome-strategy"):
            if strategy.fields.get("biennium") == biennium:
                for index, column in enumerate(columns):
                    amounts[index] += amount(strategy.fields.get(column, ""))
        by_objective[objective_of.get(outcome.id, "")].append((outcome, amounts))
    rows: list[list[nodes.Node | str]] = []
    grand = [0, 0, 0]
    for objective_id in sorted(by_objective, key=natural_key):
        objective = graph.need(objective_id)
        subtotal = [0, 0, 0]
        for outcome, amounts in by_objective[objective_id]:
            rows.append([context.link(outcome), *map(money, amounts), money(sum(amounts))])
            subtotal = [a + b for a, b in zip(subtotal, amounts, strict=True)]
        name = (
            reader_name(objective, context.texts.sections)
            if objective
            else context.text("region.unknown")
        )
        subtotal_text = context.text("table.subtotal", name=name)
        rows.append(
            [
                nodes.strong(subtotal_text, subtotal_text),
                *(nodes.strong(money(n), money(n)) for n in [*subtotal, sum(subtotal)]),
            ]
        )
        grand = [a + b for a, b in zip(grand, subtotal, strict=True)]
    total_text = context.text("table.grand_total")
    rows.append(
        [
            nodes.strong(total_text, total_text),
            *(nodes.strong(money(n), money(n)) for n in [*grand, sum(grand)]),
        ]
    )
    headers = [
        context.text(
            "table.with_biennium", what=context.text("table.immediate_outcome"), biennium=biennium
        ),
        context.text("table.regular_budget"),
        context.text("table.extra_budgetary"),
        context.text("table.rbsa"),
        context.text("table.all_resources"),
    ]
    return [
        table(
            headers,
            rows,
            classes=["rbmdocs-resources"],
            numeric_from=1,
            widths=[6, 3, 3, 3, 3],
            caption=context.text("caption.resources", biennium=biennium),
        )
    ]


def _dwcps_by_region(graph: NeedGraph) -> dict[str, list[NeedRecord]]:
    grouped: dict[str, list[NeedRecord]] = defaultdict(list)
    for dwcp in graph.needs_of_type("dwcp"):
        grouped[dwcp.fields.get("region", "")].append(dwcp)
    return grouped


def build_dwcp_status_table(context: TableContext) -> list[nodes.Node]:
    """DWCPs counted by region and status, with totals."""
    counts: Counter[tuple[str, str]] = Counter()
    for dwcp in context.graph.needs_of_type("dwcp"):
        counts[(dwcp.fields.get("region", ""), dwcp.fields.get("status", ""))] += 1
    regions = region_order({region for region, _ in counts} | set(REGIONS))
    rows: list[list[nodes.Node | str]] = []
    for region in regions:
        values = [counts[(region, status)] for status in DWCP_STATUSES]
        rows.append([context.region(region), *map(str, values), str(sum(values))])
    totals = [sum(counts[(region, status)] for region in regions) for status in DWCP_STATUSES]
    total_text = context.text("table.total")
    rows.append(
        [
            nodes.strong(total_text, total_text),
            *(nodes.strong(str(n), str(n)) for n in [*totals, sum(totals)]),
        ]
    )
    headers = [
        context.text("table.region"),
        *(context.text(f"status.{status}") for status in DWCP_STATUSES),
        context.text("table.total"),
    ]
    return [table(headers, rows, classes=["rbmdocs-dwcp-status"], numeric_from=1)]


def country_order(dwcp: NeedRecord, language: str) -> tuple[object, ...]:
    """Where a programme goes in a list of countries: by its name in the page's language."""
    return (sort_key(dwcp.title or dwcp.id, language), dwcp.id)


def build_dwcp_index(context: TableContext) -> list[nodes.Node]:
    """Each region's programmes, with status, period and number of priorities."""
    graph = context.graph
    grouped = _dwcps_by_region(graph)
    output: list[nodes.Node] = []
    for region in region_order(set(grouped)):
        heading = context.region(region)
        output.append(nodes.rubric(heading, heading))
        rows: list[list[nodes.Node | str]] = []
        in_order = sorted(grouped[region], key=lambda need: country_order(need, context.language))
        for dwcp in in_order:
            status = dwcp.fields.get("status", "")
            rows.append(
                [
                    context.link(dwcp, dwcp.title or dwcp.id),
                    context.text(f"status.{status}") if status else "",
                    dwcp.fields.get("period", ""),
                    str(len(sources_of_type(graph, dwcp.id, "part_of", "dwcp-priority"))),
                ]
            )
        output.append(
            table(
                [
                    context.text("table.programme"),
                    context.text("field.status"),
                    context.text("field.period"),
                    context.text("table.count"),
                ],
                rows,
                classes=["rbmdocs-dwcp-index"],
                numeric_from=3,
            )
        )
    return output


def build_priorities_by_outcome(context: TableContext) -> list[nodes.Node]:
    """For each immediate outcome, the DWCP priorities behind it, read as countries by region.

    A reader of the Programme and Budget looks for countries, not codes: the priorities'
    IDs (five pages of them in the PDF) stay behind an expander in HTML, out of the PDF.
    """
    graph = context.graph
    maker = ViewMaker(graph, context.texts, context.language)
    html = context.builder.format == "html"
    rows: list[list[nodes.Node | str]] = []
    for outcome in by_id(graph.needs_of_type("immediate-outcome")):
        priorities: dict[str, NeedRecord] = {}
        for cpo in sources_of_type(graph, outcome.id, "contributes_to", "cpo"):
            for priority_id in graph.targets(cpo.id, "realises"):
                priority = graph.need(priority_id)
                if priority is not None and priority.type == "dwcp-priority":
                    priorities[priority.id] = priority
        listing = nodes.container(classes=["rbmdocs-country-cell"])
        groups = maker.countries(need.id for need in by_id(priorities.values()))
        for line in maker.country_lines(groups):
            listing += nodes.paragraph(line, line)
        if not priorities:
            none = context.text("table.no_priorities")
            listing += nodes.paragraph("", "", nodes.emphasis(none, none))
        elif html:
            codes = need_panel(
                summary=f"{context.text('view.codes')} ({len(priorities)})",
                open=False,
                classes=["rbmdocs-need-codes"],
            )
            line_of_codes = nodes.paragraph()
            for position, priority in enumerate(by_id(priorities.values())):
                if position:
                    line_of_codes += nodes.Text(context.text("list.separator"))
                line_of_codes += context.link(priority, priority.id)
            codes += line_of_codes
            listing += codes
        rows.append(
            [
                context.link(outcome, maker.name(outcome)),
                str(len(priorities)),
                listing,
            ]
        )
    headers = [
        context.text("table.immediate_outcome"),
        context.text("table.count"),
        context.text("table.countries_by_region"),
    ]
    return [
        table(
            headers,
            rows,
            classes=["rbmdocs-priorities-by-outcome"],
            widths=[26, 10, 64],
        )
    ]


def _share(part: int, whole: int) -> str:
    return f"{part} / {whole}" + (f" ({100 * part / whole:.0f}%)" if whole else "")


def build_traceability_report(context: TableContext) -> list[nodes.Node]:
    """Coverage figures and every open finding, located."""
    coverage = context.result.coverage.as_dict()
    output: list[nodes.Node] = []
    heading = context.text("report.coverage")
    output.append(nodes.rubric(heading, heading))
    priorities = coverage.get("priorities", {})
    outcomes = coverage.get("immediate_outcomes", {})
    indicators = coverage.get("indicators", {})
    rows: list[list[nodes.Node | str]] = [
        [
            context.text("report.priorities_traced"),
            _share(priorities.get("traced", 0), priorities.get("total", 0)),
        ],
        [
            context.text("report.outcomes_reaching"),
            _share(outcomes.get("reaching_objective", 0), outcomes.get("total", 0)),
        ],
        [
            context.text("report.outcomes_supported"),
            _share(outcomes.get("country_supported", 0), outcomes.get("country_scope", 0)),
        ],
        [
            context.text("report.indicators_targeted"),
            _share(indicators.get("with_targets", 0), indicators.get("total", 0)),
        ],
    ]
    report = coverage.get("implementation_report")
    if report:
        bienniums = ", ".join(report["bienniums"])
        rows.append(
            [
                context.text("report.targets_with_result", bienniums=bienniums),
                _share(report["targets_with_result"], report["targets"]),
            ]
        )
        rows.append(
            [
                context.text("report.outcomes_with_report", bienniums=bienniums),
                _share(report["outcomes_with_report"], outcomes.get("total", 0)),
            ]
        )
    output.append(
        table(
            [context.text("table.measure"), context.text("table.value")],
            rows,
            classes=["rbmdocs-coverage"],
            numeric_from=1,
        )
    )
    heading = context.text("report.by_region")
    output.append(nodes.rubric(heading, heading))
    by_region = priorities.get("by_region", {})
    region_rows: list[list[nodes.Node | str]] = [
        [
            context.region(region),
            _share(by_region[region].get("traced", 0), by_region[region].get("total", 0)),
        ]
        for region in region_order(set(by_region))
    ]
    output.append(
        table(
            [context.text("table.region"), context.text("table.value")],
            region_rows,
            classes=["rbmdocs-coverage-regions"],
            numeric_from=1,
        )
    )
    output.append(
        chart_node(
            context.text("report.by_region"),
            [
                Bar(
                    context.region(region),
                    by_region[region].get("traced", 0),
                    by_region[region].get("total", 0),
                )
                for region in region_order(set(by_region))
            ],
        )
    )
    output.extend(_objective_charts(context))
    output.extend(_priority_matrices(context))
    heading = context.text("report.findings")
    output.append(nodes.rubric(heading, heading))
    findings = context.result.findings
    if not findings:
        text = context.text("report.no_findings")
        output.append(nodes.paragraph(text, text))
        return output
    finding_rows: list[list[nodes.Node | str]] = []
    for finding in findings:
        need = context.graph.need(finding.need)
        finding_rows.append(
            [
                finding.rule,
                finding.severity,
                context.link(need, finding.need) if need else finding.need,
                f"{finding.file}:{finding.line}" if finding.line else finding.file,
                finding.message,
            ]
        )
    output.append(
        table(
            [
                context.text("table.rule"),
                context.text("table.severity"),
                context.text("table.need"),
                context.text("table.location"),
                context.text("table.message"),
            ],
            finding_rows,
            classes=["rbmdocs-findings"],
            widths=[1, 1, 2, 3, 6],
        )
    )
    return output


def _objective_charts(context: TableContext) -> list[nodes.Node]:
    supported, strategies = objective_bars(context.graph, lambda need: need.id)
    output: list[nodes.Node] = []
    heading = context.text("report.by_objective")
    output.append(nodes.rubric(heading, heading))
    for key, bars in (
        ("report.chart_supported", supported),
        ("report.chart_strategies", strategies),
    ):
        title = context.text(key)
        output.append(nodes.paragraph(title, title, classes=["rbmdocs-chart-title"]))
        output.append(chart_node(title, bars))
    return output


def _href(context: TableContext, need: NeedRecord) -> str:
    target_doc = docname_of_file(context.env, need.file)
    if target_doc is None:
        return ""
    try:
        page = context.builder.get_relative_uri(context.docname, target_doc)
    except NoUri:
        return ""
    return f"{page}#{need.id}"


def _priority_matrices(context: TableContext) -> list[nodes.Node]:
    """Per region, each DWCP against the immediate outcomes its priorities reach.

    The matrix has a cell for every programme and outcome, so at scale it is by far the
    largest table of the site (a thousand programmes by a hundred outcomes); it is written
    as HTML directly, for the web report, instead of as a hundred thousand docutils nodes.
    Above ``rbmdocs_matrix_cell_limit`` cells a region's matrix would grow with the square
    of the programme cycle, so each programme lists the outcomes it reaches instead: the
    same facts, in space that grows with the links.
    """
    graph = context.graph
    matrix = priority_matrix(graph)
    outcomes = by_id(
        outcome
        for outcome in graph.needs_of_type("immediate-outcome")
        if outcome.fields.get("scope", "country") != "global"
    )
    heading = context.text("report.matrix")
    output: list[nodes.Node] = [nodes.rubric(heading, heading)]
    intro = context.text("report.matrix_intro")
    output.append(nodes.paragraph(intro, intro))
    limit = settings(context.env.config).matrix_cell_limit
    for region in region_order(set(matrix)):
        caption = context.region(region)
        output.append(nodes.rubric(caption, caption, classes=["rbmdocs-matrix-region"]))
        programmes = [
            (dwcp, matrix[region][dwcp_id])
            for dwcp_id in matrix[region]
            if (dwcp := graph.need(dwcp_id)) is not None
        ]
        programmes.sort(key=lambda row: country_order(row[0], context.language))
        cells = len(programmes) * len(outcomes)
        corner = context.text("table.programme")
        if cells > limit:
            note = context.text(
                "report.matrix_compact",
                programmes=f"{len(programmes):,}",
                outcomes=f"{len(outcomes):,}",
                cells=f"{cells:,}",
            )
            reached_rows = [
                (
                    dwcp.title or dwcp.id,
                    _href(context, dwcp),
                    [", ".join(f"{o.id} ({counts[o.id]})" for o in outcomes if counts.get(o.id))],
                )
                for dwcp, counts in programmes
            ]
            columns = [context.text("table.outcomes_reached")]
            html = matrix_html(corner, columns, reached_rows, region)
            # HTML only, like the full matrix: the note says what the table shows
            output.append(nodes.raw("", f"<p>{escape(note)}</p>{html}", format="html"))
            continue
        rows = [
            (
                dwcp.title or dwcp.id,
                _href(context, dwcp),
                [str(counts[o.id]) if counts.get(o.id) else "" for o in outcomes],
            )
            for dwcp, counts in programmes
        ]
        totals = [
            str(sum(1 for counts in matrix[region].values() if counts.get(o.id))) for o in outcomes
        ]
        rows.append((context.text("table.total"), "", totals))
        columns = [o.id.removeprefix("IO_") for o in outcomes]
        output.append(nodes.raw("", matrix_html(corner, columns, rows, region), format="html"))
    return output


TABLE_BUILDERS: dict[str, Callable[[TableContext], list[nodes.Node]]] = {
    "results-framework": build_results_framework,
    "resource-table": build_resource_table,
    "dwcp-status-table": build_dwcp_status_table,
    "dwcp-index": build_dwcp_index,
    "priorities-by-outcome": build_priorities_by_outcome,
    "traceability-report": build_traceability_report,
    **CYCLE_TABLE_BUILDERS,
    "results-across-bienniums": build_results_across_bienniums,
}


def _directive_for(kind: str) -> type[GeneratedContentDirective]:
    if kind == "dwcp-index":
        return DwcpIndexDirective
    return type(
        f"{kind.title().replace('-', '')}Directive", (GeneratedContentDirective,), {"kind": kind}
    )


def fill_generated_content(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: replace each placeholder with its table."""
    placeholders = list(doctree.findall(generated_content))
    if not placeholders:
        return
    result = check_result(app.env)
    texts = need_texts(app.env)
    for node in placeholders:
        if result is None:
            node.replace_self([])
            continue
        context = TableContext(
            result=result,
            env=app.env,
            builder=app.builder,
            docname=docname,
            language=app.config.language or "en",
            options=dict(node["options"]),
            texts=texts,
        )
        node.replace_self(TABLE_BUILDERS[node["kind"]](context))


#: Environments in whose build a document or a DWCP file changed (noted before reading,
#: used after): (a document was added, changed or removed; a DWCP file was).
_changed_this_build: weakref.WeakKeyDictionary[BuildEnvironment, tuple[bool, bool]] = (
    weakref.WeakKeyDictionary()
)


def note_changed_sources(
    _app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """``env-get-outdated``: note whether any document or DWCP file changed; re-read none.

    A table is filled from the graph when its page is resolved for writing
    (``fill_generated_content``), never while the page is read: a page with generated
    content needs writing again when the needs change, not reading again.
    """
    _changed_this_build[env] = (
        bool(added or changed or removed),
        bool(dwcp_data(env).changed_files),
    )
    return []


def generated_pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: pages with generated content follow every change they show.

    The pages returned here are written again from their stored doctrees, their tables
    filled afresh, which keeps them from going stale, as plain sphinx-needs lets them (its
    issue 354), without parsing them again. After a change of documents, every such page;
    after a change of DWCP files alone, the pages whose tables show something of what
    changed (``table_inputs``): a retitled priority leaves the DWCP index as it was.
    """
    documents_changed, dwcp_changed = _changed_this_build.pop(env, (True, True))
    kinds_of = {
        docname: notes.generated_content
        for docname, notes in all_notes(env).items()
        if notes.generated_content and docname in env.all_docs
    }
    if app.builder.format != "html":  # the others write every page, or read no table
        return sorted(kinds_of) if documents_changed or dwcp_changed else []
    views = {view_of(kind) for kinds in kinds_of.values() for kind in kinds}
    changed_views = views_changed(app, env, dwcp_data(env), views)
    if documents_changed or changed_views is None:
        return sorted(kinds_of)
    if not dwcp_changed:
        return []
    return sorted(
        docname
        for docname, kinds in kinds_of.items()
        if any(view_of(kind) in changed_views for kind in kinds)
    )


def setup_tables(app: Sphinx) -> None:
    """Register the table directives, the placeholder node and the events that fill them."""
    app.add_node(generated_content)
    for kind in TABLE_BUILDERS:
        app.add_directive(kind, _directive_for(kind))
    app.connect("doctree-resolved", fill_generated_content)
    # after the programmes are read (dwcp_data, priority 100)
    app.connect("env-get-outdated", note_changed_sources)
    app.connect("env-get-updated", generated_pages_to_rewrite)
    app.connect("build-finished", keep_table_inputs)
