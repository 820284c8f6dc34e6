"""``rbmdocs cycle next BIENNIUM``: the skeleton of the next Programme and Budget.

A P&B is drafted from the one before it. For every immediate outcome the drafting team
needs an outcome strategy and, for every indicator, a target whose baseline is the result
the implementation report gave for the biennium just ended; the recommendations accepted
then must be taken up. This module plans those files from the checked need graph (no
Sphinx here) and writes them, never over a file that exists: the check then names, file
by file and line by line, every target still to be filled in (RBM002).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Final

from rbmdocs.graph.cycle_rules import (
    accepted_in,
    biennium_start,
    follow_up_strategies,
    next_biennium,
    previous_biennium,
)
from rbmdocs.graph.index import NeedGraph
from rbmdocs.graph.model import CheckContext, NeedRecord, natural_key
from rbmdocs.schema import PERIOD_PATTERN, UNFINISHED_STATUSES

#: The headings of an outcome strategy in the standard format of the P&B.
STRATEGY_HEADINGS: Final = (
    "Cooperation with constituents and tripartism",
    "International labour standards",
    "Knowledge generation and sharing",
    "Communication",
    "Partnerships with the UN system and donors",
    "Gender equality",
    "Poverty reduction",
    "Globalization",
)
_AMOUNTS: Final = ("regular_budget", "extra_budgetary", "rbsa")
_YEAR_SUFFIX: Final = re.compile(r"_\d{4}$")
OPEN_LIST: Final = "open_recommendations.md"


class CycleError(Exception):
    """The next biennium cannot be drafted: the message says why and what to do."""


@dataclass(slots=True)
class CycleDraft:
    """The files of the skeleton, by path relative to the project, and what to do next."""

    biennium: str
    previous: str
    folder: str
    files: dict[str, str] = field(default_factory=dict)
    targets: int = 0
    baselines: int = 0
    open_recommendations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _field(record: NeedRecord, name: str) -> str:
    return record.fields.get(name, "")


def _suffix(need_id: str, prefix: str) -> str:
    return need_id.removeprefix(prefix)


def _strategies_of(graph: NeedGraph, biennium: str) -> dict[str, NeedRecord]:
    """The outcome strategy of each immediate outcome for ``biennium`` (the first given)."""
    found: dict[str, NeedRecord] = {}
    for strategy in sorted(
        graph.needs_of_type("outcome-strategy"), key=lambda need: natural_key(need.id)
    ):
        outcomes = list(strategy.links.get("implements") or ())
        if _field(strategy, "biennium") == biennium and len(outcomes) == 1:
            found.setdefault(outcomes[0], strategy)
    return found


def _reported(graph: NeedGraph, indicator_id: str, biennium: str) -> NeedRecord | None:
    """The result reported on the indicator's target of ``biennium``, if there is one."""
    for target in graph.sources_of_type(indicator_id, "sets_target_for", "target"):
        if _field(target, "biennium") != biennium:
            continue
        for result in graph.sources_of_type(target.id, "reports_on", "result"):
            if _field(result, "value"):
                return result
    return None


def _objective_order(graph: NeedGraph, outcome: NeedRecord) -> tuple[object, ...]:
    """Outcomes grouped by their objective, then in ID order: the order of the P&B."""
    seen: set[str] = set()
    current: NeedRecord | None = outcome
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current.type == "strategic-objective":
            return (natural_key(current.id), natural_key(outcome.id))
        targets = sorted(current.links.get("contributes_to") or ())
        current = graph.need(targets[0]) if targets else None
    return ((), natural_key(outcome.id))


def default_folder(previous_files: Iterable[str], biennium: str) -> str:
    """Where the new P&B goes: the previous P&B's folder with the new first year.

    ``programme_budget`` (2010-11) gives ``programme_budget_2012``; ``programme_budget_2012``
    gives ``programme_budget_2014`` for 2014-15.
    """
    folders = sorted({PurePosixPath(name).parts[0] for name in previous_files if "/" in name})
    base = _YEAR_SUFFIX.sub("", folders[0]) if folders else "programme_budget"
    return f"{base}_{biennium_start(biennium)}"


