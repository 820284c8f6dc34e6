"""Coverage, trace and the four report formats, on the base framework of the rule cases."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from rbmdocs.graph import check_needs
from rbmdocs.graph.trace import trace_tree
from rbmdocs.report import exit_code, render
from rbmdocs.report.trace_text import render_trace_text
from test_rule_cases import build_records

BROKEN = {
    "patch": {"CPO_KEN_101": {"links": {"contributes_to": ['IO_9, "x"']}}},
    "add": [
        {
            "id": "PRI_KEN_2",
            "type": "dwcp-priority",
            "file": "data/dwcp/KEN.yaml",
            "line": 18,
            "links": {"part_of": ["DWCP_KEN"]},
        },
    ],
}


def _result(case: dict | None = None):  # type: ignore[no-untyped-def]
    records, context = build_records(case or {})
    return check_needs(records, context)


def test_coverage_of_a_full_and_a_broken_framework() -> None:
    full = _result().coverage.as_dict()
    assert full["priorities"] == {
        "by_region": {"africa": {"total": 1, "traced": 1}},
        "total": 1,
        "traced": 1,
    }
    assert full["immediate_outcomes"] == {
        "country_scope": 1,
        "country_supported": 1,
        "reaching_objective": 1,
        "total": 1,
    }
    assert full["indicators"] == {"total": 1, "with_targets": 1}
    assert full["dwcps"] == {"africa": {"final": 1}}
    broken = _result(BROKEN).coverage.as_dict()
    assert broken["priorities"]["traced"] == 0 and broken["priorities"]["total"] == 2
    assert broken["immediate_outcomes"]["country_supported"] == 0


def test_json_has_the_shape_of_the_spec() -> None:
    result = _result(BROKEN)
    document = json.loads(render(result, "json"))
    assert list(document) == ["summary", "findings"]
    assert list(document["summary"]) == ["needs", "links", "errors", "warnings", "coverage"]
    assert document["summary"]["needs"] == 10
    assert document["summary"]["errors"] == 3 and document["summary"]["warnings"] == 1
    first = document["findings"][0]
    assert list(first) == ["rule", "severity", "need", "file", "line", "message", "hint"]
    order = [(f["file"], f["line"], f["rule"]) for f in document["findings"]]
    assert order == sorted(order)


def test_github_annotations_escape_what_they_must() -> None:
    lines = render(_result(BROKEN), "github").splitlines()
    assert lines[0].startswith("::error file=data/dwcp/KEN.yaml,line=7,title=RBM020::PRI_KEN_1")
    dead = next(line for line in lines if "title=RBM010" in line)
    assert 'IO_9, "x"' in dead  # commas in the message are data, not properties
    warning = next(line for line in lines if line.startswith("::warning"))
    assert "title=RBM026" in warning


def test_junit_counts_match_the_findings() -> None:
    result = _result(BROKEN)
    root = ElementTree.fromstring(render(result, "junit").split("\n", 1)[1])
    assert root.get("failures") == str(result.errors)
    suites = {suite.get("name"): suite for suite in root}
    assert suites["RBM020"].get("failures") == "2"
    assert suites["RBM026"].get("failures") == "0"  # a warning, not a failure
    strict_root = ElementTree.fromstring(render(result, "junit", strict=True).split("\n", 1)[1])
    assert strict_root.get("failures") == str(result.errors + result.warnings)


def test_text_groups_by_file_and_ends_with_coverage() -> None:
    text = render(_result(BROKEN), "text")
    lines = text.splitlines()
    assert lines[0] == "data/dwcp/KEN.yaml"
    assert "  error    RBM020  PRI_KEN_1  PRI_KEN_1 reaches no immediate outcome" in lines[1]
    assert lines[2].strip().startswith("hint: ")
    assert "spf/io.md" in lines
    assert "  DWCP priorities reaching an immediate outcome: 0/2 (0%)" in lines
    assert lines[-1] == "10 needs, 9 links: 3 errors, 1 warning; check failed"


def test_exit_codes() -> None:
    assert exit_code(_result(), strict=True) == 0
    warning_only = _result({"remove": ["CPO_KEN_101"], "context": {"severity": {"RBM020": "off"}}})
    assert exit_code(warning_only, strict=False) == 0
    assert exit_code(warning_only, strict=True) == 1
    assert exit_code(_result(BROKEN), strict=False) == 1


def test_trace_down_from_the_objective_reaches_the_country() -> None:
    result = _result()
    text = render_trace_text(trace_tree(result.graph, "SO_1", "down"), ["down"])
    for need in (
        "IMO_1",
        "IO_1",
        "IND_1_1",
        "TGT_1_1",
        "STR_1",
        "CPO_KEN_101",
        "PRI_KEN_1",
        "DWCP_KEN",
    ):
        assert need in text
    # the programme holds the priority: named beside it, not as a step below it
    (priority_line,) = [line for line in text.splitlines() if "PRI_KEN_1" in line]
    assert "(part of DWCP_KEN" in priority_line
    assert "part of: DWCP_KEN" not in text


def test_trace_marks_a_repeated_need_and_a_dead_link() -> None:
    records, context = build_records(
        {"patch": {"CPO_KEN_101": {"links": {"contributes_to": ["IO_1", "IO_404"]}}}}
    )
    graph = check_needs(records, context).graph
    text = render_trace_text(trace_tree(graph, "CPO_KEN_101", "up"), ["up"])
    assert "contributes to: IO_404 (does not exist)" in text
