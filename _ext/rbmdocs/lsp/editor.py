"""What the language server knows and answers, in plain terms (no LSP types here).

One ``EditorProject`` holds the project index, the text of the documents open in the
editor (unsaved), and the check of the whole graph on those texts. A change to one
document reads that document again and checks again: the other files come from the
index as read, so an answer costs one file and one check, whatever the project's size.
Lines and columns here count from 0, as the protocol does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rbmdocs.graph import CheckResult, Finding, NeedRecord, check_needs, closest_ids
from rbmdocs.graph.model import CheckContext, natural_key
from rbmdocs.graph.rules import allowed_target_ids
from rbmdocs.graph.trace import TraceNode, trace_tree
from rbmdocs.index import (
    Catalogues,
    FileIndex,
    IndexedProject,
    IndexSettings,
    assemble,
    index_project,
    is_document,
    read_file,
)
from rbmdocs.index.files import docname_of
from rbmdocs.load import BadInputError
from rbmdocs.render.labels import label
from rbmdocs.schema import ID_PATTERN, NEED_TYPES, NEED_TYPES_BY_NAME

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NEED_OPENING = re.compile(r"^\s*(?::{3,}|`{3,})\{([a-z-]+)\}")
_MARKDOWN_OPTION = re.compile(r"^(\s*):([a-z_]+):(.*)$")
_YAML_KEY = re.compile(r"^(\s*)(?:-\s+)?([a-z_]+):(.*)$")
_YAML_ITEM = re.compile(r"^(\s*)-\s*(.*)$")
_ROLE_BEFORE_CURSOR = re.compile(r"\{need\}`(?:[^`<]*<)?([A-Za-z0-9_]*)$")

#: Link options a DWCP file names itself, and the need type that holds them there.
_YAML_LINKS = {
    link.name: spec.directive
    for spec in NEED_TYPES
    if spec.home == "data/dwcp"
    for link in spec.links
    if link.written_in_yaml
}


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of one line of one file."""

    file: str
    line: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding where the fix goes, with the ID that could replace a wrong one."""

    span: Span
    finding: Finding
    wrong: str = ""
    suggestion: str = ""


@dataclass(slots=True)
class Completion:
    """One ID to offer, with its title and type."""

    need_id: str
    title: str
    need_type: str
    replace: Span


@dataclass(slots=True)
class EditorProject:
    """The project as the editor sees it: saved files, plus the open documents' text."""

    settings: IndexSettings
    context: CheckContext
    project: IndexedProject = field(default_factory=IndexedProject)
    result: CheckResult | None = None
    open_texts: dict[str, str] = field(default_factory=dict)
    bad_input: dict[str, BadInputError] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        """The project folder (which holds conf.py)."""
        return self.settings.srcdir

    # -- reading -----------------------------------------------------------------------

    def load(self) -> None:
        """Read every file (each from the cache unless it changed), with the open texts."""
        self.bad_input.clear()
        try:
            self.project = index_project(self.settings, self.open_texts)
        except BadInputError:
            # one file cannot be read: read the others one by one, and say which
            self.project = self._read_each()
        self._check()

    def _read_each(self) -> IndexedProject:
        from rbmdocs.index import project_files

        project = IndexedProject()
        for file in project_files(self.settings):
            text = self.open_texts.get(file)
            if text is None:
                try:
                    text = (self.root / file).read_text("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
            self._read_into(project, file, text)
        assemble(project)
        return project

    def _read_into(self, project: IndexedProject, file: str, text: str) -> None:
        catalogues = Catalogues(self.settings)
        try:
            found = read_file(
                self.settings,
                file,
                text.encode("utf-8"),
                partial(catalogues.strings, docname_of(file)),
            )
        except BadInputError as error:
            self.bad_input[file] = error
            found = project.files.get(file) or FileIndex(file, docname_of(file))
        else:
            self.bad_input.pop(file, None)
        project.files[file] = found

    def change(self, file: str, text: str) -> None:
        """A document's text in the editor changed: read it again and check again.

        A file that is no document of the project (the guide, an excluded folder, a YAML
        file of the tooling) is left alone: its examples are not the project's needs.
        """
        if not is_document(self.settings, file):
            return
        self.open_texts[file] = text
        self._read_into(self.project, file, text)
        assemble(self.project)
        self._check()

    def close(self, file: str) -> None:
        """A document was closed: its saved text counts again."""
        if self.open_texts.pop(file, None) is not None:
            try:
                text = (self.root / file).read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                self.project.files.pop(file, None)
                assemble(self.project)
                self._check()
                return
            self.change(file, text)
            self.open_texts.pop(file, None)

    def _check(self) -> None:
        self.result = check_needs(self.project.records, self.context, self.project.references)

    def text_of(self, file: str) -> str:
        """The file's text as the editor holds it, else as saved ("" when unreadable)."""
        if file in self.open_texts:
            return self.open_texts[file]
        try:
            return (self.root / file).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    @property
    def graph(self) -> Any:
        """The need graph of the last check."""
        assert self.result is not None
        return self.result.graph

    # -- diagnostics -------------------------------------------------------------------

    def problems(self) -> dict[str, list[Problem]]:
        """Every finding, by file, each where its fix goes; files that cannot be read too."""
        assert self.result is not None
        by_file: dict[str, list[Problem]] = {file: [] for file in self.project.files}
        lines_of: dict[str, list[str]] = {}

        def lines(file: str) -> list[str]:
            if file not in lines_of:
                lines_of[file] = self.text_of(file).splitlines()
            return lines_of[file]

        graph = self.graph
        for finding in self.result.findings:
            record = _finding_record(graph, finding)
            if finding.rule == "RBM010" and record is not None:
                for wrong, suggestions in _dead_targets(graph, record):
                    span = _find_word(lines(finding.file), finding.file, finding.line, wrong)
                    suggestion = suggestions[0] if len(suggestions) == 1 else ""
                    by_file.setdefault(finding.file, []).append(
                        Problem(span, finding, wrong, suggestion)
                    )
                continue
            if finding.rule == "RBM014":
                span = _find_word(lines(finding.file), finding.file, finding.line, finding.need)
                close = closest_ids(finding.need, graph.by_id)
                by_file.setdefault(finding.file, []).append(
                    Problem(span, finding, finding.need, close[0] if len(close) == 1 else "")
                )
                continue
            by_file.setdefault(finding.file, []).append(
                Problem(_line_span(lines(finding.file), finding.file, finding.line), finding)
            )
        for file, error in self.bad_input.items():
            finding = Finding(
                file=file,
                line=error.line or 1,
                rule="bad-input",
                need="",
                severity="error",
                message=error.message,
                hint=error.hint,
            )
            by_file.setdefault(file, []).append(
                Problem(_line_span(lines(file), file, error.line or 1), finding)
            )
        for file, reason in self.project.fallback.items():
            finding = Finding(
                file=file,
                line=1,
                rule="read-through-sphinx",
                need="",
                severity="information",
                message=f"the editor does not check this page: {reason}",
                hint="`rbmdocs check` reads it through Sphinx",
            )
            by_file.setdefault(file, []).append(Problem(Span(file, 0, 0, 0), finding))
        return by_file

    # -- completion --------------------------------------------------------------------

    def completions(self, file: str, line: int, character: int) -> list[Completion]:
        """The IDs a link option (or a ``{need}`` reference) may name at the cursor."""
        lines = self.text_of(file).splitlines()
        if line >= len(lines) + 1:
            return []
        current = lines[line] if line < len(lines) else ""
        before = current[:character]
        role = _ROLE_BEFORE_CURSOR.search(before)
        if role is not None:
            typed = role.group(1)
            candidates = [record.id for record in self.graph]
        else:
            found = self._link_at(file, lines, line, before)
            if found is None:
                return []
            need_type, link_name, typed = found
            candidates = allowed_target_ids(self.graph, need_type, link_name)
        replace = Span(file, line, character - len(typed), character)
        wanted = typed.upper()
        graph = self.graph
        return [
            Completion(need_id, graph.need(need_id).title, graph.need(need_id).type, replace)
            for need_id in sorted(candidates, key=natural_key)
            if need_id.upper().startswith(wanted)
        ]

    def _link_at(
        self, file: str, lines: list[str], line: int, before: str
    ) -> tuple[str, str, str] | None:
        """(need type, link option, ID typed so far) when the cursor is in a link's value."""
        typed_match = re.search(r"([A-Za-z0-9_]*)$", before)
        typed = typed_match.group(1) if typed_match else ""
        if file.endswith(".md"):
            option = _MARKDOWN_OPTION.match(before)
            if option is None or ":" not in before[len(option.group(1)) + 1 :]:
                return None
            need_type = _enclosing_need_type(lines, line)
            spec = NEED_TYPES_BY_NAME.get(need_type or "")
            if spec is None or option.group(2) not in {link.name for link in spec.links}:
                return None
            return spec.directive, option.group(2), typed
        if not file.endswith(".yaml"):
            return None
        key = _YAML_KEY.match(before)
        if key is not None and key.group(2) in _YAML_LINKS:
            return _YAML_LINKS[key.group(2)], key.group(2), typed
        item = _YAML_ITEM.match(before)
        if item is None:
            return None
        indent = len(item.group(1))
        for above in range(line - 1, -1, -1):
            text = lines[above]
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            other_item = _YAML_ITEM.match(text)
            if other_item is not None and len(other_item.group(1)) == indent:
                continue
            owner = _YAML_KEY.match(text)
            if owner is not None and owner.group(2) in _YAML_LINKS and not owner.group(3).strip():
                return _YAML_LINKS[owner.group(2)], owner.group(2), typed
            return None
        return None

    # -- what is under the cursor ------------------------------------------------------

    def id_at(self, file: str, line: int, character: int) -> tuple[str, Span] | None:
        """The need ID under the cursor (one the graph knows, or a dead link's)."""
        lines = self.text_of(file).splitlines()
        if line >= len(lines):
            return None
        for match in _WORD.finditer(lines[line]):
            if match.start() <= character <= match.end():
                word = match.group()
                if word in self.graph or (ID_PATTERN.fullmatch(word) and "_" in word):
                    return word, Span(file, line, match.start(), match.end())
        return None

    def hover(self, need_id: str) -> str:
        """Title, type, status and the chain up to the strategic objective, in Markdown."""
        record = self.graph.need(need_id)
        if record is None:
            return f"**{need_id}**: no need has this ID"
        type_label = label(f"type.{record.type}", "en")
        lines = [f"**{record.id}** {record.title}", "", f"{type_label}"]
        status = record.fields.get("status", "")
        if status:
            lines[-1] += f" · status: {status}"
        lines[-1] += f" · {record.file}:{record.line or 1}"
        chain = _chain_up(trace_tree(self.graph, need_id, "up")[0])
        if len(chain) > 1:
            lines += ["", " → ".join(chain)]
        return "\n".join(lines)

    def definition(self, need_id: str) -> Span | None:
        """Where the need is written: its ID in its file."""
        record = self.graph.need(need_id)
        if record is None:
            return None
        lines = self.text_of(record.file).splitlines()
        return _find_word(lines, record.file, record.line or 1, need_id)

    def references(self, need_id: str, *, declaration: bool) -> list[Span]:
        """Every place that names the need: links of other needs and ``{need}`` references."""
        graph = self.graph
        found: list[Span] = []
        if declaration and (span := self.definition(need_id)) is not None:
            found.append(span)
        for source_id in sorted(set(graph.sources(need_id)), key=natural_key):
            source = graph.need(source_id)
            if source is not None:
                lines = self.text_of(source.file).splitlines()
                found.append(_find_word(lines, source.file, source.line or 1, need_id))
        for reference in graph.references:
            if reference.target == need_id:
                lines = self.text_of(reference.file).splitlines()
                found.append(_find_word(lines, reference.file, reference.line or 1, need_id))
        return found

    def rename(self, need_id: str, new_id: str) -> dict[str, list[Span]]:
        """Every whole-word occurrence of the ID in every file that names it, by file."""
        graph = self.graph
        files: set[str] = set()
        record = graph.need(need_id)
        if record is not None:
            files.add(record.file)
        files.update(
            source.file
            for source_id in graph.sources(need_id)
            if (source := graph.need(source_id)) is not None
        )
        files.update(ref.file for ref in graph.references if ref.target == need_id)
        pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(need_id)}(?![A-Za-z0-9_])")
        edits: dict[str, list[Span]] = {}
        for file in sorted(files):
            for number, text in enumerate(self.text_of(file).splitlines()):
                for match in pattern.finditer(text):
                    edits.setdefault(file, []).append(
                        Span(file, number, match.start(), match.end())
                    )
        return edits

    def symbols_of(self, file: str) -> list[NeedRecord]:
        """The needs written in one file, in the order written."""
        found = self.project.files.get(file)
        return list(found.records) if found is not None else []

    def search(self, query: str, most: int = 200) -> list[NeedRecord]:
        """Needs whose ID or title holds the query (any case)."""
        wanted = query.casefold()
        return list(_first(most, self._matching(wanted)))

    def _matching(self, wanted: str) -> Iterator[NeedRecord]:
        for record in self.graph:
            if wanted in record.id.casefold() or wanted in record.title.casefold():
                yield record


