"""The rules of a programme cycle that turns (RBM060-RBM064): one biennium leads to the next.

A P&B is drafted from the one before: its baselines are the results just reported, the
recommendations accepted must show in its strategies, and the country programmes carry
it out only within the years they run. These rules join needs of two bienniums, or a need
and the file it was written in, which the structural rules of ``rules.py`` never do. Each
is one pass over the needs of one type, with dictionary lookups along the links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Final

from rbmdocs.graph.index import NeedGraph
from rbmdocs.graph.model import CheckContext, Hit, NeedRecord
from rbmdocs.schema import PERIOD_PATTERN, RuleSpec

if TYPE_CHECKING:
    from rbmdocs.graph.rules import Reach

_BIENNIUM: Final = re.compile(r"(\d{4})-(\d{2})")
#: A count: "14", "1,200", "1 200"; the first number of a value is its total.
_NUMBER: Final = re.compile(r"\d{1,3}(?:[,\u00a0 ]\d{3})+(?!\d)|\d+")
#: The breakdown of a total, in round or full-width brackets: "(Africa 5, Americas 3)".
_BREAKDOWN: Final = re.compile(r"[(\uff08]([^()\uff08\uff09]*)[)\uff09]")
#: A year in brackets after a value, "(2008-09)" or "(2011)": when, not how many.
_YEARS_ONLY: Final = re.compile(r"\s*\d{4}(?:-\d{2,4})?\s*")


@cache
def biennium_start(text: str) -> int | None:
    """The first year of a well-formed biennium ``YYYY-YY``, else None."""
    match = _BIENNIUM.fullmatch(text.strip())
    if match is None or int(match[2]) != (int(match[1]) + 1) % 100:
        return None
    return int(match[1])


def previous_biennium(biennium: str) -> str | None:
    """The biennium before ``biennium`` (``2012-13`` → ``2010-11``), else None."""
    start = biennium_start(biennium)
    if start is None:
        return None
    return f"{start - 2}-{(start - 1) % 100:02d}"


def next_biennium(biennium: str) -> str | None:
    """The biennium after ``biennium`` (``2010-11`` → ``2012-13``), else None."""
    start = biennium_start(biennium)
    if start is None:
        return None
    return f"{start + 2}-{(start + 3) % 100:02d}"


def _as_int(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@cache
def counted_value(text: str) -> tuple[int, tuple[int, ...]] | None:
    """The total a value starts with and its figures by region, if it gives them.

    "14 member States (Africa 5, Americas 3, ...)" gives (14, (5, 3, ...)); the Chinese
    text, with its breakdown in full-width brackets, gives the same, so a check of a
    translated build agrees with the English one. A value without a leading count gives
    None; a bracket that holds only a year ("(2008-09)") is not a breakdown.
    """
    stripped = text.strip()
    first = _NUMBER.match(stripped)
    if first is None:
        return None
    rest = stripped[first.end() :]
    breakdown: tuple[int, ...] = ()
    bracket = _BREAKDOWN.search(rest)
    if bracket is not None and not _YEARS_ONLY.fullmatch(bracket[1]):
        breakdown = tuple(_as_int(number) for number in _NUMBER.findall(bracket[1]))
    return _as_int(first[0]), breakdown


def same_value(first: str, second: str) -> bool:
    """Whether two values say the same: equal counts (and regional figures), else equal text."""
    counted_first, counted_second = counted_value(first), counted_value(second)
    if counted_first is not None and counted_second is not None:
        total_first, regions_first = counted_first
        total_second, regions_second = counted_second
        if total_first != total_second:
            return False
        return not (regions_first and regions_second) or regions_first == regions_second
    return " ".join(first.split()) == " ".join(second.split())


def _field(record: NeedRecord, name: str) -> str:
    return record.fields.get(name, "")


def _single_target(record: NeedRecord, link: str, graph: NeedGraph) -> NeedRecord | None:
    """The one need a link option names, when it names exactly one that exists."""
    targets = list(record.links.get(link) or ())
    return graph.need(targets[0]) if len(targets) == 1 else None


@cache
def period_years(text: str) -> tuple[int, int] | None:
    """The first and last year of a well-formed period ``YYYY-YYYY``, else None."""
    match = PERIOD_PATTERN.fullmatch(text.strip())
    if match is None or int(match[2]) < int(match[1]):
        return None  # RBM003's to report
    return int(match[1]), int(match[2])


def _rule_within_programme(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM060: a CPO's biennium lies within the years of its country programme.

    The programme and its years are looked up once per priority, not once per CPO.
    """
    by_id = graph.by_id
    programme_of: dict[str, tuple[NeedRecord, int, int] | None] = {}
    for applies in rule.applies_to:
        for cpo in graph.needs_of_type(applies):
            realised = cpo.links.get("realises")
            if not realised or len(realised) != 1:
                continue  # RBM010-012 report these
            priority_id = realised[0]
            if priority_id in programme_of:
                found = programme_of[priority_id]
            else:
                found = programme_of[priority_id] = _programme_years(by_id, priority_id, graph)
            if found is None:
                continue
            start = biennium_start(cpo.fields.get("biennium") or "")
            if start is None:
                continue  # RBM003's to report
            programme, first, last = found
            if start < first or start + 1 > last:
                yield Hit(
                    cpo,
                    f"{cpo.id} is for {_field(cpo, 'biennium')}, outside {programme.id}'s "
                    f"period {_field(programme, 'period')}",
                )


