"""One function per rule kind of ``schema.RuleKind``; each is one pass over the indexes.

A rule function yields ``Hit(need, message)``; the engine adds the rule, severity,
location and hint. Path rules share memo tables (``Reach``) so that no need is walked
twice, whatever the depth of the chains: the whole check stays O(needs + links).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from rbmdocs.graph.index import NeedGraph
from rbmdocs.graph.model import CheckContext, Hit, NeedRecord, natural_key
from rbmdocs.graph.suggest import closest_ids, did_you_mean
from rbmdocs.schema import (
    ID_PATTERN,
    NEED_TYPES_BY_NAME,
    PERIOD_PATTERN,
    UNFINISHED_STATUSES,
    FieldSpec,
    LinkSpec,
    RuleKind,
    RuleSpec,
    ValueFormat,
)


def more_hint(rule: RuleSpec, more: str) -> str:
    """The rule's hint, then what this hit adds to it (the file where the fix goes)."""
    return f"{rule.hint} {more}".rstrip()


RuleFunction = Callable[[NeedGraph, RuleSpec, CheckContext, "Reach"], Iterator[Hit]]

_BIENNIUM = re.compile(r"(\d{4})-(\d{2})")
_DIGITS = re.compile(r"\d+")
_YEAR = re.compile(r"\d{4}")
_MAX_CHAIN_WORDS = 4


def _article(type_name: str) -> str:
    title = (
        NEED_TYPES_BY_NAME[type_name].title.lower()
        if type_name in NEED_TYPES_BY_NAME
        else type_name
    )
    return f"an {title}" if title[:1] in "aeiou" else f"a {title}"


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


@cache
def biennium_years(text: str) -> tuple[int, int] | None:
    """The years of a well-formed biennium (``2010-11``), else None."""
    match = _BIENNIUM.fullmatch(text)
    if match is None:
        return None
    first = int(match[1])
    if int(match[2]) != (first + 1) % 100:
        return None
    return first, first + 1


def value_problem(spec: FieldSpec, value: str) -> str:
    """Why ``value`` is not a valid value of the option, or "" when it is."""
    kind = spec.value_format
    if kind is ValueFormat.CHOICE and value not in spec.choices:
        return f"{spec.name} {value!r} is not one of {', '.join(spec.choices)}"
    if kind is ValueFormat.BIENNIUM and biennium_years(value) is None:
        return f"biennium {value!r} is not YYYY-YY with consecutive years (e.g. 2010-11)"
    if kind is ValueFormat.PERIOD:
        match = PERIOD_PATTERN.fullmatch(value)
        if match is None:
            return f"{spec.name} {value!r} is not YYYY-YYYY"
        if int(match[2]) < int(match[1]):
            return f"{spec.name} {value!r} ends before it starts"
    if kind is ValueFormat.AMOUNT and _DIGITS.fullmatch(value) is None:
        return f"{spec.name} {value!r} is not a whole non-negative number of US$ (digits only)"
    if kind is ValueFormat.YEAR and _YEAR.fullmatch(value) is None:
        return f"{spec.name} {value!r} is not a year YYYY"
    if kind is ValueFormat.DATE and iso_date(value) is None:
        return f"{spec.name} {value!r} is not a date YYYY-MM-DD"
    return ""


@cache
def iso_date(text: str) -> datetime.date | None:
    """The date of ``YYYY-MM-DD`` text that names a real day, else None."""
    if len(text) != 10:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(slots=True)
