"""A small evaluator of the IATI Validator's ruleset (IATI-Rulesets, ``standard.json``).

The ruleset is JSON: for each context (an XPath such as ``/iati-activities/iati-activity``)
rules of named kinds, each with cases whose ``ruleInfo`` gives an ID and a severity. The
IATI Validator evaluates it in JavaScript; this module evaluates, with lxml's XPath 1.0,
the kinds that occur among the error-level rules for activity files, as the ruleset's
SPEC.rst describes them:

``atleast_one``, ``no_more_than_one``, ``one_or_all``, ``unique``, ``date_order``,
``date_now``, ``strict_sum``, ``range``, ``if_then``, ``time_limit``.

``one_or_all`` holds when its ``one`` is there or, failing that, when every element its
``all`` speaks of has it: each narrative its language, each value its currency, each
transaction its sector (the three ``all`` the ruleset uses). A rule of a kind not listed here
whose context matches an element of the file is reported as not evaluated, so that
nothing the export emits escapes the test unnoticed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

RULESET = Path(__file__).parent / "data" / "iati-rulesets" / "standard.json"
EVALUATED_KINDS = frozenset(
    {
        "atleast_one",
        "no_more_than_one",
        "one_or_all",
        "unique",
        "date_order",
        "date_now",
        "strict_sum",
        "range",
        "if_then",
        "time_limit",
    }
)


#: For each ``all`` of ``one_or_all``: the elements that lack it.
_LACKING = {
    "lang": ".//narrative[not(@xml:lang)]",
    "currency": ".//value[not(@currency)]",
    "sector": "transaction[not(sector)]",
}


@dataclass(frozen=True)
class Breach:
    """One rule broken by one element: the rule's ID, its message and where."""

    rule_id: str
    kind: str
    line: int
    message: str


def error_rules(ruleset: Path = RULESET) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(context, kind, case) of every error-level case of the ruleset."""
    for context, kinds in json.loads(ruleset.read_text("utf-8")).items():
        for kind, body in kinds.items():
            for case in body.get("cases", []):
                if case.get("ruleInfo", {}).get("severity") == "error":
                    yield context, kind, case


def _nodes(element: etree._Element, path: str) -> list[Any]:
    found = element.xpath(path)
    return found if isinstance(found, list) else [found]


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    return bool(value)


def _texts(element: etree._Element, path: str) -> list[str]:
    return [str(node).strip() for node in _nodes(element, path) if str(node).strip()]


def _dates(element: etree._Element, path: str, today: datetime.date) -> list[datetime.date]:
    if path == "NOW":
        return [today]
    return [datetime.date.fromisoformat(text[:10]) for text in _texts(element, path)]


def _holds(kind: str, case: dict[str, Any], element: etree._Element, today: datetime.date) -> bool:
    """Whether ``element`` satisfies one case of one kind."""
    paths: list[str] = case.get("paths", [])
    if kind == "atleast_one":
        return any(_nodes(element, path) for path in paths)
    if kind == "no_more_than_one":
        return sum(len(_nodes(element, path)) for path in paths) <= 1
    if kind == "one_or_all":
        return bool(_nodes(element, case["one"])) or not _nodes(element, _LACKING[case["all"]])
    if kind == "unique":
        values = [text for path in paths for text in _texts(element, path)]
        return len(values) == len(set(values))
    if kind == "date_order":
        less = _dates(element, case["less"], today)
        more = _dates(element, case["more"], today)
        return all(first <= second for first in less for second in more)
    if kind == "date_now":
        return all(date <= today for date in _dates(element, case["date"], today))
    if kind == "strict_sum":
        values = [float(text) for path in paths for text in _texts(element, path)]
        return round(sum(values), 2) == float(case["sum"])
    if kind == "range":
        values = [float(text) for path in paths for text in _texts(element, path)]
        return all(case.get("min", -1e308) <= value <= case.get("max", 1e308) for value in values)
    if kind == "if_then":
        return not _truthy(element.xpath(case["if"])) or _truthy(element.xpath(case["then"]))
    if kind == "time_limit":
        starts = _dates(element, case["start"], today)
        ends = _dates(element, case["end"], today)
        return all((end - start).days <= 366 for start in starts for end in ends)
    raise ValueError(kind)


def breaches(
    document: etree._ElementTree, today: datetime.date, ruleset: Path = RULESET
) -> tuple[list[Breach], list[str]]:
    """Every error-level rule the document breaks, and the rules that could not be judged.

    A case's ``condition`` (an XPath) must hold on the element for the case to apply.
    """
    found: list[Breach] = []
    not_evaluated: list[str] = []
    for context, kind, case in error_rules(ruleset):
        elements = _nodes(document.getroot(), context)
        info = case["ruleInfo"]
        if not elements:
            continue
        if kind not in EVALUATED_KINDS:
            not_evaluated.append(f"{info['id']} ({kind}) on {context}")
            continue
        for element in elements:
            condition = case.get("condition")
            if condition and not _truthy(element.xpath(condition)):
                continue
            if not _holds(kind, case, element, today):
                found.append(Breach(info["id"], kind, element.sourceline or 0, info["message"]))
    return found, not_evaluated
