"""Coverage figures: how much of the results framework is traced, from the same indexes."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from rbmdocs.graph.index import NeedGraph
from rbmdocs.graph.model import CheckContext
from rbmdocs.graph.rules import Reach, has_incoming, in_scope, missing_bienniums
from rbmdocs.schema import RULES_BY_ID


@dataclass(slots=True)
class Coverage:
    """Counts for the report: priorities traced, outcomes supported, indicators targeted."""

    priorities_total: int = 0
    priorities_traced: int = 0
    priorities_by_region: dict[str, tuple[int, int]] = field(default_factory=dict)
    """region → (traced, total)."""
    outcomes_total: int = 0
    outcomes_reaching_objective: int = 0
    outcomes_country_scope: int = 0
    outcomes_country_supported: int = 0
    indicators_total: int = 0
    indicators_with_targets: int = 0
    dwcps_by_region_status: dict[str, dict[str, int]] = field(default_factory=dict)
    reported_bienniums: tuple[str, ...] = ()
    """The bienniums whose implementation report is in the build; the rest is about them."""
    targets_reported: int = 0
    targets_with_result: int = 0
    outcomes_with_report: int = 0
    recommendations_by_status: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with sorted keys; report and follow-up figures only when there are any."""
        figures: dict[str, Any] = {
            "dwcps": {
                region: dict(sorted(statuses.items()))
                for region, statuses in sorted(self.dwcps_by_region_status.items())
            },
            "immediate_outcomes": {
                "country_scope": self.outcomes_country_scope,
                "country_supported": self.outcomes_country_supported,
                "reaching_objective": self.outcomes_reaching_objective,
                "total": self.outcomes_total,
            },
            "indicators": {
                "total": self.indicators_total,
                "with_targets": self.indicators_with_targets,
            },
            "priorities": {
                "by_region": {
                    region: {"total": total, "traced": traced}
                    for region, (traced, total) in sorted(self.priorities_by_region.items())
                },
                "total": self.priorities_total,
                "traced": self.priorities_traced,
            },
        }
        if self.reported_bienniums:
            figures["implementation_report"] = {
                "bienniums": list(self.reported_bienniums),
                "outcomes_with_report": self.outcomes_with_report,
                "targets": self.targets_reported,
                "targets_with_result": self.targets_with_result,
            }
        if self.recommendations_by_status:
            figures["recommendations"] = dict(sorted(self.recommendations_by_status.items()))
        return figures


def compute_coverage(graph: NeedGraph, context: CheckContext, reach: Reach) -> Coverage:
    """Every figure in one pass over each need type concerned."""
    coverage = Coverage()
    by_id = graph.by_id
    by_region_status: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for dwcp in graph.needs_of_type("dwcp"):
        fields = dwcp.fields
        by_region_status[fields.get("region") or "unknown"][fields.get("status") or "unknown"] += 1
    coverage.dwcps_by_region_status = {r: dict(c) for r, c in by_region_status.items()}

    traced_by_region: Counter[str] = Counter()
    total_by_region: Counter[str] = Counter()
    # a programme's region, looked up once per programme rather than once per priority
    region_of: dict[str, str] = {}
    for priority in graph.needs_of_type("dwcp-priority"):
        dwcp_ids = priority.links.get("part_of")
        dwcp_id = dwcp_ids[0] if dwcp_ids else ""
        region = region_of.get(dwcp_id)
        if region is None:
            owner = by_id.get(dwcp_id)
            region = (owner.fields.get("region") if owner else "") or "unknown"
            region_of[dwcp_id] = region
        total_by_region[region] += 1
        if reach.priority_reaches_outcome(priority.id):
            traced_by_region[region] += 1
    coverage.priorities_total = sum(total_by_region.values())
    coverage.priorities_traced = sum(traced_by_region.values())
    coverage.priorities_by_region = {
        region: (traced_by_region[region], total) for region, total in total_by_region.items()
    }

    # the figures count what RBM021, RBM026 and RBM023 ask for, through the rules' own tests
    supported_by_cpo = RULES_BY_ID["RBM026"]
    for outcome in graph.needs_of_type("immediate-outcome"):
        coverage.outcomes_total += 1
        if reach.reaches_objective(outcome.id):
            coverage.outcomes_reaching_objective += 1
        if in_scope(outcome, supported_by_cpo):
            coverage.outcomes_country_scope += 1
            if has_incoming(graph, outcome, supported_by_cpo):
                coverage.outcomes_country_supported += 1

    targeted = RULES_BY_ID["RBM023"]
    for indicator in graph.needs_of_type("indicator"):
        coverage.indicators_total += 1
        # with no biennium in the build, an indicator with any target counts as targeted
        if not missing_bienniums(graph, indicator, targeted, context) and (
            context.bienniums or has_incoming(graph, indicator, targeted)
        ):
            coverage.indicators_with_targets += 1
    _report_coverage(graph, context, coverage)
    return coverage


def _has_source_of(
    graph: NeedGraph, need_id: str, link: str, source_type: str, biennium: str
) -> bool:
    return any(
        source.fields.get("biennium", "") == biennium
        for source in graph.sources_of_type(need_id, link, source_type)
    )


def _report_coverage(graph: NeedGraph, context: CheckContext, coverage: Coverage) -> None:
    """Targets with a result and outcomes with a report, in the reported bienniums."""
    statuses: Counter[str] = Counter(
        record.fields.get("status", "") or "unknown"
        for record in graph.needs_of_type("recommendation")
    )
    coverage.recommendations_by_status = dict(statuses)
    reported = tuple(context.reports)
    coverage.reported_bienniums = reported
    if not reported:
        return
    for target in graph.needs_of_type("target"):
        biennium = target.fields.get("biennium", "")
        if biennium in context.reports:
            coverage.targets_reported += 1
            if _has_source_of(graph, target.id, "reports_on", "result", biennium):
                coverage.targets_with_result += 1
    for outcome in graph.needs_of_type("immediate-outcome"):
        if all(
            _has_source_of(graph, outcome.id, "reports_on", "outcome-report", biennium)
            for biennium in reported
        ):
            coverage.outcomes_with_report += 1