class LinkProblems:
    """What is wrong with one need's links, found in the one pass RBM010-012 share."""

    dead: list[str] = field(default_factory=list)
    wrong_type: list[str] = field(default_factory=list)
    bad_count: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Reach:
    """Memo tables for the path rules, filled on first use, shared by rules and coverage."""

    graph: NeedGraph
    _reaching: set[str] | None = None
    _link_problems: dict[str, LinkProblems] | None = None
    _upward_break: dict[str, str] = field(default_factory=dict)
    _traced_priorities: set[str] | None = None
    _homes: dict[tuple[str, str, str, str, str], str] = field(default_factory=dict)

    def home_of(self, record: NeedRecord, link: str, source_type: str, biennium: str) -> str:
        """The file where the ``source_type`` need missing from ``record`` goes, or "".

        Where a missing need goes is where its kind already is, as the project's own pages
        say, with no path known in advance: first where the needs beside ``record`` (of its
        type, in its file) have theirs (the outcome strategies of the outcomes of one SPF
        page are on one P&B page), else where most needs of the kind are; those of
        ``biennium`` first. "" when no need of the kind exists yet.
        """
        key = (record.file, record.type, link, source_type, biennium)
        if key not in self._homes:
            graph = self.graph
            near: list[NeedRecord] = []
            for neighbour in graph.needs_of_type(record.type):
                if neighbour.file == record.file and neighbour.id != record.id:
                    near += graph.sources_of_type(neighbour.id, link, source_type)
            self._homes[key] = _most_common_file(near, biennium) or _most_common_file(
                graph.needs_of_type(source_type), biennium
            )
        return self._homes[key]

    def where_to_add(
        self,
        record: NeedRecord,
        link: str,
        source_type: str,
        ctx: CheckContext,
        biennium: str = "",
    ) -> str:
        """The sentence "Write it in FILE, where ..." when the fix goes in another file.

        The file's document is named too when ``rbmdocs_documents`` lists one whose folder
        holds it. Not for a need nested in YAML (a CPO): it goes in its country's file.
        """
        spec = NEED_TYPES_BY_NAME[source_type]
        if any(not link_spec.written_in_yaml for link_spec in spec.links):
            return ""
        home = self.home_of(record, link, source_type, biennium)
        if not home or home == record.file:
            return ""
        kind = _plural(spec.title.lower())
        of = f" of {biennium}" if biennium else ""
        document = next(
            (title for folder, title in ctx.documents.items() if home.startswith(folder)), ""
        )
        where = f"{home} ({document})" if document else home
        return f"Write it in {where}, where the other {kind}{of} are."

    def reaches_objective(self, need_id: str) -> bool:
        """Whether the need reaches a strategic objective through contributes_to."""
        if self._reaching is None:
            self._reaching = self._needs_reaching_objectives()
        return need_id in self._reaching

    def _needs_reaching_objectives(self) -> set[str]:
        """One breadth-first search backwards from every objective: exact even in cycles."""
        graph = self.graph
        reaching = {record.id for record in graph.needs_of_type("strategic-objective")}
        frontier = list(reaching)
        while frontier:
            need_id = frontier.pop()
            for source in graph.sources(need_id, "contributes_to"):
                if source not in reaching:
                    reaching.add(source)
                    frontier.append(source)
        return reaching

    def link_problems(self) -> dict[str, LinkProblems]:
        """Dead links, wrong target types and wrong counts of every need, in one pass."""
        if self._link_problems is not None:
            return self._link_problems
        graph = self.graph
        by_id = graph.by_id
        problems: dict[str, LinkProblems] = {}
        for record in graph:
            if record.type not in NEED_TYPES_BY_NAME:
                continue
            links = record.links
            found: LinkProblems | None = None
            for link, allowed in _allowed_targets(record.type):
                targets = links.get(link.name) or ()
                count = len(targets)
                if count < link.min_count or (
                    link.max_count is not None and count > link.max_count
                ):
                    found = found or LinkProblems()
                    found.bad_count.append(
                        f":{link.name}: has {count} target{'s' * (count != 1)}, "
                        f"{link.count_text()} allowed"
                    )
                for target in targets:
                    target_record = by_id.get(target)
                    if target_record is None:
                        found = found or LinkProblems()
                        found.dead.append(f"{link.name} {target}")
                    elif target_record.type not in allowed:
                        found = found or LinkProblems()
                        found.wrong_type.append(
                            f"{link.name} {target} is {_article(target_record.type)}, "
                            f"not {' or '.join(_article(t) for t in link.targets)}"
                        )
            if found is not None:
                problems[record.id] = found
        self._link_problems = problems
        return problems

    def upward_break(self, need_id: str, depth: int = 0) -> str:
        """Where the contributes_to chain from ``need_id`` stops, in words."""
        cached = self._upward_break.get(need_id)
        if cached is not None:
            return cached
        record = self.graph.need(need_id)
        targets = list(record.links.get("contributes_to") or ()) if record else []
        if not targets:
            text = "contributes to nothing"
        else:
            target = sorted(targets)[0]
            target_record = self.graph.need(target)
            if target_record is None:
                text = f"contributes to {target}, which does not exist"
            elif target == need_id or depth >= _MAX_CHAIN_WORDS:
                text = f"contributes to {target}, which leads nowhere further"
            elif not target_record.links.get("contributes_to"):
                text = (
                    f"contributes to {target}, which contributes to nothing"
                    if target_record.type != "strategic-objective"
                    else f"contributes to {target}"
                )
                if target_record.type not in ("intermediate-outcome", "immediate-outcome"):
                    text = f"contributes to {target}, which is {_article(target_record.type)}"
            else:
                text = f"contributes to {target}, which {self.upward_break(target, depth + 1)}"
        self._upward_break[need_id] = text
        return text

    def priority_reaches_outcome(self, priority_id: str) -> bool:
        """Whether a CPO realising the priority contributes to an existing immediate outcome."""
        if self._traced_priorities is None:
            self._traced_priorities = self._priorities_reaching_outcomes()
        return priority_id in self._traced_priorities

    def _priorities_reaching_outcomes(self) -> set[str]:
        """One pass over the CPOs: what those that reach an immediate outcome realise."""
        graph = self.graph
        by_id = graph.by_id
        traced: set[str] = set()
        for cpo in graph.needs_of_type("cpo"):
            links = cpo.links
            for target in links.get("contributes_to") or ():
                record = by_id.get(target)
                if record is not None and record.type == "immediate-outcome":
                    traced.update(links.get("realises") or ())
                    break
        return traced

    def cpos_of(self, priority_id: str) -> list[NeedRecord]:
        """The CPOs that realise a priority."""
        graph = self.graph
        found = []
        for source in graph.sources(priority_id, "realises"):
            record = graph.need(source)
            if record is not None and record.type == "cpo":
                found.append(record)
        return found

    def cpo_break(self, cpo: NeedRecord) -> str:
        """Why one CPO leads to no immediate outcome."""
        targets = list(cpo.links.get("contributes_to") or ())
        if not targets:
            return "contributes to nothing"
        parts = []
        for target in targets:
            record = self.graph.need(target)
            if record is None:
                parts.append(f"{target}, which does not exist")
            else:
                parts.append(f"{target}, which is {_article(record.type)}")
        return f"points to {_listing(parts)}"


