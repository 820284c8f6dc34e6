"""Tests that guard the design: the declarations in ``schema.py`` reach every place that
depends on them, so that a new need type, option, link or choice cannot be half added.

- every need type, option, link direction and choice value has a label in every language
  rbmdocs ships (a missing label used to fall back to its key, silently);
- the JSON schema of a DWCP file names exactly the fields ``schema.py`` gives the DWCP,
  priority and CPO types (the loader checks structure with the first, the rules check
  values with the second);
- every rule of ``schema.py`` is expected by at least one YAML rule case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rbmdocs.render.labels import builtin_labels, english_labels
from rbmdocs.schema import NEED_TYPES, NEED_TYPES_BY_NAME, RULES, ValueFormat

PACKAGE = Path(__file__).parent.parent / "_ext" / "rbmdocs"
SHIPPED_LANGUAGES = ("en", "zh_CN")


def _required_label_keys() -> set[str]:
    keys: set[str] = set()
    for spec in NEED_TYPES:
        keys.add(f"type.{spec.directive}")
        for field in spec.fields:
            keys.add(f"option.{field.name}")
            if field.value_format is ValueFormat.CHOICE:
                keys.update(f"{field.name}.{choice}" for choice in field.choices)
        for link in spec.links:
            keys.update({f"link.{link.name}.out", f"link.{link.name}.in"})
    return keys


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_type_option_link_and_choice_has_a_label(language: str) -> None:
    labels = english_labels() if language == "en" else builtin_labels(language)
    missing = sorted(key for key in _required_label_keys() if not labels.get(key, "").strip())
    assert missing == [], f"{language}: no label for {missing}"


def test_every_english_label_has_its_chinese() -> None:
    """A label added in English alone would show English on a Chinese page."""
    chinese = builtin_labels("zh_CN")
    missing = sorted(key for key in english_labels() if key not in chinese)
    assert missing == []


def test_the_label_check_sees_a_missing_label() -> None:
    """The set of keys is computed from the schema, so a new option is a new key."""
    keys = _required_label_keys()
    assert "option.baseline" in keys and "scope.country" in keys
    assert "link.contributes_to.in" in keys and "type.cpo" in keys


def _schema_fields(schema: dict[str, object], node: dict[str, object]) -> set[str]:
    properties = node.get("properties", {})
    assert isinstance(properties, dict)
    return set(properties)


def test_the_dwcp_json_schema_agrees_with_schema_py() -> None:
    schema = json.loads((PACKAGE / "load/dwcp.schema.json").read_text("utf-8"))
    definitions = schema["$defs"]
    expected = {
        "dwcp": (schema, {"id", "priorities"}),
        "dwcp-priority": (definitions["priority"], {"id", "title", "outcomes"}),
        "cpo": (definitions["cpo"], {"id", "title"}),
    }
    for need_type, (node, structural) in expected.items():
        spec = NEED_TYPES_BY_NAME[need_type]
        declared = {field.name for field in spec.fields}
        declared |= {link.name for link in spec.links if link.written_in_yaml}
        assert _schema_fields(schema, node) == declared | structural, need_type


def test_every_rule_is_expected_by_a_case_and_every_case_names_known_rules() -> None:
    """The YAML rule cases (``tests/graph/cases``) exercise every rule of ``schema.py``."""
    rules = {rule.rule_id for rule in RULES}
    expected: set[str] = set()
    for path in sorted((Path(__file__).parent / "graph" / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")) or []:
            for finding in case.get("expect") or []:
                assert finding["rule"] in rules, f"{path.name}: {case['name']}"
                expected.add(finding["rule"])
    assert rules - expected == set(), f"rules no case expects: {sorted(rules - expected)}"