def _first(most: int, items: Iterator[NeedRecord]) -> Iterator[NeedRecord]:
    for count, item in enumerate(items):
        if count >= most:
            return
        yield item


def _finding_record(graph: Any, finding: Finding) -> NeedRecord | None:
    record: NeedRecord | None = graph.need(finding.need)
    if record is not None and record.file == finding.file and record.line == finding.line:
        return record
    return None


def _dead_targets(graph: Any, record: NeedRecord) -> list[tuple[str, list[str]]]:
    from rbmdocs.graph.rules import dead_link_suggestions

    found: list[tuple[str, list[str]]] = dead_link_suggestions(graph, record)
    return found


def _line_span(lines: list[str], file: str, line: int) -> Span:
    """The written part of a 1-based line."""
    index = max(line - 1, 0)
    text = lines[index] if index < len(lines) else ""
    start = len(text) - len(text.lstrip())
    return Span(file, index, start, len(text))


def _find_word(lines: list[str], file: str, line: int, word: str) -> Span:
    """The first whole-word ``word`` from the 1-based ``line`` on (else that line)."""
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")
    for index in range(max(line - 1, 0), min(len(lines), line + 200)):
        match = pattern.search(lines[index])
        if match is not None:
            return Span(file, index, match.start(), match.end())
    return _line_span(lines, file, line)


def _enclosing_need_type(lines: list[str], line: int) -> str | None:
    """The need directive the line stands in (the nearest opening above it)."""
    for index in range(line, -1, -1):
        opening = _NEED_OPENING.match(lines[index]) if index < len(lines) else None
        if opening is not None:
            return opening.group(1)
    return None


def _chain_up(root: TraceNode) -> list[str]:
    """The first path from the need up to a strategic objective, as IDs."""
    path: list[str] = []

    def walk(node: TraceNode) -> bool:
        path.append(node.need_id)
        if node.need_type == "strategic-objective":
            return True
        for child in node.children:
            if not child.repeated and walk(child):
                return True
        path.pop()
        return False

    if walk(root):
        return path
    return [root.need_id]
