"""Plain records the traceability engine reads and writes; nothing here knows Sphinx.

The Sphinx bridge, the CLI and the benchmark all feed the engine these records, which is
what keeps the engine testable in milliseconds and its cost measurable on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from rbmdocs.schema import NEED_TYPES_BY_NAME

if TYPE_CHECKING:
    from rbmdocs.load import YamlNeed

_DIGIT_RUNS = re.compile(r"(\d+)")


def natural_key(need_id: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Sort IO_2 before IO_10, as a reader counts: digit runs compare as numbers.

    The one order of IDs everywhere (links, tables, the IATI export). Text and digit runs
    alternate in every ID, so the two never meet at one place; the ID itself decides
    between two that only differ in leading zeros (``IO_01``, ``IO_1``).
    """
    parts = tuple(
        (1, int(part)) if part.isdigit() else (0, part) for part in _DIGIT_RUNS.split(need_id)
    )
    return parts, need_id


def linked_ids(targets: Iterable[object]) -> list[str]:
    """The IDs of one link option, each once, in natural order.

    sphinx-needs keeps one of two equal links and sorts them when it post-processes the
    needs; every maker of records (the build's, as read and resolved, and the index's)
    must hold the same list, or the diagrams and the check would disagree (a target named
    twice would count as two).
    """
    if isinstance(targets, list) and len(targets) < 2:
        # most link options hold no target or one: nothing to sort
        return [str(target) for target in targets]
    return sorted({str(target) for target in targets}, key=natural_key)


@dataclass(slots=True)
class NeedRecord:
    """One need as authored: its own fields and its outgoing links, with where it was written.

    ``file`` is a path relative to the project's source folder (``spf/outcomes.md`` or
    ``data/dwcp/KEN.yaml``) so that findings read the same on every machine.
    """

    id: str
    type: str
    file: str
    line: int | None
    title: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Sequence[str]] = field(default_factory=dict)
    id_given: bool = True
    """False when the author wrote no ID and one was generated (RBM002 names it)."""
    field_lines: Mapping[str, int] = field(default_factory=dict)
    """Option → the line it is written on, where it is not the need's own line (a DWCP's
    ``region`` is a few lines below its ``id``); a finding on one option points there."""

    def __post_init__(self) -> None:
        """Each field's value as the rules read it, made once: stripped, never None.

        The rules, the coverage and the tables read a field as ``fields.get(name, "")``;
        whether a value came from sphinx-needs, the index or YAML, it is the same text.
        """
        normalised = {name: (value or "").strip() for name, value in self.fields.items()}
        object.__setattr__(self, "fields", normalised)


@dataclass(frozen=True, slots=True)
class NeedReference:
    """A reference to a need in prose (``{need}`IO_4` ``), where it was written.

    Prose references are not links of the results framework, but a reader follows them:
    one that names no need is a broken sentence in a published document (RBM014).
    """

    target: str
    file: str
    line: int | None


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What the build is about: the SPF period, the P&B bienniums and severity overrides.

    ``reports`` names the bienniums whose implementation report is in the build, each
    ``draft`` or ``final``; ``build_date`` (``YYYY-MM-DD``) is the day overdue follow-up is
    judged against, an input rather than the clock so that a check gives the same findings
    every time it is given the same date.
    """

    spf_period: str = ""
    bienniums: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    reports: Mapping[str, str] = field(default_factory=dict)
    build_date: str = ""
    documents: Mapping[str, str] = field(default_factory=dict)
    """The folder of each published document's pages → its title (``rbmdocs_documents``),
    so that a hint can say in which document a missing need goes."""
    pb_status: Mapping[str, str] = field(default_factory=dict)
    """Each P&B biennium's status, ``draft`` or ``final`` (absent: draft); RBM063 waits for it."""


class Hit(NamedTuple):
    """A broken rule on one need: the need and the message, and what more a rule knows.

    The engine adds the rule, its severity and its hint. ``severity``: a severity of this
    hit's own (RBM030 is an error once the report of the target's biennium is final),
    empty for the rule's; ``hint``: the whole hint, when this hit has a better one than the
    rule's (``more_hint``: the file where the fix goes; RBM010: the IDs a dead link may
    have meant); ``line``: the line of the option at fault, when it is not the need's own.
    """

    record: NeedRecord
    message: str
    severity: str = ""
    hint: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One broken rule on one need. Ordered by file, line, rule, need: the report order."""

    file: str
    line: int
    rule: str
    need: str
    severity: str = field(compare=False)
    message: str = field(compare=False)
    hint: str = field(compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of SPEC §5: rule, severity, need, file, line, message, hint."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "need": self.need,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
        }


def yaml_need_record(
    need: YamlNeed, title: str, file: str, pick: Callable[[Mapping[str, str], YamlNeed, str], str]
) -> NeedRecord:
    """A DWCP need as the engine sees it: every field of its type, its links as written.

    The project index and the build each choose the language of a need's texts their own
    way (``pick(text, need, field)``), but must make the same record of it, or the check would
    disagree between ``rbmdocs check`` and the build.
    """
    spec = NEED_TYPES_BY_NAME[need.need_type]
    values: dict[str, str] = {name: str(value) for name, value in need.fields.items()}
    for name, text in need.texts.items():
        values[name] = pick(text, need, name)
    return NeedRecord(
        id=need.id,
        type=need.need_type,
        file=file,
        line=need.line,
        title=title,
        fields={field_spec.name: values.get(field_spec.name, "") for field_spec in spec.fields},
        links={link.name: linked_ids(need.links.get(link.name) or []) for link in spec.links},
        field_lines=dict(need.field_lines),
    )
