"""``rbmdocs trace``: the chain of one need as a tree, up to the objectives or down to countries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rbmdocs.graph.index import NeedGraph
from rbmdocs.render.labels import label
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
    children: list[TraceNode] = field(default_factory=list)


def trace_tree(graph: NeedGraph, need_id: str, direction: Direction) -> list[TraceNode]:
    """One tree per direction asked for (up first), each rooted at the need."""
    directions: list[Literal["up", "down"]] = ["up", "down"] if direction == "both" else [direction]
    return [_walk(graph, need_id, way) for way in directions]


def _node(graph: NeedGraph, need_id: str, link: str, outgoing: bool) -> TraceNode:
    record = graph.need(need_id)
    if record is None:
        return TraceNode(need_id, "", "", link, outgoing, exists=False)
    return TraceNode(need_id, record.title, record.type, link, outgoing)


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
    A need met again is shown once more, marked, and not expanded.
    """
    root = _node(graph, root_id, "", True)
    seen = {root_id}
    stack = [root]
    while stack:
        current = stack.pop()
        level = _level(graph, current.need_id)
        if level is None or current.repeated:
            continue
        for link, other, outgoing in _neighbours(graph, current.need_id):
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


def render_trace_text(trees: list[TraceNode], directions: list[str] | None = None) -> str:
    """Box-drawing trees, one per direction, as ``tree`` prints folders.

    Going up, a line names the link as written ("contributes to: IMO_1"); going down,
    as read from the other end ("contributed to by: IO_1").
    """
    ways = directions or (["up", "down"] if len(trees) == 2 else ["up"])
    lines: list[str] = []
    for index, (tree, way) in enumerate(zip(trees, ways, strict=False)):
        if index:
            lines.append("")
        lines.append(f"{_describe(tree)}  ({'up' if way == 'up' else 'down'})")
        _render_children(tree, "", lines)
    return "\n".join(lines) + "\n"


def _describe(node: TraceNode) -> str:
    if not node.exists:
        return f"{node.need_id} (does not exist)"
    text = f"{node.need_id} [{node.need_type}] {node.title}".rstrip()
    return f"{text} (see above)" if node.repeated else text


def _render_children(node: TraceNode, prefix: str, lines: list[str]) -> None:
    """Recursive: a results chain is a handful of levels deep, however wide it is."""
    for position, child in enumerate(node.children):
        last = position == len(node.children) - 1
        word = label(f"link.{child.link}.{'out' if child.outgoing else 'in'}", "en")
        if word.startswith("link."):
            word = child.link.replace("_", " ")
        lines.append(f"{prefix}{'└── ' if last else '├── '}{word}: {_describe(child)}")
        _render_children(child, prefix + ("    " if last else "│   "), lines)
