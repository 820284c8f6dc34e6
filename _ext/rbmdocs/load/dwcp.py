"""DWCP files (``data/dwcp/<ISO3>.yaml``) into need entries that keep their YAML lines.

Two kinds of problem are kept apart (SPEC §3.2). What stops the data being read (syntax,
unknown keys, a string where a list belongs) raises BadInputError here, checked against
``dwcp.schema.json``, which editors can use too. What reads well but is wrong (a missing
region, a bad biennium, a dead link) is left in the entries for the traceability engine,
so it is reported at its line with every other finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path as FsPath
from typing import Any, Final

import jsonschema_rs

from rbmdocs.load.errors import BadInputError
from rbmdocs.load.yaml_source import (
    LocatedData,
    Path,
    as_mapping,
    decode_yaml_bytes,
    describe_path,
    load_located_yaml,
)
from rbmdocs.schema import NEED_TYPES_BY_NAME

DWCP_SUFFIX = ".yaml"
#: The options of a CPO written in YAML (its links come from nesting and ``contributes_to``).
#: A CPO's own indicator, baseline and target: text in each language, like a title.
CPO_TEXTS: Final = ("indicator", "baseline", "target")
#: Every key whose value a reader sees and a translator translates: written as a plain
#: string in the source language, or as a mapping of languages (``{en: ..., zh_CN: ...}``).
BILINGUAL_KEYS: Final = ("country", "title", *CPO_TEXTS)
CPO_FIELDS: Final = tuple(
    spec.name for spec in NEED_TYPES_BY_NAME["cpo"].fields if spec.name not in CPO_TEXTS
)

Bilingual = Mapping[str, str]
"""Text per language code; a plain string in the file is stored under ``"*"`` (any language)."""

ANY_LANGUAGE = "*"


@dataclass(slots=True)
class YamlNeed:
    """One need written in a DWCP file: a programme, a priority or a CPO."""

    need_type: str
    id: str
    line: int
    title: Bilingual = field(default_factory=dict)
    texts: dict[str, Bilingual] = field(default_factory=dict)
    """Bilingual options (the DWCP's ``country``, a CPO's own indicator, baseline, target)."""
    fields: dict[str, str] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)
    """Option → its line in the file, so that a bad ``region`` is reported where it is."""


@dataclass(slots=True)
class DwcpPriority:
    """A priority and the CPOs nested under it (which realise it)."""

    need: YamlNeed
    cpos: list[YamlNeed] = field(default_factory=list)


@dataclass(slots=True)
class DwcpFile:
    """A whole DWCP file: the programme, its priorities and their CPOs."""

    file: str
    dwcp: YamlNeed
    priorities: list[DwcpPriority] = field(default_factory=list)

    def needs(self) -> Iterator[YamlNeed]:
        """Every need of the file in the order it was written."""
        yield self.dwcp
        for priority in self.priorities:
            yield priority.need
            yield from priority.cpos


@cache
def _validator() -> Any:
    schema_text = resources.files("rbmdocs.load").joinpath("dwcp.schema.json").read_text("utf-8")
    return jsonschema_rs.validator_for(json.loads(schema_text))


def dwcp_schema() -> dict[str, Any]:
    """The JSON schema of a DWCP file, for editors and the user guide."""
    text = resources.files("rbmdocs.load").joinpath("dwcp.schema.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


#: Files read ahead of Sphinx (``read_dwcp_file(..., keep=True)``), by name and text, until
#: ``parse_dwcp_text`` is asked for the same text: a fresh build then parses each file once,
#: not once to find bad input before Sphinx starts and again when Sphinx reads it.
_read_ahead: dict[tuple[str, str], DwcpFile] = {}


def read_dwcp_file(path: FsPath, display_name: str, keep: bool = False) -> DwcpFile:
    """Read and check one DWCP file; ``display_name`` is how messages name it.

    With ``keep``, the result is kept for the next ``parse_dwcp_text`` of the same file
    and text (see ``forget_read_ahead``).
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BadInputError(display_name, None, f"cannot read the file: {error.strerror}") from None
    text = decode_yaml_bytes(raw, display_name)
    parsed = parse_dwcp_text(text, display_name)
    if keep:
        _read_ahead[display_name, text] = parsed
    return parsed


def forget_read_ahead() -> None:
    """Drop what no reading took (a file changed or excluded meanwhile): once per build."""
    _read_ahead.clear()


def parse_dwcp_text(text: str, file: str) -> DwcpFile:
    """Parse the text of a DWCP file (already decoded), or take the same text read ahead."""
    ahead = _read_ahead.pop((file, text), None)
    if ahead is not None:
        return ahead
    located = load_located_yaml(text, file)
    if not isinstance(located.data, Mapping):
        kind = "a list" if isinstance(located.data, list) else "a single value"
        raise BadInputError(
            file,
            1,
            f"the file holds {kind}; a DWCP file is a mapping with id, country, region, "
            "status, period and priorities",
            "start the file with `id: DWCP_<ISO3>`",
        )
    _check_structure(located, file)
    return _build(located, file)