def _programme_years(
    by_id: Mapping[str, NeedRecord], priority_id: str, graph: NeedGraph
) -> tuple[NeedRecord, int, int] | None:
    """The DWCP a priority is part of, with the first and last year of its period."""
    priority = by_id.get(priority_id)
    programme = _single_target(priority, "part_of", graph) if priority is not None else None
    years = period_years(programme.fields.get("period") or "") if programme is not None else None
    if programme is None or years is None:
        return None
    return programme, years[0], years[1]


@cache
def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-3 code of a country (pycountry's list)."""
    import pycountry  # only the rule needs it: a check of Markdown alone never loads it

    return len(code) == 3 and pycountry.countries.get(alpha_3=code) is not None


def _rule_programme_file(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM061: ``data/dwcp/KEN.yaml`` holds DWCP_KEN, and KEN is a country."""
    for applies in rule.applies_to:
        for programme in graph.needs_of_type(applies):
            name = programme.file.rsplit("/", 1)[-1]
            code, dot, suffix = name.rpartition(".")
            if not dot or suffix not in ("yaml", "yml"):
                continue  # written in Markdown: no file name to agree with
            problems = []
            if programme.id != f"DWCP_{code}":
                problems.append(f"its file {name} calls for the ID DWCP_{code}")
            if not is_country_code(code):
                problems.append(
                    f"{code!r} (from the file name) is not an ISO 3166-1 alpha-3 country code"
                )
            if problems:
                yield Hit(programme, f"{programme.id}: {'; '.join(problems)}")


def _results_by_target(graph: NeedGraph) -> dict[str, list[NeedRecord]]:
    """Results by the target they report on, in one pass over the results."""
    found: dict[str, list[NeedRecord]] = {}
    for result in graph.needs_of_type("result"):
        for target_id in result.links.get("reports_on") or ():
            found.setdefault(target_id, []).append(result)
    return found


def _rule_baseline_from_result(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM062: a target starts where the result of the biennium before ended."""
    results = _results_by_target(graph)
    for applies in rule.applies_to:
        for target in graph.needs_of_type(applies):
            previous = previous_biennium(_field(target, "biennium"))
            indicator = _single_target(target, "sets_target_for", graph)
            if previous is None or indicator is None:
                continue
            reported = [
                result
                for earlier in graph.sources_of_type(indicator.id, "sets_target_for", "target")
                if _field(earlier, "biennium") == previous
                for result in results.get(earlier.id, ())
                if _field(result, "value")
            ]
            if not reported:
                continue
            baseline = _field(target, "baseline")
            first = reported[0]
            if not baseline:
                yield Hit(
                    target,
                    f"{target.id} has no baseline; {first.id} reported "
                    f"{_field(first, 'value')!r} for {previous}",
                )
            elif not any(same_value(baseline, _field(result, "value")) for result in reported):
                yield Hit(
                    target,
                    f"{target.id}'s baseline {baseline!r} is not what {first.id} reported for "
                    f"{previous}: {_field(first, 'value')!r}",
                )


def accepted_in(graph: NeedGraph, recommendation: NeedRecord, ctx: CheckContext) -> str:
    """The biennium a recommendation was accepted in: that of the strategies it addresses.

    A recommendation that addresses outcomes only came with the SPF and is taken up from
    the first biennium of the build.
    """
    bienniums = sorted(
        biennium
        for target_id in recommendation.links.get("addresses") or ()
        if (target := graph.need(target_id)) is not None
        and target.type == "outcome-strategy"
        and biennium_start(biennium := _field(target, "biennium")) is not None
    )
    if bienniums:
        return bienniums[0]
    return min(ctx.bienniums, key=lambda b: biennium_start(b) or 0) if ctx.bienniums else ""


def follow_up_strategies(graph: NeedGraph, recommendation_id: str, biennium: str) -> list[str]:
    """The outcome strategies of ``biennium`` whose ``follows_up`` names the recommendation."""
    return [
        strategy.id
        for strategy in graph.sources_of_type(recommendation_id, "follows_up", "outcome-strategy")
        if _field(strategy, "biennium") == biennium
    ]


def _rule_followed_up(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM063: what management accepted shows in the strategies of the next biennium."""
    in_build = set(ctx.bienniums)
    for applies in rule.applies_to:
        for recommendation in graph.needs_of_type(applies):
            if _field(recommendation, "status") == "rejected":
                continue
            accepted = accepted_in(graph, recommendation, ctx)
            following = next_biennium(accepted) if accepted else None
            if following is None or following not in in_build:
                continue
            if follow_up_strategies(graph, recommendation.id, following):
                continue
            message = (
                f"{recommendation.id}, accepted in {accepted}, is followed up by no outcome "
                f"strategy of {following}"
            )
            if ctx.pb_status.get(following) == "final" and rule.when_final:
                yield Hit(recommendation, f"{message}, and that P&B is final", rule.when_final)
            else:
                yield Hit(recommendation, message)


def _rule_region_sum(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM064: "14 member States (Africa 5, ...)" adds up to 14, for value and baseline."""
    for applies in rule.applies_to:
        for target in graph.needs_of_type(applies):
            problems = []
            for name in ("value", "baseline"):
                counted = counted_value(_field(target, name))
                if counted is None or not counted[1]:
                    continue
                total, regions = counted
                if sum(regions) != total:
                    shown = " + ".join(map(str, regions))
                    problems.append(f"its {name} gives {total} in all but {shown} = {sum(regions)}")
            if problems:
                yield Hit(target, f"{target.id}: {'; '.join(problems)}")


CYCLE_RULE_FUNCTIONS: Final = {
    "within-programme": _rule_within_programme,
    "programme-file": _rule_programme_file,
    "baseline-from-result": _rule_baseline_from_result,
    "followed-up": _rule_followed_up,
    "region-sum": _rule_region_sum,
}
