"""Report: a check result as text, JSON, GitHub annotations, JUnit XML or Code Quality.

Every format lists the findings in the engine's order (file, line, rule), so two runs on
the same sources print the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby
from xml.etree import ElementTree

from rbmdocs.graph import CheckResult
from rbmdocs.graph.model import Finding
from rbmdocs.report.codequality import render_codequality
from rbmdocs.schema import RECOMMENDATION_STATUSES, REGIONS, RULES


def exit_code(result: CheckResult, strict: bool) -> int:
    """1 when an error remains, or a warning with ``strict``; else 0."""
    if result.errors or (strict and result.warnings):
        return 1
    return 0


def render_json(result: CheckResult, strict: bool = False) -> str:
    """One object: ``summary`` (needs, links, errors, warnings, coverage) and ``findings``."""
    document = {
        "summary": {
            "needs": result.needs,
            "links": result.links,
            "errors": result.errors,
            "warnings": result.warnings,
            "coverage": result.coverage.as_dict(),
        },
        "findings": [finding.as_dict() for finding in result.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def count_of(number: int, noun: str) -> str:
    """``1 error``, ``2 errors``, ``21,244 needs``: a number with its noun."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def finding_lines(findings: list[Finding], shown: int) -> list[str]:
    """The first ``shown`` findings as ``file:line: severity: rule need: message`` lines.

    What ``rbmdocs build`` prints before its counts: each finding with its hint, the way
    compilers print problems (an editor opens the file at the line); past ``shown``, one
    line says how many more there are and where to see them all.
    """
    lines: list[str] = []
    for finding in findings[:shown]:
        where = f"{finding.file}:{finding.line}" if finding.line else finding.file or "(no file)"
        said = f"{finding.severity}: {finding.rule} {finding.need}: {finding.message}"
        lines.append(f"{where}: {said}")
        lines.append(f"  hint: {finding.hint}")
    if len(findings) > shown:
        lines.append(
            f"... and {count_of(len(findings) - shown, 'more finding')}: "
            "`rbmdocs check` lists them all"
        )
    return lines


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole}" + (f" ({100 * part / whole:.0f}%)" if whole else "")


def render_text(result: CheckResult, strict: bool = False) -> str:
    """Findings grouped by file, then the coverage summary and a closing total line."""
    lines: list[str] = []
    for file, findings in groupby(result.findings, key=lambda finding: finding.file):
        lines.append(file or "(no file)")
        for finding in findings:
            lines.append(
                f"  {finding.line:>5}  {finding.severity:<7}  {finding.rule}  {finding.need}  "
                f"{finding.message}"
            )
            lines.append(f"         hint: {finding.hint}")
        lines.append("")
    coverage = result.coverage
    lines.append("Coverage")
    lines.append(
        "  DWCP priorities reaching an immediate outcome: "
        f"{_share(coverage.priorities_traced, coverage.priorities_total)}"
    )
    regions: list[str] = [r for r in REGIONS if r in coverage.priorities_by_region]
    regions += sorted(set(coverage.priorities_by_region) - set(regions))
    for region in regions:
        traced, total = coverage.priorities_by_region[region]
        lines.append(f"    {region:<22} {_share(traced, total)}")
    lines.append(
        "  Immediate outcomes reaching a strategic objective: "
        f"{_share(coverage.outcomes_reaching_objective, coverage.outcomes_total)}"
    )
    lines.append(
        "  Country-scope immediate outcomes with CPO support: "
        f"{_share(coverage.outcomes_country_supported, coverage.outcomes_country_scope)}"
    )
    lines.append(
        "  Indicators with a target for every biennium: "
        f"{_share(coverage.indicators_with_targets, coverage.indicators_total)}"
    )
    if coverage.reported_bienniums:
        reported = ", ".join(coverage.reported_bienniums)
        lines.append(
            f"  Targets with a result ({reported}): "
            f"{_share(coverage.targets_with_result, coverage.targets_reported)}"
        )
        lines.append(
            f"  Immediate outcomes with an outcome report ({reported}): "
            f"{_share(coverage.outcomes_with_report, coverage.outcomes_total)}"
        )
    if coverage.recommendations_by_status:
        by_status = coverage.recommendations_by_status
        order = [*RECOMMENDATION_STATUSES, *sorted(set(by_status) - set(RECOMMENDATION_STATUSES))]
        counts = ", ".join(
            f"{by_status[status]} {status}" for status in order if status in by_status
        )
        lines.append(f"  Evaluation recommendations: {counts}")
    lines.append("")
    verdict = "failed" if exit_code(result, strict) else "passed"
    lines.append(
        f"{count_of(result.needs, 'need')}, {count_of(result.links, 'link')}: "
        f"{count_of(result.errors, 'error')}, {count_of(result.warnings, 'warning')}; "
        f"check {verdict}"
    )
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, strict: bool = False) -> str:
    """GitHub Actions workflow commands: an annotation per finding on its file and line."""
    lines = []
    for finding in result.findings:
        level = "error" if finding.severity == "error" else "warning"
        properties = f"file={_escape_property(finding.file)}"
        if finding.line:
            properties += f",line={finding.line}"
        properties += f",title={_escape_property(finding.rule)}"
        message = _escape_data(f"{finding.message} Hint: {finding.hint}")
        lines.append(f"::{level} {properties}::{message}")
    return "".join(f"{line}\n" for line in lines)


def render_junit(result: CheckResult, strict: bool = False) -> str:
    """JUnit XML: a test suite per rule, a test case per need that breaks it (or one passing)."""
    by_rule: dict[str, list[Finding]] = {rule.rule_id: [] for rule in RULES}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    failures_total = sum(1 for finding in result.findings if finding.severity == "error" or strict)
    root = ElementTree.Element(
        "testsuites",
        name="rbmdocs check",
        tests=str(sum(max(1, len(found)) for found in by_rule.values())),
        failures=str(failures_total),
    )
    for rule_id, findings in by_rule.items():
        failing = [f for f in findings if f.severity == "error" or strict]
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=rule_id,
            tests=str(max(1, len(findings))),
            failures=str(len(failing)),
        )
        if not findings:
            ElementTree.SubElement(suite, "testcase", classname=rule_id, name="all needs")
            continue
        for finding in findings:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=rule_id,
                name=finding.need,
                file=finding.file,
                line=str(finding.line),
            )
            tag = "failure" if finding.severity == "error" or strict else "system-out"
            element = ElementTree.SubElement(case, tag)
            if tag == "failure":
                element.set("message", finding.message)
                element.set("type", finding.severity)
            element.text = f"{finding.file}:{finding.line}: {finding.message}\nhint: {finding.hint}"
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


_RENDERERS: dict[str, Callable[[CheckResult, bool], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
    "codequality": render_codequality,
}

FORMATS = tuple(_RENDERERS)


def render(result: CheckResult, output_format: str, *, strict: bool = False) -> str:
    """The result in one of ``FORMATS``."""
    return _RENDERERS[output_format](result, strict)