def _plural(noun: str) -> str:
    """The plural of a type's title: "outcome strategy" → "outcome strategies"."""
    return f"{noun[:-1]}ies" if noun.endswith("y") else f"{noun}s"


def _most_common_file(records: list[NeedRecord], biennium: str) -> str:
    """The file holding most of ``records`` (of ``biennium`` first, if any are); or ""."""
    of_biennium = [
        record for record in records if biennium and record.fields.get("biennium", "") == biennium
    ]
    counts: dict[str, int] = {}
    for record in of_biennium or records:
        counts[record.file] = counts.get(record.file, 0) + 1
    return min(counts, key=lambda file: (-counts[file], file)) if counts else ""


@cache
def _prefix(type_name: str) -> str:
    """The ID prefix of a type; "" for a type we do not declare (any prefix will do)."""
    spec = NEED_TYPES_BY_NAME.get(type_name)
    return spec.prefix if spec else ""


def _rule_id_format(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    fullmatch = ID_PATTERN.fullmatch
    for record in graph.records:
        if fullmatch(record.id) is not None and record.id.startswith(_prefix(record.type)):
            continue
        spec = NEED_TYPES_BY_NAME.get(record.type)
        if fullmatch(record.id) is None:
            yield Hit(
                record,
                (
                    f"{record.id!r} is not a valid ID: use upper-case ASCII letters, digits and "
                    "underscores, starting with a letter"
                ),
            )
        elif spec is not None and not record.id.startswith(spec.prefix):
            yield Hit(
                record,
                f"{record.id} does not start with {spec.prefix}, "
                f"the prefix of {_article(record.type)}",
            )


@cache
def _allowed_targets(type_name: str) -> tuple[tuple[LinkSpec, frozenset[str]], ...]:
    """The link options of a type, each with the set of types it may point to."""
    return tuple((link, frozenset(link.targets)) for link in NEED_TYPES_BY_NAME[type_name].links)


@cache
def _required_fields(type_name: str) -> tuple[str, ...]:
    spec = NEED_TYPES_BY_NAME[type_name]
    return tuple(field_spec.name for field_spec in spec.fields if field_spec.required)


def _rule_required(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    for record in graph:
        if record.type not in NEED_TYPES_BY_NAME:
            continue
        fields = record.fields
        missing = [
            f":{name}:"
            for name in _required_fields(record.type)
            if not (value := fields.get(name)) or not value.strip()
        ]
        if not record.id_given:
            missing.insert(0, f":id: (sphinx-needs made up {record.id})")
        if missing:
            yield Hit(record, f"{record.id} is missing {_listing(missing)}")


@cache
def _checked_fields(type_name: str) -> tuple[tuple[FieldSpec, dict[str, str]], ...]:
    """The options of a type whose values have a format, each with a memo of verdicts.

    Values repeat across tens of thousands of needs (every CPO of a biennium says
    ``2010-11``), so each distinct value is judged once per option.
    """
    spec = NEED_TYPES_BY_NAME[type_name]
    return tuple(
        (field_spec, {})
        for field_spec in spec.fields
        if field_spec.value_format is not ValueFormat.TEXT
    )


def _rule_value_format(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    for record in graph:
        if record.type not in NEED_TYPES_BY_NAME:
            continue
        fields = record.fields
        problems = []
        faulty = []
        for field_spec, verdicts in _checked_fields(record.type):
            value = fields.get(field_spec.name)
            if not value:
                continue
            problem = verdicts.get(value)
            if problem is None:
                stripped = value.strip()
                problem = value_problem(field_spec, stripped) if stripped else ""
                verdicts[value] = problem
            if problem:
                problems.append(problem)
                faulty.append(field_spec.name)
        if problems:
            lines = record.field_lines
            line = next((lines[name] for name in faulty if name in lines), None)
            yield Hit(record, f"{record.id}: {'; '.join(problems)}", line=line)


def _rule_duplicate(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    for later, first in graph.duplicates:
        where = f"{first.file}:{first.line}" if first.line else first.file
        yield Hit(later, f"{later.id} is already the ID of {_article(first.type)} at {where}")


def _link_rule(attribute: str, template: str) -> RuleFunction:
    """A rule over one kind of link problem of the shared pass (RBM011, RBM012).

    RBM010 has a function of its own (``_rule_link_exists``): its hint names the IDs
    each dead target may have meant.
    """

    def rule_function(
        graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
    ) -> Iterator[Hit]:
        for need_id, problems in reach.link_problems().items():
            found: list[str] = getattr(problems, attribute)
            record = graph.need(need_id)
            if found and record is not None:
                yield Hit(record, template.format(need=need_id, problems="; ".join(found)))

    return rule_function


def allowed_target_ids(graph: NeedGraph, need_type: str, link_name: str) -> list[str]:
    """The IDs of the needs a ``link_name`` of a ``need_type`` may point to, in ID order.

    What the editor offers to complete a link and what a dead link is compared with.
    """
    spec = NEED_TYPES_BY_NAME.get(need_type)
    link = next((link for link in spec.links if link.name == link_name), None) if spec else None
    if link is None:
        return []
    ids = [record.id for target in link.targets for record in graph.needs_of_type(target)]
    return sorted(ids, key=natural_key)


def dead_link_suggestions(graph: NeedGraph, record: NeedRecord) -> list[tuple[str, list[str]]]:
    """For each dead target of ``record``: the closest IDs among those its link allows."""
    by_id = graph.by_id
    found: list[tuple[str, list[str]]] = []
    for link_name, targets in record.links.items():
        for target in targets:
            if target in by_id:
                continue
            found.append(
                (target, closest_ids(target, allowed_target_ids(graph, record.type, link_name)))
            )
    return found


def _rule_link_exists(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM010; the hint names the IDs of the allowed type each dead target may have meant."""
    for need_id, problems in reach.link_problems().items():
        record = graph.need(need_id)
        if not problems.dead or record is None:
            continue
        message = f"{need_id} links to what does not exist: {_listing(problems.dead)}"
        guesses = [
            did_you_mean(target, suggestions)
            for target, suggestions in dead_link_suggestions(graph, record)
            if suggestions
        ]
        if guesses:
            yield Hit(record, message, hint=" ".join([*guesses, rule.hint]))
        else:
            yield Hit(record, message)


def _rule_reference_exists(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM014: a ``{need}`` reference in prose names no need; reported where it is written."""
    by_id = graph.by_id
    for reference in graph.references:
        if reference.target in by_id:
            continue
        where = NeedRecord(reference.target, "", reference.file, reference.line)
        message = f"the reference {{need}}`{reference.target}` names no need"
        suggestions = closest_ids(reference.target, by_id)
        if suggestions:
            hint = f"{did_you_mean(reference.target, suggestions)} {rule.hint}"
            yield Hit(where, message, hint=hint)
        else:
            yield Hit(where, message)


_rule_link_target_type = _link_rule("wrong_type", "{need}: {problems}")
_rule_link_count = _link_rule("bad_count", "{need}: {problems}")


def _rule_cycle(graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach) -> Iterator[Hit]:
    link = rule.params.get("link", "contributes_to")
    for component in strongly_connected(graph, link):
        ordered = _cycle_order(graph, component, link)
        first = min(component)
        record = graph.need(first)
        if record is None:
            continue
        start = ordered.index(first)
        ordered = ordered[start:] + ordered[:start]
        path = " → ".join([*ordered, ordered[0]])
        yield Hit(record, f"{link} links form a cycle: {path}")


def strongly_connected(graph: NeedGraph, link: str) -> list[set[str]]:
    """The cycles of ``link``: Tarjan's components of more than one need, or with a self-loop.

    Iterative, so that a chain of 100,000 needs does not hit Python's recursion limit.
    """
    candidates = _needs_that_may_cycle(graph, link)
    index_of: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root_id in sorted(candidates):
        if root_id in index_of:
            continue
        work: list[tuple[str, int]] = [(root_id, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index_of[node] = lowlink[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = [t for t in graph.targets(node, link) if t in candidates]
            recurse = False
            while position < len(targets):
                target = targets[position]
                position += 1
                if target not in index_of:
                    work.append((node, position))
                    work.append((target, 0))
                    recurse = True
                    break
                if target in on_stack:
                    lowlink[node] = min(lowlink[node], index_of[target])
            if recurse:
                continue
            if lowlink[node] == index_of[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.targets(node, link):
                    components.append(component)
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
    return components


def _needs_that_may_cycle(graph: NeedGraph, link: str) -> set[str]:
    """Needs left after peeling those whose links all lead out of any cycle (Kahn).

    In a sound framework this leaves nothing, so Tarjan's walk costs nothing; it then
    runs only over the needs that are in a cycle or lead into one.
    """
    # only a need with links both in and out can be on a cycle (never a CPO, say)
    out_degree: dict[str, int] = {}
    for need_id in graph.linked_to(link):
        existing = sum(1 for target in graph.targets(need_id, link) if target in graph)
        if existing:
            out_degree[need_id] = existing
    done = sorted(
        {
            target
            for need_id in out_degree
            for target in graph.targets(need_id, link)
            if target in graph and target not in out_degree
        }
    )
    while done:
        need_id = done.pop()
        for source in graph.sources(need_id, link):
            remaining = out_degree.get(source)
            if remaining is None:
                continue
            if remaining == 1:
                del out_degree[source]
                done.append(source)
            else:
                out_degree[source] = remaining - 1
    return set(out_degree)


def _cycle_order(graph: NeedGraph, component: set[str], link: str) -> list[str]:
    """The members in the order the links go round, starting from the smallest ID."""
    start = min(component)
    order = [start]
    seen = {start}
    current = start
    while True:
        following = sorted(
            t for t in graph.targets(current, link) if t in component and t not in seen
        )
        if not following:
            break
        current = following[0]
        order.append(current)
        seen.add(current)
    order.extend(sorted(component - seen))
    return order


def _rule_path_down(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    for applies in rule.applies_to:
        for priority in graph.needs_of_type(applies):
            if reach.priority_reaches_outcome(priority.id):
                continue
            cpos = sorted(reach.cpos_of(priority.id), key=lambda cpo: cpo.id)
            prefix = f"{priority.id} reaches no immediate outcome"
            if not cpos:
                yield Hit(priority, f"{prefix}: no CPO realises it")
            elif len(cpos) == 1:
                yield Hit(
                    priority, f"{prefix}: its only CPO, {cpos[0].id}, {reach.cpo_break(cpos[0])}"
                )
            else:
                parts = [f"{cpo.id} ({reach.cpo_break(cpo)})" for cpo in cpos]
                yield Hit(priority, f"{prefix}: its CPOs {_listing(parts)}")


def _rule_path_up(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    for applies in rule.applies_to:
        for outcome in graph.needs_of_type(applies):
            if not reach.reaches_objective(outcome.id):
                yield Hit(
                    outcome,
                    (
                        f"{outcome.id} reaches no strategic objective: "
                        f"it {reach.upward_break(outcome.id)}"
                    ),
                )


def in_scope(record: NeedRecord, rule: RuleSpec) -> bool:
    """Whether a ``has_incoming`` rule (RBM026) asks anything of ``record``: its ``scope``."""
    scope = rule.params.get("scope")
    if scope is None:
        return True
    scope_spec = NEED_TYPES_BY_NAME[record.type].field_named("scope")
    default_scope = scope_spec.default if scope_spec else None
    return (record.fields.get("scope", "") or default_scope) == scope


def has_incoming(graph: NeedGraph, record: NeedRecord, rule: RuleSpec) -> bool:
    """Whether a need of the rule's ``source_type`` links to ``record`` by its ``link``.

    Shared by the rule (RBM026) and the coverage figures, which count what it asks for.
    """
    return bool(graph.sources_of_type(record.id, rule.params["link"], rule.params["source_type"]))


def _rule_has_incoming(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    link, source_type = rule.params["link"], rule.params["source_type"]
    scope = rule.params.get("scope")
    source_title = NEED_TYPES_BY_NAME[source_type].title.lower()
    for applies in rule.applies_to:
        for record in graph.needs_of_type(applies):
            if in_scope(record, rule) and not has_incoming(graph, record, rule):
                scope_words = f" (scope: {scope})" if scope else ""
                yield Hit(
                    record,
                    f"{record.id}{scope_words} has no {source_title} whose {link} names it",
                    hint=more_hint(rule, reach.where_to_add(record, link, source_type, ctx)),
                )


def missing_bienniums(
    graph: NeedGraph, record: NeedRecord, rule: RuleSpec, ctx: CheckContext
) -> list[str]:
    """The bienniums of the build for which nothing of the rule's kind names ``record``.

    Shared by the ``per_biennium`` rules (RBM023, RBM024) and the coverage figures.
    """
    link, source_type = rule.params["link"], rule.params["source_type"]
    covered = {
        source.fields.get("biennium", "")
        for source in graph.sources_of_type(record.id, link, source_type)
    }
    return [biennium for biennium in ctx.bienniums if biennium not in covered]


def _rule_per_biennium(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    if not ctx.bienniums:
        return
    link, source_type = rule.params["link"], rule.params["source_type"]
    source_title = NEED_TYPES_BY_NAME[source_type].title.lower()
    for applies in rule.applies_to:
        for record in graph.needs_of_type(applies):
            missing = missing_bienniums(graph, record, rule, ctx)
            if missing:
                yield Hit(
                    record,
                    f"{record.id} has no {source_title} for {_listing(missing)}",
                    hint=more_hint(
                        rule, reach.where_to_add(record, link, source_type, ctx, missing[0])
                    ),
                )


def _rule_biennium_in_build(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    period = PERIOD_PATTERN.fullmatch(ctx.spf_period or "")
    start, end = (int(period[1]), int(period[2])) if period else (None, None)
    build = set(ctx.bienniums)
    for record in graph:
        value = record.fields.get("biennium", "")
        years = biennium_years(value) if value else None
        if years is None:
            continue
        if start is not None and end is not None and not (start <= years[0] and years[1] <= end):
            yield Hit(
                record,
                f"{record.id}: biennium {value} lies outside the SPF period {ctx.spf_period}",
            )
        elif build and value not in build:
            yield Hit(
                record,
                (
                    f"{record.id}: biennium {value} names no P&B in the build "
                    f"({', '.join(ctx.bienniums)})"
                ),
            )


def _rule_reported(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM030/031: what a reported biennium calls for has its report; stricter once final."""
    if not ctx.reports:
        return
    link, source_type = rule.params["link"], rule.params["source_type"]
    source_title = NEED_TYPES_BY_NAME[source_type].title.lower()
    for applies in rule.applies_to:
        # a need of one biennium (a target) is reported in its own; others in every one
        of_one_biennium = NEED_TYPES_BY_NAME[applies].field_named("biennium") is not None
        for record in graph.needs_of_type(applies):
            own = record.fields.get("biennium", "")
            wanted = ([own] if own in ctx.reports else []) if of_one_biennium else list(ctx.reports)
            if not wanted:
                continue
            covered = {
                source.fields.get("biennium", "")
                for source in graph.sources_of_type(record.id, link, source_type)
            }
            missing = [biennium for biennium in wanted if biennium not in covered]
            if not missing:
                continue
            message = f"{record.id} has no {source_title} for {_listing(missing)}"
            where = reach.where_to_add(record, link, source_type, ctx, missing[0])
            if rule.when_final and any(ctx.reports[b] == "final" for b in missing):
                message = f"{message}, and that report is final"
                yield Hit(record, message, rule.when_final, hint=more_hint(rule, where))
            else:
                yield Hit(record, message, hint=more_hint(rule, where))


def _outcome_of_target(graph: NeedGraph, target_id: str) -> tuple[str, str]:
    """(indicator, immediate outcome) a target measures, "" where the chain breaks."""
    target = graph.need(target_id)
    indicators = list(target.links.get("sets_target_for") or ()) if target else []
    indicator = graph.need(indicators[0]) if len(indicators) == 1 else None
    if indicator is None:
        return "", ""
    outcomes = list(indicator.links.get("measures") or ())
    return indicator.id, outcomes[0] if len(outcomes) == 1 else ""


def _rule_result_through_cpos(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM032: each CPO a result names contributes to the outcome its target measures.

    One lookup per link: target → indicator → outcome, then each CPO's own links.
    Broken links on the way are RBM010-012's to report, so they are skipped here.
    """
    for applies in rule.applies_to:
        for result in graph.needs_of_type(applies):
            targets = list(result.links.get("reports_on") or ())
            if len(targets) != 1:
                continue
            indicator, outcome = _outcome_of_target(graph, targets[0])
            if not outcome:
                continue
            strays = []
            for cpo_id in result.links.get("achieved_through") or ():
                cpo = graph.need(cpo_id)
                if cpo is None or cpo.type != "cpo":
                    continue
                if outcome not in (cpo.links.get("contributes_to") or ()):
                    strays.append(cpo_id)
            if strays:
                verb = "does" if len(strays) == 1 else "do"
                yield Hit(
                    result,
                    f"{result.id} is achieved through {_listing(strays)}, which {verb} not "
                    f"contribute to {outcome}, the outcome {targets[0]} ({indicator}) measures",
                )


def _rule_same_biennium(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM033: a result and the target it reports on are of one biennium."""
    link = rule.params["link"]
    for applies in rule.applies_to:
        for record in graph.needs_of_type(applies):
            own = record.fields.get("biennium", "")
            for target_id in record.links.get(link) or ():
                target = graph.need(target_id)
                theirs = target.fields.get("biennium", "") if target else ""
                if own and theirs and own != theirs:
                    yield Hit(
                        record,
                        f"{record.id} is for {own}, but {target_id} it reports on is for {theirs}",
                    )


def is_overdue(recommendation: NeedRecord, today: datetime.date | None) -> bool:
    """Whether follow-up is still open or in progress after its due date (RBM040)."""
    status = recommendation.fields.get("status", "")
    due = iso_date(recommendation.fields.get("due", ""))
    return bool(today and due and status in UNFINISHED_STATUSES and due < today)


def _rule_overdue(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM040: follow-up still unfinished after its due date, judged on the build date."""
    today = iso_date(ctx.build_date)
    if today is None:
        return
    for applies in rule.applies_to:
        for record in graph.needs_of_type(applies):
            if is_overdue(record, today):
                status = record.fields.get("status", "")
                due_text = record.fields.get("due", "")
                days = (today - datetime.date.fromisoformat(due_text)).days
                yield Hit(
                    record,
                    f"{record.id} is {status} and was due on {due_text}, "
                    f"{days} day{'s' * (days != 1)} before {ctx.build_date}",
                )


def _rule_matrix_cell(
    graph: NeedGraph, rule: RuleSpec, ctx: CheckContext, reach: Reach
) -> Iterator[Hit]:
    """RBM050: one strategy link per cell of the strategy matrix, none on the diagonal."""
    first_in_cell: dict[tuple[str, str], str] = {}
    for applies in rule.applies_to:
        for record in sorted(graph.needs_of_type(applies), key=lambda need: need.id):
            sources = list(record.links.get("from") or ())
            targets = list(record.links.get("to") or ())
            if len(sources) != 1 or len(targets) != 1:
                continue  # RBM012's to report
            cell = (sources[0], targets[0])
            if cell[0] == cell[1]:
                yield Hit(record, f"{record.id} links {cell[0]} to itself")
            elif cell in first_in_cell:
                yield Hit(
                    record,
                    f"{record.id} links {cell[0]} to {cell[1]}, as {first_in_cell[cell]} "
                    "already does",
                )
            else:
                first_in_cell[cell] = record.id


RULE_FUNCTIONS: dict[RuleKind, RuleFunction] = {
    RuleKind.ID_FORMAT: _rule_id_format,
    RuleKind.REQUIRED: _rule_required,
    RuleKind.VALUE_FORMAT: _rule_value_format,
    RuleKind.DUPLICATE: _rule_duplicate,
    RuleKind.LINK_EXISTS: _rule_link_exists,
    RuleKind.REFERENCE_EXISTS: _rule_reference_exists,
    RuleKind.LINK_TARGET_TYPE: _rule_link_target_type,
    RuleKind.LINK_COUNT: _rule_link_count,
    RuleKind.CYCLE: _rule_cycle,
    RuleKind.PATH_DOWN: _rule_path_down,
    RuleKind.PATH_UP: _rule_path_up,
    RuleKind.HAS_INCOMING: _rule_has_incoming,
    RuleKind.PER_BIENNIUM: _rule_per_biennium,
    RuleKind.BIENNIUM_IN_BUILD: _rule_biennium_in_build,
    RuleKind.REPORTED: _rule_reported,
    RuleKind.RESULT_THROUGH_CPOS: _rule_result_through_cpos,
    RuleKind.SAME_BIENNIUM: _rule_same_biennium,
    RuleKind.OVERDUE: _rule_overdue,
    RuleKind.MATRIX_CELL: _rule_matrix_cell,
}

# the cycle rules join two bienniums; they read this module's types, so they come last
from rbmdocs.graph.cycle_rules import CYCLE_RULE_FUNCTIONS  # noqa: E402

RULE_FUNCTIONS.update((RuleKind(kind), function) for kind, function in CYCLE_RULE_FUNCTIONS.items())
