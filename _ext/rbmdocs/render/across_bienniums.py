"""Targets and results of every indicator, biennium by biennium over the SPF period.

The Governing Body reads the SPF as six years in three bienniums: what each P&B promised
for an indicator and what the implementation report then counted. This module assembles
that view from the graph alone (no Sphinx, no labels): which bienniums the SPF period holds,
which of them the build has a P&B or a target for, and for each indicator the target and
results of each. The Sphinx bridge (``sphinx/across_bienniums.py``) turns it into tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rbmdocs.graph import NeedGraph
from rbmdocs.graph.model import NeedRecord, natural_key
from rbmdocs.graph.rules import biennium_years


@dataclass(frozen=True, slots=True)
class BienniumEntry:
    """One indicator in one biennium: the target the P&B set and what was reported on it."""

    biennium: str
    target: NeedRecord | None
    results: tuple[NeedRecord, ...]
    reported: bool
    """The implementation report of this biennium is final: a missing result is missing,
    not still to come."""


@dataclass(frozen=True, slots=True)
class IndicatorAcross:
    """An indicator with one entry per biennium shown, in biennium order."""

    indicator: NeedRecord
    entries: tuple[BienniumEntry, ...]


@dataclass(frozen=True, slots=True)
class OutcomeAcross:
    """An immediate outcome and its indicators."""

    outcome: NeedRecord
    indicators: tuple[IndicatorAcross, ...]


@dataclass(frozen=True, slots=True)
class AcrossBienniums:
    """The whole view: the bienniums shown, those still to come, and the outcomes."""

    bienniums: tuple[str, ...]
    """Bienniums with a P&B in the build or a target: the columns, oldest first."""
    still_to_come: tuple[str, ...]
    """Bienniums of the SPF period with neither: named under the table, not drawn empty."""
    outcomes: tuple[OutcomeAcross, ...]


def period_bienniums(period: str) -> tuple[str, ...]:
    """The bienniums of an SPF period: ``2010-2015`` → 2010-11, 2012-13, 2014-15.

    A period that is not ``YYYY-YYYY`` with an even number of years gives none (the
    configuration check reports it).
    """
    first, _, last = period.partition("-")
    if not (first.isdigit() and last.isdigit()):
        return ()
    start, end = int(first), int(last)
    if end < start or (end - start + 1) % 2:
        return ()
    return tuple(f"{year}-{(year + 1) % 100:02d}" for year in range(start, end, 2))


def _biennium_of(need: NeedRecord) -> str:
    return need.fields.get("biennium", "")


def _sources(graph: NeedGraph, need_id: str, link: str, need_type: str) -> list[NeedRecord]:
    """Once each, in ID order (TGT_1_2 before TGT_1_10)."""
    unique = {source.id: source for source in graph.sources_of_type(need_id, link, need_type)}
    return sorted(unique.values(), key=lambda need: natural_key(need.id))


def _shown_bienniums(
    graph: NeedGraph, spf_period: str, programmed: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(bienniums with a P&B or a target, bienniums of the period with neither)."""
    in_period = period_bienniums(spf_period)
    with_targets = {_biennium_of(target) for target in graph.needs_of_type("target")}
    wanted = {b for b in [*programmed, *with_targets] if biennium_years(b) is not None}
    if in_period:
        wanted &= set(in_period)
    shown = tuple(sorted(wanted))
    return shown, tuple(b for b in in_period if b not in wanted)


def results_across_bienniums(
    graph: NeedGraph,
    spf_period: str,
    programmed: Iterable[str],
    reported: Iterable[str],
    outcome_id: str = "",
) -> AcrossBienniums:
    """Every immediate outcome (or ``outcome_id`` alone) with its targets and results.

    ``programmed`` are the bienniums with a P&B in the build (``rbmdocs_bienniums``),
    ``reported`` those whose implementation report is final (``rbmdocs_reports``). A result
    counts for a biennium when it reports on that biennium's target and names the same
    biennium.
    """
    bienniums, still_to_come = _shown_bienniums(graph, spf_period, programmed)
    reported_set = set(reported)
    outcomes = (
        [need for need in [graph.need(outcome_id)] if need and need.type == "immediate-outcome"]
        if outcome_id
        else sorted(graph.needs_of_type("immediate-outcome"), key=lambda n: natural_key(n.id))
    )
    assembled: list[OutcomeAcross] = []
    for outcome in outcomes:
        indicators: list[IndicatorAcross] = []
        for indicator in _sources(graph, outcome.id, "measures", "indicator"):
            targets: dict[str, NeedRecord] = {}
            for target in _sources(graph, indicator.id, "sets_target_for", "target"):
                targets.setdefault(_biennium_of(target), target)
            entries = []
            for biennium in bienniums:
                target_of = targets.get(biennium)
                results = (
                    tuple(
                        result
                        for result in _sources(graph, target_of.id, "reports_on", "result")
                        if _biennium_of(result) == biennium
                    )
                    if target_of
                    else ()
                )
                entries.append(
                    BienniumEntry(biennium, target_of, results, biennium in reported_set)
                )
            indicators.append(IndicatorAcross(indicator, tuple(entries)))
        assembled.append(OutcomeAcross(outcome, tuple(indicators)))
    return AcrossBienniums(bienniums, still_to_come, tuple(assembled))
