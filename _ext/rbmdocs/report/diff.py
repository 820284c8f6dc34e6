"""What a change did to the results framework: two checks compared, for a pull request.

Both sides are complete check results (graph, findings, coverage), so the comparison is of
the framework as the build sees it, not of text lines: a need moved to another file is
not a change, a title edited in the YAML is. Nothing here knows Sphinx or git; the CLI
produces the two results.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rbmdocs.graph import CheckResult
from rbmdocs.graph.model import Finding, NeedRecord
from rbmdocs.render.labels import label
from rbmdocs.schema import NEED_TYPES, NEED_TYPES_BY_NAME, ValueFormat

GateLevel = Literal["error", "warning", "never"]
#: ``--fail-on``: the lowest severity of a new finding that fails the diff.
GATE_LEVELS: tuple[GateLevel, ...] = ("error", "warning", "never")
_SEVERITIES_AT: dict[GateLevel, frozenset[str]] = {
    "error": frozenset({"error"}),
    "warning": frozenset({"error", "warning"}),
    "never": frozenset(),
}

#: Option groups a reviewer looks for by name; every other option is "other".
TARGET_TYPES = frozenset({"target"})
#: Types with amounts (budgets, expenditure): their changes are listed as money, with the sum.
RESOURCE_TYPES = frozenset(
    spec.directive
    for spec in NEED_TYPES
    if any(field_spec.value_format is ValueFormat.AMOUNT for field_spec in spec.fields)
)


@dataclass(slots=True)
class NeedSummary:
    """A need as listed in the diff."""

    id: str
    type: str
    title: str
    file: str


@dataclass(slots=True)
class Change:
    """One value that differs: a title, a link option or an option."""

    need: str
    what: str
    before: str
    after: str


@dataclass(slots=True)
class FindingSummary:
    """A finding as listed in the diff (the line is the one on its own side)."""

    rule: str
    severity: str
    need: str
    location: str
    message: str


@dataclass(slots=True)
class FrameworkDiff:
    """Everything that changed between two revisions of the results framework."""

    before_name: str
    after_name: str
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)
    added: list[NeedSummary] = field(default_factory=list)
    removed: list[NeedSummary] = field(default_factory=list)
    retitled: list[Change] = field(default_factory=list)
    relinked: list[Change] = field(default_factory=list)
    targets: list[Change] = field(default_factory=list)
    resources: list[Change] = field(default_factory=list)
    other_options: list[Change] = field(default_factory=list)
    coverage: list[tuple[str, str, str]] = field(default_factory=list)
    """(measure, before, after) for every coverage figure that changed."""
    findings_introduced: list[FindingSummary] = field(default_factory=list)
    findings_fixed: list[FindingSummary] = field(default_factory=list)

    fail_on: GateLevel = "never"
    """The gate: a new finding at this level or above fails the diff (``never``: no gate)."""

    @property
    def blocking(self) -> list[FindingSummary]:
        """The new findings that trip the gate (none when it is ``never``)."""
        severities = _SEVERITIES_AT[self.fail_on]
        return [f for f in self.findings_introduced if f.severity in severities]

    @property
    def gate_tripped(self) -> bool:
        """True when the change brings in a finding at the gate's level."""
        return bool(self.blocking)

    @property
    def unchanged(self) -> bool:
        """True when the framework, its coverage and its findings are all the same."""
        return not any(
            (
                self.added,
                self.removed,
                self.retitled,
                self.relinked,
                self.targets,
                self.resources,
                self.other_options,
                self.coverage,
                self.findings_introduced,
                self.findings_fixed,
            )
        )


def _summary(record: NeedRecord) -> NeedSummary:
    return NeedSummary(record.id, record.type, record.title, record.file)


def _amount_field(need_type: str, name: str) -> bool:
    spec = NEED_TYPES_BY_NAME.get(need_type)
    field_spec = spec.field_named(name) if spec else None
    return field_spec is not None and field_spec.value_format is ValueFormat.AMOUNT


