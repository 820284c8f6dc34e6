"""Table-driven cases for every rule: a base framework that passes, a patch, the findings.

Each ``cases/*.yaml`` file holds cases of one rule. A case starts from ``BASE`` (a
complete, valid chain from a DWCP priority to a strategic objective), changes it, and
lists every finding expected, so both "fires" and "does not fire" are checked exactly.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from rbmdocs.graph import CheckContext, NeedRecord, NeedReference, check_needs
from rbmdocs.schema import RULES

CASES = Path(__file__).parent / "cases"

BASE: list[dict[str, Any]] = [
    {"id": "SO_1", "type": "strategic-objective", "file": "spf/so.md", "line": 1},
    {
        "id": "IMO_1",
        "type": "intermediate-outcome",
        "file": "spf/so.md",
        "line": 10,
        "links": {"contributes_to": ["SO_1"]},
    },
    {
        "id": "IO_1",
        "type": "immediate-outcome",
        "file": "spf/io.md",
        "line": 1,
        "fields": {"scope": "country"},
        "links": {"contributes_to": ["IMO_1"]},
    },
    {
        "id": "IND_1_1",
        "type": "indicator",
        "file": "spf/io.md",
        "line": 20,
        "fields": {"unit": "member States", "baseline": "3", "measurement": "two criteria"},
        "links": {"measures": ["IO_1"]},
    },
    {
        "id": "TGT_1_1",
        "type": "target",
        "file": "pb/io.md",
        "line": 1,
        "fields": {"biennium": "2010-11", "value": "5"},
        "links": {"sets_target_for": ["IND_1_1"]},
    },
    {
        "id": "STR_1",
        "type": "outcome-strategy",
        "file": "pb/io.md",
        "line": 10,
        "fields": {
            "biennium": "2010-11",
            "regular_budget": "1000",
            "extra_budgetary": "0",
            "rbsa": "10",
        },
        "links": {"implements": ["IO_1"]},
    },
    {
        "id": "DWCP_KEN",
        "type": "dwcp",
        "file": "data/dwcp/KEN.yaml",
        "line": 1,
        "fields": {
            "country": "Kenya",
            "region": "africa",
            "status": "final",
            "period": "2010-2015",
        },
    },
    {
        "id": "PRI_KEN_1",
        "type": "dwcp-priority",
        "file": "data/dwcp/KEN.yaml",
        "line": 7,
        "links": {"part_of": ["DWCP_KEN"]},
    },
    {
        "id": "CPO_KEN_101",
        "type": "cpo",
        "file": "data/dwcp/KEN.yaml",
        "line": 10,
        "fields": {"biennium": "2010-11"},
        "links": {"realises": ["PRI_KEN_1"], "contributes_to": ["IO_1"]},
    },
]

CONTEXT = {"spf_period": "2010-2015", "bienniums": ["2010-11"]}


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return params


def build_references(case: dict[str, Any]) -> list[NeedReference]:
    """The ``{need}`` references in prose the case adds (``references``)."""
    return [NeedReference(**reference) for reference in case.get("references", [])]


def build_records(case: dict[str, Any]) -> tuple[list[NeedRecord], CheckContext]:
    """The base framework with the case's patch, removals and additions applied."""
    needs = {need["id"]: copy.deepcopy(need) for need in BASE}
    for need_id in case.get("remove", []):
        del needs[need_id]
    for need_id, change in (case.get("patch") or {}).items():
        need = needs[need_id]
        for key in ("fields", "links"):
            for name, value in (change.get(key) or {}).items():
                target = need.setdefault(key, {})
                if value is None:
                    target.pop(name, None)
                else:
                    target[name] = value
        for key in ("id", "type", "line", "file", "id_given"):
            if key in change:
                need[key] = change[key]
    records = [NeedRecord(**need) for need in needs.values()]
    records += [NeedRecord(**need) for need in case.get("add", [])]
    context = {**CONTEXT, **(case.get("context") or {})}
    return records, CheckContext(
        spf_period=context["spf_period"],
        bienniums=tuple(context["bienniums"]),
        severity=context.get("severity", {}),
        reports=context.get("reports", {}),
        build_date=context.get("build_date", ""),
        pb_status=context.get("pb_status", {}),
    )


def test_the_base_framework_passes_every_rule() -> None:
    records, context = build_records({})
    result = check_needs(records, context)
    assert result.findings == []
    assert result.needs == 9
    assert result.links == 8


@pytest.mark.parametrize("case", _load_cases())
def test_rule_case(case: dict[str, Any]) -> None:
    records, context = build_records(case)
    result = check_needs(records, context, build_references(case))
    got = [(finding.rule, finding.need, finding.severity) for finding in result.findings]
    expected = [
        (item["rule"], item["need"], item.get("severity", "error")) for item in case["expect"]
    ]
    assert sorted(got) == sorted(expected)
    for item in case["expect"]:
        finding = next(
            finding
            for finding in result.findings
            if (finding.rule, finding.need) == (item["rule"], item["need"])
            and item.get("line", finding.line) == finding.line
        )
        if "message" in item:
            assert finding.message == item["message"]
        for words in item.get("contains", []):
            assert words in finding.message
        if "line" in item:
            assert finding.line == item["line"]
        if "file" in item:
            assert finding.file == item["file"]
        for words in item.get("hint_contains", []):
            assert words in finding.hint, (finding.hint, words)
        if "hint" in item:
            assert finding.hint == item["hint"]
        assert finding.hint


#: Rules whose hint no case checks yet, and why (empty when every rule is covered).
_HINT_UNCHECKED: dict[str, str] = {}


def test_every_rule_has_a_case_that_checks_its_hint() -> None:
    """A hint tells the writer what to do: each rule's is asserted word for word somewhere."""
    checked = {
        item["rule"]
        for case in (param.values[0] for param in _load_cases())
        for item in case["expect"]
        if item.get("hint") or item.get("hint_contains")
    }
    missing = {rule.rule_id for rule in RULES} - checked - set(_HINT_UNCHECKED)
    assert not missing, f"no case checks the hint of {sorted(missing)}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_findings_do_not_depend_on_input_order(seed: int) -> None:
    case = {
        "patch": {
            "CPO_KEN_101": {"links": {"contributes_to": ["IO_9"]}},
            "IMO_1": {"links": {"contributes_to": ["IO_1"]}},
        },
        "add": [{"id": "so_2", "type": "strategic-objective", "file": "a.md", "line": 3}],
    }
    records, context = build_records(case)
    baseline = check_needs(records, context).findings
    shuffled = records[:]
    random.Random(seed).shuffle(shuffled)
    assert check_needs(shuffled, context).findings == baseline
    assert [f.file for f in baseline] == sorted(f.file for f in baseline)
