"""Read a YAML file into plain data while keeping the line of every value.

PyYAML's safe loaders throw line numbers away and turn ``2010-11-01`` into a date and
``no`` into False. Drafting teams write country data by hand, so we compose the node tree
with the base resolver (every scalar stays the text that was written) and keep a map from
each value's path to its line, which is what lets every finding point at a YAML line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from rbmdocs.load.errors import BadInputError

Path = tuple[str | int, ...]

#: libyaml's parser when PyYAML was built with it (many times faster on DWCP files), else
#: PyYAML's own; both keep every scalar as written and give the same nodes and lines.
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


@dataclass(slots=True)
class LocatedData:
    """Plain data (dicts, lists, strings) and the 1-based line of each path in it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    key_lines: dict[Path, int] = field(default_factory=dict)
    """The line of the key of a mapping entry (where an unknown key is reported)."""

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def decode_yaml_bytes(raw: bytes, file: str) -> str:
    """Decode UTF-8 (a BOM is allowed); anything else is bad input with its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise BadInputError(
            file,
            line,
            f"the file is not UTF-8 (byte 0x{raw[error.start]:02x} cannot be decoded)",
            "save the file as UTF-8",
        ) from None


def load_located_yaml(text: str, file: str) -> LocatedData:
    """Compose one YAML document into plain data with lines; refuse what is not plain data."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "not valid YAML"
        raise BadInputError(
            file, line, f"YAML syntax error: {problem}", "check indentation, colons and quotes"
        ) from None
    except yaml.YAMLError as error:
        raise BadInputError(file, None, f"YAML error: {error}") from None
    if node is None:
        raise BadInputError(
            file, 1, "the file is empty", "write the programme's id, country, region and priorities"
        )
    located = LocatedData(data=None)
    located.data = _to_plain(node, (), located, file, set())
    return located


def _to_plain(node: yaml.Node, path: Path, located: LocatedData, file: str, seen: set[int]) -> Any:
    line = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise BadInputError(
            file,
            line,
            f"YAML tag {node.tag!r} is not allowed",
            "write plain values; tags such as !!python/object are never read",
        )
    if id(node) in seen:
        raise BadInputError(
            file, line, "YAML aliases (*name) are not allowed", "write the value out in full"
        )
    seen.add(id(node))
    located.lines[path] = line
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_plain(item, (*path, index), located, file, seen)
            for index, item in enumerate(node.value)
        ]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
            raise BadInputError(
                file, key_node.start_mark.line + 1, "a key must be plain text", "write key: value"
            )
        key = key_node.value
        if key in mapping:
            raise BadInputError(
                file,
                key_node.start_mark.line + 1,
                f"the key {key!r} appears twice",
                "keep one of them",
            )
        located.key_lines[(*path, key)] = key_node.start_mark.line + 1
        mapping[key] = _to_plain(value_node, (*path, key), located, file, seen)
    return mapping


def describe_path(path: Path) -> str:
    """``priorities[1].outcomes[0].title``: where in the file, in the file's own words."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the top level"


def as_mapping(value: object) -> Mapping[str, Any]:
    """The value as a mapping (the schema has already checked that it is one)."""
    return value if isinstance(value, Mapping) else {}