def _finding_key(finding: Finding) -> tuple[str, str, str]:
    # the line is left out: a finding that only moved is the same finding
    return (finding.rule, finding.need, finding.message)


def _finding_summary(finding: Finding) -> FindingSummary:
    return FindingSummary(
        finding.rule,
        finding.severity,
        finding.need,
        f"{finding.file}:{finding.line}" if finding.line else finding.file,
        finding.message,
    )


def _flat_coverage(result: CheckResult) -> dict[str, str]:
    coverage = result.coverage
    figures = {
        "DWCP priorities that reach an immediate outcome": (
            coverage.priorities_traced,
            coverage.priorities_total,
        ),
        "Immediate outcomes that reach a strategic objective": (
            coverage.outcomes_reaching_objective,
            coverage.outcomes_total,
        ),
        "Country-scope immediate outcomes with a CPO": (
            coverage.outcomes_country_supported,
            coverage.outcomes_country_scope,
        ),
        "Indicators with a target for every biennium": (
            coverage.indicators_with_targets,
            coverage.indicators_total,
        ),
    }
    for region, (traced, total) in sorted(coverage.priorities_by_region.items()):
        region_name = label(f"region.{region}", "en")
        figures[f"DWCP priorities traced, {region_name}"] = (traced, total)
    return {name: f"{part}/{whole}" for name, (part, whole) in figures.items()}


def diff_results(
    before: CheckResult,
    after: CheckResult,
    before_name: str,
    after_name: str,
    fail_on: GateLevel = "never",
) -> FrameworkDiff:
    """Compare two check results need by need, then coverage and findings.

    ``fail_on`` only records the gate: findings that were there before do not count, so a
    pull request is judged on what it brings in, not on what it inherited.
    """
    diff = FrameworkDiff(before_name, after_name, fail_on=fail_on)
    diff.totals = {
        "needs": (before.needs, after.needs),
        "links": (before.links, after.links),
        "errors": (before.errors, after.errors),
        "warnings": (before.warnings, after.warnings),
    }
    old = {record.id: record for record in before.graph}
    new = {record.id: record for record in after.graph}
    diff.added = [_summary(new[need_id]) for need_id in sorted(new.keys() - old.keys())]
    diff.removed = [_summary(old[need_id]) for need_id in sorted(old.keys() - new.keys())]
    for need_id in sorted(old.keys() & new.keys()):
        was, now = old[need_id], new[need_id]
        if was.title != now.title:
            diff.retitled.append(Change(need_id, "title", was.title, now.title))
        for link in sorted(set(was.links) | set(now.links)):
            targets_before = list(was.links.get(link, ()))
            targets_after = list(now.links.get(link, ()))
            if sorted(targets_before) != sorted(targets_after):
                diff.relinked.append(
                    Change(need_id, link, ", ".join(targets_before), ", ".join(targets_after))
                )
        for name in sorted(set(was.fields) | set(now.fields)):
            value_before = str(was.fields.get(name) or "")
            value_after = str(now.fields.get(name) or "")
            if value_before == value_after:
                continue
            change = Change(need_id, name, value_before, value_after)
            if now.type in TARGET_TYPES:
                diff.targets.append(change)
            elif now.type in RESOURCE_TYPES and _amount_field(now.type, name):
                diff.resources.append(change)
            else:
                diff.other_options.append(change)
    coverage_before, coverage_after = _flat_coverage(before), _flat_coverage(after)
    diff.coverage = [
        (name, coverage_before.get(name, "—"), coverage_after.get(name, "—"))
        for name in dict.fromkeys([*coverage_before, *coverage_after])
        if coverage_before.get(name) != coverage_after.get(name)
    ]
    findings_before = {_finding_key(finding): finding for finding in before.findings}
    findings_after = {_finding_key(finding): finding for finding in after.findings}
    diff.findings_introduced = [
        _finding_summary(finding)
        for key, finding in findings_after.items()
        if key not in findings_before
    ]
    diff.findings_fixed = [
        _finding_summary(finding)
        for key, finding in findings_before.items()
        if key not in findings_after
    ]
    return diff