def plan_next(
    graph: NeedGraph, context: CheckContext, biennium: str, folder: str = ""
) -> CycleDraft:
    """The skeleton of the P&B for ``biennium``, drafted from the one before it."""
    start = biennium_start(biennium)
    previous = previous_biennium(biennium)
    if start is None or previous is None:
        raise CycleError(f"{biennium!r} is not a biennium such as 2012-13")
    period = PERIOD_PATTERN.fullmatch(context.spf_period)
    if period is not None and not (int(period[1]) <= start and start + 1 <= int(period[2])):
        raise CycleError(
            f"{biennium} lies outside the SPF period {context.spf_period}: the next Strategic "
            "Policy Framework comes first"
        )
    if previous not in context.bienniums:
        raise CycleError(
            f"there is no P&B for {previous} in the build to draft {biennium} from "
            f"(rbmdocs_bienniums: {', '.join(context.bienniums) or 'none'})"
        )
    strategies = _strategies_of(graph, previous)
    if not strategies:
        raise CycleError(f"the P&B for {previous} has no outcome strategy to draft from")
    if folder and (
        PurePosixPath(folder).is_absolute() or ".." in PurePosixPath(folder).parts or "\\" in folder
    ):
        raise CycleError(
            f"--folder {folder}: give a folder inside the project, relative to conf.py "
            "(such as programme_budget_2014)"
        )
    folder = folder.strip("/") or default_folder(
        (strategy.file for strategy in strategies.values()), biennium
    )
    draft = CycleDraft(biennium, previous, folder)
    outcomes = sorted(
        graph.needs_of_type("immediate-outcome"), key=lambda need: _objective_order(graph, need)
    )
    follow_ups = _follow_ups(graph, context, biennium)
    pages: dict[str, list[str]] = {}
    for outcome in outcomes:
        earlier = strategies.get(outcome.id)
        stem = PurePosixPath(earlier.file).stem if earlier is not None else "other_outcomes"
        lines = pages.setdefault(stem, [])
        lines.extend(_outcome_section(graph, outcome, earlier, draft, follow_ups))
    titles = _page_titles(graph, strategies)
    toctree = []
    for stem, lines in pages.items():
        title = titles.get(stem, stem.replace("_", " ").capitalize())
        header = [f"# {title}", "", f"Strategies, resources and targets for {biennium}.", ""]
        draft.files[f"{folder}/{stem}.md"] = "\n".join(header + lines).rstrip() + "\n"
        toctree.append(stem)
    draft.files[f"{folder}/resources.md"] = _resources_page(biennium)
    draft.files[f"{folder}/{OPEN_LIST}"] = _open_page(graph, draft, follow_ups)
    toctree += ["resources", OPEN_LIST.removesuffix(".md")]
    draft.files[f"{folder}/index.md"] = _index_page(draft, toctree)
    return draft


def _page_titles(graph: NeedGraph, strategies: Mapping[str, NeedRecord]) -> dict[str, str]:
    """Each previous P&B file's stem with the title of its objective, where one is found."""
    titles: dict[str, str] = {}
    for outcome_id, strategy in strategies.items():
        stem = PurePosixPath(strategy.file).stem
        outcome = graph.need(outcome_id)
        objective = None
        seen: set[str] = set()
        current = outcome
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if current.type == "strategic-objective":
                objective = current
                break
            targets = sorted(current.links.get("contributes_to") or ())
            current = graph.need(targets[0]) if targets else None
        if objective is not None and objective.title:
            titles.setdefault(stem, objective.title)
    return titles


