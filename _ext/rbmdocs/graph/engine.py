"""The traceability engine: records in, findings and coverage out. No Sphinx here."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass

from rbmdocs.graph.coverage import Coverage, compute_coverage
from rbmdocs.graph.index import NeedGraph
from rbmdocs.graph.model import CheckContext, Finding, NeedRecord, NeedReference
from rbmdocs.graph.rules import RULE_FUNCTIONS, Reach
from rbmdocs.schema import RULES


@dataclass(slots=True)
class CheckResult:
    """Everything one check found: the indexed graph, findings in report order, coverage."""

    graph: NeedGraph
    findings: list[Finding]
    coverage: Coverage

    @property
    def needs(self) -> int:
        """Needs in the graph (a duplicated ID counts once)."""
        return len(self.graph)

    @property
    def links(self) -> int:
        """Links written, counting each target of each link option."""
        return self.graph.link_count

    @property
    def errors(self) -> int:
        """Findings at error level."""
        return sum(1 for finding in self.findings if finding.severity == "error")

    @property
    def warnings(self) -> int:
        """Findings at warning level."""
        return sum(1 for finding in self.findings if finding.severity == "warning")


def check_needs(
    records: Iterable[NeedRecord],
    context: CheckContext,
    references: Iterable[NeedReference] = (),
) -> CheckResult:
    """Check every rule of ``schema.RULES`` over the needs, once each, in linear time.

    ``references`` are the needs named in prose (``{need}`` roles), for RBM014.

    The cyclic garbage collector is paused meanwhile: the check allocates hundreds of
    thousands of small objects and frees none, so collections would only rescan them and
    the time would grow faster than the needs.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(records, context, references)
    finally:
        if collecting:
            gc.enable()


def _check(
    records: Iterable[NeedRecord], context: CheckContext, references: Iterable[NeedReference]
) -> CheckResult:
    graph = NeedGraph(records, references)
    reach = Reach(graph)
    findings: list[Finding] = []
    for rule in RULES:
        severity = context.severity.get(rule.rule_id, rule.severity)
        if severity == "off":
            continue
        overridden = rule.rule_id in context.severity
        for hit in RULE_FUNCTIONS[rule.kind](graph, rule, context, reach):
            record = hit.record
            # a rule may raise its severity for one hit (a final report); conf.py still wins
            hit_severity = hit.severity if hit.severity and not overridden else severity
            line, hint = hit.line or record.line, hit.hint or rule.hint
            message = hit.message
            findings.append(
                Finding(
                    file=record.file,
                    line=line or 0,
                    rule=rule.rule_id,
                    need=record.id,
                    severity=hit_severity,
                    message=message if message.endswith(".") else f"{message}.",
                    hint=hint,
                )
            )
    findings.sort()
    return CheckResult(graph, findings, compute_coverage(graph, context, reach))
