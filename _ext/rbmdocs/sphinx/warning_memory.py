"""Sphinx's warnings of every page that still has them, not only of the pages read now.

Sphinx says a warning when it reads a page (an unknown directive, a page outside every
table of contents) or when it writes one (a ``{need}`` role naming no need), and never
again while the page is unchanged. A second ``rbmdocs build --strict`` then passed, and
published, a page whose problem was still there, and a build after a ``check`` that had
read the page never mentioned it. So each run remembers the warnings per page, beside the
doctree cache it belongs to, and says again those of the pages it did not read or write
this time: a page's warnings are forgotten only when the page is read (or written) again,
or is gone.

Warnings said while reading belong to the environment, which ``check`` and every builder
of a language share; warnings said while writing belong to the builder that wrote, and
are remembered only for the HTML builder, the one that writes page by page (the LaTeX
builder writes every document each time, so it says all of its warnings each time).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment

from rbmdocs.files import write_whole
from rbmdocs.terminal import ANSI_SEQUENCE

#: The file, beside the doctrees, where the warnings of each page are kept.
MEMORY_FILE = "rbmdocs-warnings.json"
#: How Sphinx starts a warning line: ``path:line: WARNING:`` or ``path: ERROR:``.
_WARNING_LINE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?:WARNING|ERROR|CRITICAL):")
#: Sphinx's check that every page is in a table of contents, redone whenever a page is read.
_CONSISTENCY = "[toc.not_included]"

Entries = dict[str, list[str]]


class WarningMemory:
    """Watches one Sphinx run; ``warnings()`` gives this run's and the remembered ones."""

    def __init__(self, app: Sphinx, stream: io.StringIO, *, fresh: bool) -> None:
        self._app = app
        self._stream = stream
        self._file = Path(app.doctreedir) / MEMORY_FILE
        self._fresh = fresh
        self._read: set[str] = set()
        self._written: set[str] = set()
        self._writing_from: int | None = None
        app.connect("env-before-read-docs", self._note_read)
        app.connect("write-started", self._note_writing, priority=0)
        app.connect("doctree-resolved", self._note_written)

    def _note_read(self, _app: Sphinx, _env: BuildEnvironment, docnames: list[str]) -> None:
        self._read.update(docnames)

    def _note_writing(self, _app: Sphinx, _builder: Builder) -> None:
        self._writing_from = self._stream.tell()

    def _note_written(self, _app: Sphinx, _doctree: nodes.document, docname: str) -> None:
        self._written.add(docname)

    def warnings(self, leave_out: Iterable[str] = ()) -> list[str]:
        """The warning lines of this run, and those still true of pages it left alone.

        ``leave_out``: warnings holding one of these texts are not Sphinx's (our own
        findings, which the check result reports) and are neither said nor remembered.
        """
        text = self._stream.getvalue()
        boundary = len(text) if self._writing_from is None else self._writing_from
        # Sphinx colours its warnings; they are said again as plain lines (and remembered)
        reading_now = _entries_by_page(
            self._app.env, ANSI_SEQUENCE.sub("", text[:boundary]), leave_out
        )
        writing_now = _entries_by_page(
            self._app.env, ANSI_SEQUENCE.sub("", text[boundary:]), leave_out
        )
        memory = {} if self._fresh else _load(self._file)
        builder = self._app.builder.name
        existing = set(self._app.env.found_docs)
        reading = _merged(
            memory.get("read", {}),
            reading_now,
            refreshed=self._read,
            existing=existing,
            drop_consistency=bool(self._read),
        )
        # a page read again is written again; a builder that is not HTML writes whole
        # documents every time, so what it does not say now no longer holds
        incremental = isinstance(self._app.builder, StandaloneHTMLBuilder)
        writing = _merged(
            memory.get(f"write:{builder}", {}),
            writing_now,
            refreshed=self._written | self._read if incremental else existing,
            existing=existing,
            drop_consistency=False,
        )
        memory["read"] = {page: lines for page, lines in reading.items() if page}
        memory[f"write:{builder}"] = {page: lines for page, lines in writing.items() if page}
        _save(self._file, memory)
        said: list[str] = []
        for entries in (reading, writing):
            for page in sorted(entries):
                said.extend(entry for entry in entries[page] if entry not in said)
        return [line for entry in said for line in entry.splitlines()]


def _entries_by_page(env: BuildEnvironment, text: str, leave_out: Iterable[str]) -> Entries:
    """Warning entries (a line and its continuation lines) by the page they name ("" none)."""
    left_out = tuple(leave_out)
    found: Entries = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _WARNING_LINE.match(line)
        if match is None:
            if current:  # a continuation line goes with the warning it continues
                current[-1] += "\n" + line
            continue
        if any(part in line for part in left_out):
            current = None
            continue
        current = found.setdefault(env.path2doc(match["path"]) or "", [])
        current.append(line)
    return found


def _merged(
    remembered: Entries,
    now: Entries,
    *,
    refreshed: set[str],
    existing: set[str],
    drop_consistency: bool,
) -> Entries:
    """What is remembered of pages not refreshed this run, then this run's warnings."""
    merged: Entries = {}
    for page, entries in remembered.items():
        if page in refreshed or page not in existing:
            continue
        kept = [entry for entry in entries if not (drop_consistency and _CONSISTENCY in entry)]
        if kept:
            merged[page] = kept
    for page, entries in now.items():
        had = merged.setdefault(page, [])
        had.extend(entry for entry in entries if entry not in had)
    return merged


def _load(file: Path) -> dict[str, Entries]:
    try:
        loaded = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _save(file: Path, memory: dict[str, Entries]) -> None:
    """Write beside and rename: a run stopped half-way leaves the last whole file."""
    write_whole(file, json.dumps(memory, ensure_ascii=False, sort_keys=True))


def counted(lines: Sequence[str]) -> int:
    """How many warnings (not continuation lines) ``lines`` hold."""
    return sum(1 for line in lines if _WARNING_LINE.match(line) and "WARNING" in line)
