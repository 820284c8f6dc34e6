"""What the read phase notes per document, kept where Sphinx can pickle, purge and merge it.

sphinx-needs drops a need whose ID is already taken and invents IDs for needs written
without one; neither would reach the traceability engine as written. The need directives
and the DWCP reader note both here, per document, so RBM004 and RBM002 can name them.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from rbmdocs.render.need_view_model import NeedTexts
from rbmdocs.sphinx.dwcp_data import dwcp_data

_ATTRIBUTE = "rbmdocs_read_notes"


@dataclass(slots=True)
class DroppedNeed:
    """A need sphinx-needs did not record because another need already has its ID."""

    id: str
    type: str
    line: int | None
    title: str


@dataclass(slots=True)
class ReadNotes:
    """One document's notes from the read phase."""

    dropped: list[DroppedNeed] = field(default_factory=list)
    generated_ids: set[str] = field(default_factory=set)
    generated_content: set[str] = field(default_factory=set)
    """Kinds of generated content on the page (tables, DWCP index) to refresh on any change."""
    bad_input: str = ""
    """The message when the document's data could not be read at all."""
    statements: dict[str, str] = field(default_factory=dict)
    """Need ID → the first paragraph of its text, as read (in the build language)."""
    sections: dict[str, str] = field(default_factory=dict)
    """Need ID → the title of the section the need stands in."""
    field_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    """Need ID → option → its line, where options have lines of their own (DWCP YAML)."""
    references: list[tuple[str, int | None]] = field(default_factory=list)
    """Needs named in the page's prose (``{need}`` roles): the ID and the line (RBM014)."""


def all_notes(env: BuildEnvironment) -> dict[str, ReadNotes]:
    """Every document's notes (an empty mapping before anything is read)."""
    notes: dict[str, ReadNotes] | None = getattr(env, _ATTRIBUTE, None)
    if notes is None:
        notes = {}
        setattr(env, _ATTRIBUTE, notes)
    return notes


def notes_for(env: BuildEnvironment, docname: str) -> ReadNotes:
    """The notes of ``docname``, created on first use."""
    return all_notes(env).setdefault(docname, ReadNotes())


def purge_notes(_app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a document's notes before it is read again (``env-purge-doc``)."""
    all_notes(env).pop(docname, None)


def merge_notes(
    _app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
) -> None:
    """Take the notes of documents read in a parallel worker (``env-merge-info``)."""
    theirs = all_notes(other)
    ours = all_notes(env)
    for docname in docnames:
        if docname in theirs:
            ours[docname] = theirs[docname]


def need_texts(env: BuildEnvironment) -> NeedTexts:
    """What every document noted of its needs' texts, as one lookup for the presentation.

    The programmes' pages are no documents: their headings come with the DWCP data.
    """
    statements: dict[str, str] = {}
    sections: dict[str, str] = dict(dwcp_data(env).sections)
    for notes in all_notes(env).values():
        statements.update(notes.statements)
        sections.update(notes.sections)
    return NeedTexts(statements, sections)
