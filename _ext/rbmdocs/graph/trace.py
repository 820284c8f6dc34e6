"""The chain of one need as a tree, up to the objectives or down to the countries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rbmdocs.graph.index import NeedGraph
from rbmdocs.schema import NEED_TYPES_BY_NAME

Direction = Literal["up", "down", "both"]


@dataclass(slots=True)
class TraceNode:
    """One need in the tree, reached through ``link`` (empty for the root)."""

    need_id: str
    title: str
    need_type: str
    link: str = ""
    outgoing: bool = True
    """Whether the link is written on the parent (else on this need)."""
    exists: bool = True
    repeated: bool = False
    containers: list[str] = field(default_factory=list)
    """What holds the need ("DWCP_KEN Kenya" for a priority): context, not a step."""
    children: list[TraceNode] = field(default_factory=list)


def trace_tree(graph: NeedGraph, need_id: str, direction: Direction) -> list[TraceNode]:
    """One tree per direction asked for (up first), each rooted at the need."""
    directions: list[Literal["up", "down"]] = ["up", "down"] if direction == "both" else [direction]
    return [_walk(graph, need_id, way) for way in directions]


def _node(graph: NeedGraph, need_id: str, link: str, outgoing: bool) -> TraceNode:
    record = graph.need(need_id)
    if record is None:
        return TraceNode(need_id, "", "", link, outgoing, exists=False)
    containers = []
    for name in sorted(_container_links(record.type)):
        for target in record.links.get(name) or ():
            holder = graph.need(target)
            containers.append(f"{target} {holder.title}".rstrip() if holder else target)
    return TraceNode(need_id, record.title, record.type, link, outgoing, containers=containers)


def _container_links(need_type: str) -> frozenset[str]:
    """The link options of a type that name what holds the need (``part_of``)."""
    spec = NEED_TYPES_BY_NAME.get(need_type)
    if spec is None:
        return frozenset()
    return frozenset(link.name for link in spec.links if link.to_container)


def _level(graph: NeedGraph, need_id: str) -> int | None:
    record = graph.need(need_id)
    spec = NEED_TYPES_BY_NAME.get(record.type) if record else None
    return spec.level if spec else None


def _neighbours(graph: NeedGraph, need_id: str) -> list[tuple[str, str, bool]]:
    """(link, other need, whether the link is written on this need), sorted."""
    record = graph.need(need_id)
    if record is None:
        return []
    found = [
        (link, target, True) for link, targets in sorted(record.links.items()) for target in targets
    ]
    found += [
        (link, source, False)
        for link, sources in sorted(graph.incoming_links(need_id).items())
        for source in sorted(sources)
    ]
    return found


def _walk(graph: NeedGraph, root_id: str, way: Literal["up", "down"]) -> TraceNode:
    """Follow links to lower levels (up) or higher ones (down), whichever way they point.

    A CPO is below its immediate outcome and above its priority, so ``--down`` from an
    objective reaches the countries and ``--up`` from a priority reaches the objective.
    What holds a need (a priority's DWCP) is no step either way: it is named beside the
    need (``TraceNode.containers``). A need met again is shown once more, marked, and not
    expanded.
    """
    root = _node(graph, root_id, "", True)
    seen = {root_id}
    stack = [root]
    while stack:
        current = stack.pop()
        level = _level(graph, current.need_id)
        if level is None or current.repeated:
            continue
        record = graph.need(current.need_id)
        held_by = _container_links(record.type) if record else frozenset()
        for link, other, outgoing in _neighbours(graph, current.need_id):
            if outgoing and link in held_by:
                continue
            other_level = _level(graph, other)
            if other_level is not None and (
                other_level >= level if way == "up" else other_level <= level
            ):
                continue
            if other_level is None and (way == "up") != outgoing:
                continue  # a dead link is shown in the direction it is written
            child = _node(graph, other, link, outgoing)
            child.repeated = other in seen
            seen.add(other)
            current.children.append(child)
        stack.extend(reversed(current.children))
    return root
