"""Every rule honours what its declaration says: the types it applies to, the params it reads.

``schema.RULES`` declares for a rule the need types it applies to and the parameters of its
kind; a rule function that looked at other types, or a parameter no function reads, would
make the declaration (and the guide's rule table, generated from it) say what is not so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rbmdocs.graph import check_needs
from rbmdocs.schema import NEED_TYPES_BY_NAME, RULES, RULES_BY_ID
from test_rule_cases import _load_cases, build_records

GRAPH = Path(__file__).parents[2] / "_ext" / "rbmdocs" / "graph"


@pytest.mark.parametrize("case", _load_cases())
def test_findings_fall_on_the_types_a_rule_applies_to(case: dict) -> None:
    records, context = build_records(case)
    types = {record.id: record.type for record in records}
    for finding in check_needs(records, context).findings:
        applies_to = RULES_BY_ID[finding.rule].applies_to
        if applies_to and finding.need in types:
            assert types[finding.need] in applies_to, (finding.rule, finding.need)


def test_every_declared_param_is_read_by_the_rule_functions() -> None:
    read: set[str] = set()
    for path in GRAPH.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            # rule.params["link"] and rule.params.get("scope", ...)
            if (
                isinstance(node, ast.Subscript)
                and _is_params(node.value)
                and isinstance(node.slice, ast.Constant)
            ):
                read.add(str(node.slice.value))
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and _is_params(node.func.value)
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                read.add(str(node.args[0].value))
    declared = {name for rule in RULES for name in rule.params}
    assert declared <= read, f"declared but never read: {sorted(declared - read)}"


def test_every_type_a_rule_applies_to_exists() -> None:
    for rule in RULES:
        for need_type in rule.applies_to:
            assert need_type in NEED_TYPES_BY_NAME, (rule.rule_id, need_type)


def _is_params(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "params"