def _follow_ups(graph: NeedGraph, context: CheckContext, biennium: str) -> dict[str, list[str]]:
    """Recommendations to take up in ``biennium``, by the outcome whose strategy does so.

    Those accepted in the biennium before (RBM063 asks for them) and those still open or
    in progress, whenever accepted: follow-up goes on until it is done. A recommendation
    goes to the outcomes it addresses, directly or through a strategy; one that a strategy
    of ``biennium`` already follows up is left alone.
    """
    by_outcome: dict[str, list[str]] = {}
    for recommendation in sorted(
        graph.needs_of_type("recommendation"), key=lambda need: natural_key(need.id)
    ):
        if _field(recommendation, "status") == "rejected":
            continue
        accepted = accepted_in(graph, recommendation, context)
        still_open = _field(recommendation, "status") in UNFINISHED_STATUSES
        if not still_open and (not accepted or next_biennium(accepted) != biennium):
            continue
        if follow_up_strategies(graph, recommendation.id, biennium):
            continue
        for outcome_id in _addressed_outcomes(graph, recommendation):
            by_outcome.setdefault(outcome_id, []).append(recommendation.id)
    return by_outcome


def _addressed_outcomes(graph: NeedGraph, recommendation: NeedRecord) -> list[str]:
    found: dict[str, None] = {}
    for target_id in recommendation.links.get("addresses") or ():
        target = graph.need(target_id)
        if target is None:
            continue
        if target.type == "immediate-outcome":
            found[target.id] = None
        elif target.type == "outcome-strategy":
            found.update((outcome, None) for outcome in target.links.get("implements") or ())
    return list(found)


def _outcome_section(
    graph: NeedGraph,
    outcome: NeedRecord,
    earlier: NeedRecord | None,
    draft: CycleDraft,
    follow_ups: Mapping[str, list[str]],
) -> list[str]:
    number = _suffix(outcome.id, "IO_")
    year = biennium_start(draft.biennium)
    # "Employment promotion: strategy for 2010-11" gives the outcome's short name
    name = (
        earlier.title.split(":")[0].strip()
        if earlier is not None and ":" in earlier.title
        else outcome.title or outcome.id
    )
    lines = [f"## Outcome {number}: {name}", ""]
    lines += [
        f"::::{{outcome-strategy}} {name}: strategy for {draft.biennium}",
        f":id: STR_{year}_{number}",
        f":implements: {outcome.id}",
        f":biennium: {draft.biennium}",
    ]
    for amount in _AMOUNTS:
        # the amounts of the biennium before, to be revised with the budget proposals
        lines.append(f":{amount}: {_field(earlier, amount) if earlier is not None else '0'}")
    if follow_ups.get(outcome.id):
        lines.append(f":follows_up: {', '.join(follow_ups[outcome.id])}")
    lines += [
        "",
        f"% What the Office will do in {draft.biennium}; resources above are those of "
        f"{draft.previous}, to be revised.",
        "",
    ]
    for heading in STRATEGY_HEADINGS:
        lines += [f":::{{rubric}} {heading}", ":::", "% to be written", ""]
    lines += ["::::", ""]
    indicators = sorted(
        graph.sources_of_type(outcome.id, "measures", "indicator"),
        key=lambda need: natural_key(need.id),
    )
    for indicator in indicators:
        lines += _target_section(graph, indicator, draft)
    return lines


def _target_section(graph: NeedGraph, indicator: NeedRecord, draft: CycleDraft) -> list[str]:
    year = biennium_start(draft.biennium) or 0
    name = indicator.title or indicator.id
    lines = [
        f":::{{target}} Target for {name[:1].lower()}{name[1:]}, {draft.biennium}",
        f":id: TGT_{year}_{_suffix(indicator.id, 'IND_')}",
        f":sets_target_for: {indicator.id}",
        f":biennium: {draft.biennium}",
        ":value:",
    ]
    result = _reported(graph, indicator.id, draft.previous)
    if result is not None:
        lines.append(f":baseline: {_field(result, 'value')}")
        draft.baselines += 1
    else:
        draft.notes.append(
            f"{indicator.id}: no result reported for {draft.previous}, so its target has no "
            "baseline yet"
        )
    lines += [
        "",
        f"The value the Office aims to reach for {name[:1].lower()}{name[1:]} by the end of "
        f"{year + 1}.",
        ":::",
        "",
    ]
    draft.targets += 1
    return lines


def _resources_page(biennium: str) -> str:
    return (
        f"# Resources by outcome, {biennium}\n\n"
        f"The table is computed at every build from the outcome strategies of {biennium}: "
        "the regular budget, extra-budgetary resources and RBSA of each immediate outcome, "
        "with a subtotal for each strategic objective and a total. Amounts are in US dollars.\n"
        f"\n```{{resource-table}}\n:biennium: {biennium}\n```\n"
    )


