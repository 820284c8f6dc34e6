"""The check as a GitLab Code Quality report, so findings show in the merge request.

GitLab compares the report of a merge request's pipeline with the one of its target
branch by fingerprint: a finding whose fingerprint is new is shown as introduced, one
that vanished as resolved. The fingerprint is therefore made of what identifies the
finding (rule, need, file, message) and never of its line: a paragraph added above a
need moves the line of every finding below it, and those findings are not new.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from rbmdocs.graph import CheckResult
from rbmdocs.graph.model import Finding

#: Our severities in GitLab's scale (info, minor, major, critical, blocker): an error
#: fails the build, so it is critical; a warning fails it only in strict mode.
SEVERITIES = {"error": "critical", "warning": "minor"}


def fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """A stable ID for a finding: the same finding gets the same one in every run.

    ``occurrence`` tells apart findings that would otherwise share all their fields (the
    same rule on the same need twice in one file), which GitLab requires to be unique.
    """
    identity = "\0".join(
        (finding.rule, finding.need, finding.file, finding.message, str(occurrence))
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def render_codequality(result: CheckResult, strict: bool = False) -> str:
    """A JSON array of Code Quality issues, one per finding, in the check's order."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    issues: list[dict[str, Any]] = []
    for finding in result.findings:
        key = (finding.rule, finding.need, finding.file, finding.message)
        occurrence = seen[key]
        seen[key] += 1
        severity = SEVERITIES.get(finding.severity, "info")
        if strict and finding.severity == "warning":
            severity = "major"  # it fails the check, as an error does
        issues.append(
            {
                "type": "issue",
                "check_name": finding.rule,
                "description": f"{finding.rule} {finding.need}: {finding.message}",
                "content": {"body": f"Hint: {finding.hint}"},
                "categories": ["Bug Risk"],
                "severity": severity,
                "fingerprint": fingerprint(finding, occurrence),
                "location": {
                    "path": finding.file,
                    "lines": {"begin": max(finding.line, 1)},
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