def _check_structure(located: LocatedData, file: str) -> None:
    errors = sorted(
        _validator().iter_errors(located.data), key=lambda error: list(error.instance_path)
    )
    if not errors:
        return
    error = errors[0]
    path: Path = tuple(error.instance_path)
    kind = type(error.kind).__name__
    if kind == "AdditionalProperties":
        unexpected = list(error.kind.unexpected)
        key = str(unexpected[0])
        allowed = _allowed_keys(path)
        where = describe_path(path)
        raise BadInputError(
            file,
            located.key_lines.get((*path, key), located.line_of(path)),
            f"unknown key {key!r} in {where}",
            f"allowed keys here: {', '.join(allowed)}",
        )
    if kind == "Required":
        raise BadInputError(
            file,
            located.line_of(path),
            f"{describe_path(path)} has no 'id'",
            "every programme, priority and outcome needs an id",
        )
    expected = _expected_shape(path)
    raise BadInputError(
        file,
        located.line_of(path),
        f"{describe_path(path)} has the wrong shape: {expected}",
        "see the DWCP file format in the user guide",
    )


def _schema_node(path: Path) -> Mapping[str, Any]:
    schema = dwcp_schema()
    defs = schema["$defs"]
    node: Mapping[str, Any] = schema
    for part in path:
        if "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _allowed_keys(path: Path) -> list[str]:
    return list(_schema_node(path).get("properties", {}))


def _expected_shape(path: Path) -> str:
    node = _schema_node(path)
    if "oneOf" in node:
        return "expected text, or a mapping of language to text such as {en: ..., zh_CN: ...}"
    expected = node.get("type")
    words = {"array": "a list", "object": "a mapping", "string": "text"}
    return f"expected {words.get(str(expected), str(expected))}"


def _bilingual(value: object) -> Bilingual:
    if isinstance(value, str):
        return {ANY_LANGUAGE: value}
    return dict(as_mapping(value))


def _build(located: LocatedData, file: str) -> DwcpFile:
    data = as_mapping(located.data)
    dwcp_id = str(data["id"])
    dwcp = YamlNeed(
        "dwcp",
        dwcp_id,
        located.line_of(("id",)),
        title=_bilingual(data.get("country", dwcp_id)),
        texts={"country": _bilingual(data["country"])} if "country" in data else {},
        fields={key: str(data[key]) for key in ("region", "status", "period") if key in data},
        field_lines={
            key: located.line_of((key,)) for key in ("region", "status", "period") if key in data
        },
    )
    result = DwcpFile(file, dwcp)
    for p_index, priority_data in enumerate(data.get("priorities", [])):
        p_path: Path = ("priorities", p_index)
        priority_map = as_mapping(priority_data)
        priority = YamlNeed(
            "dwcp-priority",
            str(priority_map["id"]),
            located.line_of((*p_path, "id")),
            title=_bilingual(priority_map.get("title", priority_map["id"])),
            links={"part_of": [dwcp_id]},
        )
        entry = DwcpPriority(priority)
        for c_index, cpo_data in enumerate(priority_map.get("outcomes", [])):
            c_path: Path = (*p_path, "outcomes", c_index)
            cpo_map = as_mapping(cpo_data)
            cpo = YamlNeed(
                "cpo",
                str(cpo_map["id"]),
                located.line_of((*c_path, "id")),
                title=_bilingual(cpo_map.get("title", cpo_map["id"])),
                fields={key: str(cpo_map[key]) for key in CPO_FIELDS if key in cpo_map},
                field_lines={
                    key: located.line_of((*c_path, key)) for key in CPO_FIELDS if key in cpo_map
                },
                texts={key: _bilingual(cpo_map[key]) for key in CPO_TEXTS if key in cpo_map},
                links={
                    "realises": [priority.id],
                    "contributes_to": [str(item) for item in cpo_map.get("contributes_to", [])],
                },
            )
            entry.cpos.append(cpo)
        result.priorities.append(entry)
    return result


def pick_language(text: Bilingual, language: str) -> tuple[str, bool]:
    """The text for ``language``, falling back to English; the flag says it fell back.

    A plain string serves every language and never counts as a fallback. ``zh_CN`` also
    accepts ``zh``; with neither the language nor English, the first text written wins.
    """
    if ANY_LANGUAGE in text:
        return text[ANY_LANGUAGE], False
    for candidate in (language, language.split("_")[0]):
        if candidate in text:
            return text[candidate], False
    if "en" in text:
        return text["en"], language != "en"
    first = next(iter(text.values()), "")
    return first, True


def find_dwcp_files(folder: FsPath) -> list[FsPath]:
    """Every DWCP file of the folder, sorted so that the build order never varies."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.suffix == DWCP_SUFFIX)
