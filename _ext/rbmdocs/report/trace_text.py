"""``rbmdocs trace``: a trace tree as box-drawing text, in English."""

from __future__ import annotations

from rbmdocs.graph.trace import TraceNode
from rbmdocs.render.labels import label


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
    if node.containers:
        text += f" (part of {', '.join(node.containers)})"
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