def render_diff_json(diff: FrameworkDiff) -> str:
    """The diff as one JSON object (every list present, empty when nothing changed)."""
    data: dict[str, Any] = asdict(diff)
    data["totals"] = {name: {"before": b, "after": a} for name, (b, a) in diff.totals.items()}
    data["coverage"] = [
        {"measure": name, "before": before, "after": after} for name, before, after in diff.coverage
    ]
    data["unchanged"] = diff.unchanged
    del data["fail_on"]
    data["gate"] = {
        "fail_on": diff.fail_on,
        "tripped": diff.gate_tripped,
        "blocking": [asdict(finding) for finding in diff.blocking],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return (text or "—").replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _signed(before: str, after: str) -> str:
    try:
        change = int(after or 0) - int(before or 0)
    except ValueError:
        return ""
    return f"{change:+,}"


def _money(text: str) -> str:
    return f"{int(text):,}" if text.isdigit() else text


def gate_verdict(diff: FrameworkDiff) -> str:
    """One line on the gate for the top of the summary; empty when there is no gate."""
    if diff.fail_on == "never":
        return ""
    kind = "error" if diff.fail_on == "error" else "error or warning"
    if not diff.gate_tripped:
        return f"**Gate passed** (fails on a new {kind}): this change brings in none."
    blocking = diff.blocking
    rules = ", ".join(sorted({finding.rule for finding in blocking}))
    noun = "finding" if len(blocking) == 1 else "findings"
    return (
        f"**Gate failed** (fails on a new {kind}): this change brings in {len(blocking)} "
        f"new {noun} ({rules}), listed under Findings introduced."
    )


def render_diff_markdown(diff: FrameworkDiff) -> str:
    """The diff as Markdown to paste into a pull request; empty sections are left out."""
    lines = [f"## Results framework: {diff.before_name} → {diff.after_name}", ""]
    totals = " · ".join(
        f"{name} {before:,} → {after:,}" for name, (before, after) in diff.totals.items()
    )
    lines += [totals, ""]
    verdict = gate_verdict(diff)
    if verdict:
        lines += [verdict, ""]
    if diff.unchanged:
        lines += ["No change to the results framework, its coverage or its findings.", ""]
        return "\n".join(lines)

    def section(title: str, count: int, body: list[str]) -> None:
        if count:
            lines.extend([f"### {title} ({count})", "", *body, ""])

    for title, needs in (("Needs added", diff.added), ("Needs removed", diff.removed)):
        rows = [[f"`{n.id}`", n.type, n.title, n.file] for n in needs]
        section(title, len(needs), _table(["ID", "Type", "Title", "File"], rows))
    section(
        "Retitled",
        len(diff.retitled),
        _table(
            ["ID", "Before", "After"], [[f"`{c.need}`", c.before, c.after] for c in diff.retitled]
        ),
    )
    for title, what, changes in (
        ("Re-linked", "Link", diff.relinked),
        ("Targets changed", "Option", diff.targets),
        ("Other options changed", "Option", diff.other_options),
    ):
        rows = [[f"`{c.need}`", c.what, c.before, c.after] for c in changes]
        section(title, len(changes), _table(["ID", what, "Before", "After"], rows))
    money_rows = [
        [f"`{c.need}`", c.what, _money(c.before), _money(c.after), _signed(c.before, c.after)]
        for c in diff.resources
    ]
    section(
        "Resources and expenditure changed (US$)",
        len(diff.resources),
        _table(["ID", "Option", "Before", "After", "Change"], money_rows),
    )
    section(
        "Coverage",
        len(diff.coverage),
        _table(["Measure", "Before", "After"], [list(row) for row in diff.coverage]),
    )
    for title, findings in (
        ("Findings introduced", diff.findings_introduced),
        ("Findings fixed", diff.findings_fixed),
    ):
        section(
            title,
            len(findings),
            [
                f"- **{f.rule}** {f.severity} `{f.need}` at `{f.location}`: {f.message}"
                for f in findings
            ],
        )
    return "\n".join(lines)