def _open_page(graph: NeedGraph, draft: CycleDraft, follow_ups: Mapping[str, list[str]]) -> str:
    """The recommendations still open or in progress, and whether the draft takes them up."""
    lines = [
        f"# Recommendations still open, {draft.biennium}",
        "",
        f"Evaluation recommendations whose follow-up was still open or in progress when the "
        f"P&B for {draft.biennium} was drafted, with the strategies that followed them up and "
        f"those of {draft.biennium} that are to (their `follows_up`). The check (RBM063) "
        f"reports a recommendation accepted in {draft.previous} that no strategy of "
        f"{draft.biennium} takes up.",
        "",
        "| recommendation | status | due | owner | followed up by |",
        "|---|---|---|---|---|",
    ]
    planned: dict[str, list[str]] = {}
    year = biennium_start(draft.biennium)
    for outcome_id, recommendations in follow_ups.items():
        for recommendation_id in recommendations:
            planned.setdefault(recommendation_id, []).append(
                f"STR_{year}_{_suffix(outcome_id, 'IO_')}"
            )
    rows = 0
    for recommendation in sorted(
        graph.needs_of_type("recommendation"), key=lambda need: natural_key(need.id)
    ):
        status = _field(recommendation, "status")
        if status not in UNFINISHED_STATUSES:
            continue
        earlier = [
            f"{strategy.id} ({_field(strategy, 'biennium')})"
            for strategy in sorted(
                graph.sources_of_type(recommendation.id, "follows_up", "outcome-strategy"),
                key=lambda need: natural_key(need.id),
            )
        ]
        by = earlier + planned.get(recommendation.id, [])
        title = recommendation.title.replace("|", "\\|")
        lines.append(
            f"| {recommendation.id}: {title} | {status} | {_field(recommendation, 'due')} | "
            f"{_field(recommendation, 'owner').replace('|', '/')} | {', '.join(by) or '-'} |"
        )
        draft.open_recommendations.append(recommendation.id)
        rows += 1
    if not rows:
        lines = [*lines[:4], "No recommendation is open or in progress."]
    return "\n".join(lines) + "\n"


def _index_page(draft: CycleDraft, toctree: list[str]) -> str:
    return (
        f"# Programme and Budget {draft.biennium}\n\n"
        f"The Programme and Budget for {draft.biennium}, drafted from the one for "
        f"{draft.previous}: for each immediate outcome an outcome strategy and, for each "
        f"indicator, a target whose baseline is the result reported for {draft.previous}.\n\n"
        "```{toctree}\n:maxdepth: 2\n\n" + "\n".join(toctree) + "\n```\n"
    )


def write_draft(source: Path, draft: CycleDraft) -> list[Path]:
    """Write every file of the draft, or none: a file that exists stops it, named.

    Every path is looked at before the first is written, so a refused draft leaves the
    project as it was.
    """
    paths = [source / name for name in draft.files]
    existing = [path for path in paths if path.exists()]
    if existing:
        shown = existing[0].relative_to(source).as_posix()
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise CycleError(
            f"{shown} exists{more}; cycle next never overwrites a file: move it away, or "
            "choose another folder with --folder"
        )
    written = []
    try:
        for path, text in zip(paths, draft.files.values(), strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            written.append(path)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise CycleError(f"cannot write the draft ({error}); nothing was left behind") from None
    return written


def next_steps(draft: CycleDraft) -> list[str]:
    """What the drafting team does after the skeleton is written, in order."""
    return [
        f"add '{draft.biennium}' to rbmdocs_bienniums in conf.py "
        f"(and {draft.biennium!r}: 'draft' to rbmdocs_pb_status)",
        f"add {draft.folder}/index to the toctree of the root page, and an entry for its PDF "
        "to rbmdocs_documents",
        f"fill in the :value: of the {draft.targets} targets and write the strategies; "
        "`rbmdocs check` names each target still empty (RBM002)",
    ]
