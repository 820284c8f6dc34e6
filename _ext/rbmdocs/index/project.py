"""The whole project's needs from the index: which files, in which order, cached by content.

The build takes the DWCP files' needs first (``sphinx/checking.py``), then the documents
in name order, of which sphinx-needs keeps the first need of an ID; the build notes each
later one as it was written, without its options (``sphinx/directives.py``). The index
meets the IDs in the same order, so a duplicate is the same record either way.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from rbmdocs import __version__
from rbmdocs.files import keep_for_next_build
from rbmdocs.graph.model import NeedRecord, NeedReference
from rbmdocs.index.files import FileIndex, docname_of, read_dwcp
from rbmdocs.index.settings import IndexSettings
from rbmdocs.load.errors import BadInputError

#: Bumped whenever what a cached FileIndex holds changes shape or meaning.
INDEX_FORMAT = 1

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def _code_stamp() -> tuple[tuple[str, int, int], ...]:
    """The modules that decide what a file reads as, by modification time and size.

    Part of the cache's format, so that a changed reader (an upgrade, or a developer's
    edit to an installed-in-place rbmdocs) never serves what the old one read.
    """
    modules = [
        *sorted((_PACKAGE / "index").glob("*.py")),
        *sorted((_PACKAGE / "load").glob("*.py")),
        _PACKAGE / "load" / "dwcp.schema.json",
        _PACKAGE / "schema.py",
        _PACKAGE / "graph" / "model.py",
    ]
    stamp = []
    for module in modules:
        try:
            status = module.stat()
        except OSError:
            continue
        stamp.append((module.name, status.st_mtime_ns, status.st_size))
    return tuple(stamp)


CACHE_FOLDER = Path("_build") / ".work" / "index"


@dataclass(slots=True)
class IndexedProject:
    """Every need and prose reference of the project, as the build would record them."""

    records: list[NeedRecord] = field(default_factory=list)
    references: list[NeedReference] = field(default_factory=list)
    files: dict[str, FileIndex] = field(default_factory=dict)
    """Each source file's own reading, by project-relative path, in reading order."""
    fallback: dict[str, str] = field(default_factory=dict)
    """Files the index could not read exactly, with why: read them through Sphinx."""
    reread: list[str] = field(default_factory=list)
    """Files read this time (not taken from the cache)."""


@cache
def _pattern(glob: str) -> re.Pattern[str]:
    """A Sphinx exclude pattern as a regular expression over a ``/`` path.

    ``**`` crosses folders, ``*`` and ``?`` stay within one, ``[...]`` is a class, as
    Sphinx matches ``exclude_patterns``.
    """
    out: list[str] = []
    index, length = 0, len(glob)
    while index < length:
        char = glob[index]
        index += 1
        if char == "*":
            if index < length and glob[index] == "*":
                index += 1
                out.append(".*")
            else:
                out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find("]", index)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[index:end]
                index = end + 1
                if body.startswith("!"):
                    body = "^/" + body[1:]
                out.append(f"[{body}]")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out) + r"\Z")


def _excluded(path: str, patterns: tuple[str, ...]) -> bool:
    return any(_pattern(glob).match(path) for glob in patterns)


def is_document(settings: IndexSettings, file: str) -> bool:
    """Whether Sphinx would read ``file`` (project-relative) as a document of the project."""
    if not file.endswith(settings.suffixes) or file.startswith("../"):
        return False
    parts = file.split("/")
    return not any(
        _excluded("/".join(parts[: depth + 1]), settings.exclude_patterns)
        for depth in range(len(parts))
    )


def project_files(settings: IndexSettings) -> list[str]:
    """Every source document Sphinx would read, project-relative, in its reading order."""
    root = settings.srcdir
    found: list[str] = []
    for folder, subfolders, names in os.walk(root):
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        subfolders[:] = sorted(
            name for name in subfolders if not _excluded(prefix + name, settings.exclude_patterns)
        )
        for name in names:
            path = prefix + name
            if name.endswith(settings.suffixes) and not _excluded(path, settings.exclude_patterns):
                found.append(path)
    dwcp_folder = settings.dwcp_dir + "/"
    by_name = sorted(found, key=docname_of)
    return sorted(by_name, key=lambda path: not path.startswith(dwcp_folder))


def _domain(docname: str, compact: bool | str) -> str:
    """The catalogue a page's strings are in, as Sphinx names it (``gettext_compact``)."""
    if isinstance(compact, str):
        return compact
    return docname.split("/", 1)[0] if compact else docname


class Catalogues:
    """Each domain's ``.po`` file: its bytes (for the cache key) and, when asked, its strings."""

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        self._paths: dict[str, Path | None] = {}
        self._strings: dict[str, dict[str, str]] = {}
        self._stamps: dict[str, tuple[int, int, str]] = {}

    def path(self, docname: str) -> Path | None:
        domain = _domain(docname, self.settings.gettext_compact)
        if domain not in self._paths:
            language = self.settings.language
            candidates = [
                self.settings.srcdir / folder / language / "LC_MESSAGES" / f"{domain}.po"
                for folder in self.settings.locale_dirs
            ]
            self._paths[domain] = next((path for path in candidates if path.is_file()), None)
        return self._paths[domain]

    def stamp(self, docname: str) -> tuple[int, int, str] | None:
        """What says the catalogue changed: its modification time, size and content hash."""
        path = self.path(docname)
        if path is None:
            return None
        key = str(path)
        if key not in self._stamps:
            data = path.read_bytes()
            status = path.stat()
            digest = hashlib.blake2b(data, digest_size=20).hexdigest()
            self._stamps[key] = (status.st_mtime_ns, status.st_size, digest)
        return self._stamps[key]

    def strings(self, docname: str) -> dict[str, str]:
        """Translations as Sphinx compiles them: no fuzzy entry, no empty one."""
        path = self.path(docname)
        if path is None:
            return {}
        key = str(path)
        if key not in self._strings:
            from rbmdocs.catalogues import read_catalogue

            shown = path.relative_to(self.settings.srcdir).as_posix()
            catalogue = read_catalogue(path, self.settings.language, shown_as=shown)
            # keyed as gettext keys a compiled catalogue: "context\x04message", or the message
            self._strings[key] = {
                (f"{message.context}\x04{message.id}" if message.context else str(message.id)): str(
                    message.string
                )
                for message in catalogue
                if message.id
                and isinstance(message.id, str)
                and isinstance(message.string, str)
                and message.string
                and not message.fuzzy
            }
        return self._strings[key]


#: A FileIndex as plain values (``marshal`` reads those ten times faster than ``pickle``
#: reads the objects): file, document, records, parents, titles as written, references,
#: their parents, fallback.
_Plain = tuple[Any, ...]
#: What a file's cache entry was made from: its ``os.stat`` (modification time in
#: nanoseconds, size, inode) and what else it depends on (settings, its catalogue's stat).
_Stamp = tuple[Any, ...]


def _to_plain(found: FileIndex) -> _Plain:
    return (
        found.file,
        found.docname,
        [
            (
                r.id,
                r.type,
                r.file,
                r.line,
                r.title,
                dict(r.fields),
                dict(r.links),
                r.id_given,
                dict(r.field_lines),
            )
            for r in found.records
        ],
        found.parents,
        found.titles_as_written,
        [(ref.target, ref.file, ref.line) for ref in found.references],
        found.reference_parents,
        found.fallback,
    )


def _from_plain(plain: _Plain) -> FileIndex:
    file, docname, records, parents, titles, references, reference_parents, fallback = plain
    return FileIndex(
        file,
        docname,
        [NeedRecord(*record) for record in records],
        list(parents),
        list(titles),
        [NeedReference(*reference) for reference in references],
        list(reference_parents),
        fallback,
    )


def _format() -> tuple[Any, ...]:
    return (INDEX_FORMAT, __version__, _code_stamp())


class _Cache:
    """Each file's FileIndex by the content hash of what it depends on, one file a language.

    An entry is taken without reading its file when the file's ``os.stat`` and what else
    it depends on are as they were; else the file is read and hashed, and taken when the
    hash is the same (a file touched but not changed). The cache is written whole to a
    temporary file and renamed into place, so a reader (another command, the language
    server) never reads half of it.
    """

    def __init__(self, settings: IndexSettings) -> None:
        self.path = settings.srcdir / CACHE_FOLDER / f"{settings.language}.marshal"
        self.entries: dict[str, tuple[str, _Stamp, _Plain]] = {}
        self.changed = False
        try:
            data = self.path.read_bytes()
            stored = marshal.loads(data)
            if isinstance(stored, dict) and stored.get("format") == _format():
                self.entries = stored["entries"]
        except (OSError, ValueError, EOFError, TypeError, KeyError):
            self.entries = {}

    def by_stamp(self, file: str, stamp: _Stamp) -> FileIndex | None:
        entry = self.entries.get(file)
        return _from_plain(entry[2]) if entry is not None and entry[1] == stamp else None

    def by_key(self, file: str, key: str, stamp: _Stamp) -> FileIndex | None:
        entry = self.entries.get(file)
        if entry is None or entry[0] != key:
            return None
        self.entries[file] = (key, stamp, entry[2])
        self.changed = True
        return _from_plain(entry[2])

    def put(self, file: str, key: str, stamp: _Stamp, found: FileIndex) -> None:
        self.entries[file] = (key, stamp, _to_plain(found))
        self.changed = True

    def keep_only(self, files: set[str]) -> None:
        gone = [file for file in self.entries if file not in files]
        for file in gone:
            del self.entries[file]
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        keep_for_next_build(
            self.path, marshal.dumps({"format": _format(), "entries": self.entries})
        )


def read_file(
    settings: IndexSettings, file: str, data: bytes, catalogue: Callable[[], Mapping[str, str]]
) -> FileIndex:
    """One file's FileIndex from its bytes (``catalogue`` gives its page's translations).

    Raises ``BadInputError`` for a DWCP file that cannot be read, as the build does.
    """
    docname = docname_of(file)
    if settings.project_fallback:
        return FileIndex(file, docname, fallback=settings.project_fallback)
    if file.endswith(".yaml"):
        if file.rpartition("/")[0] != settings.dwcp_dir:
            return FileIndex(file, docname)  # the build warns and shows an empty page
        from rbmdocs.load.yaml_source import decode_yaml_bytes

        return read_dwcp(decode_yaml_bytes(data, file), file, settings.language, catalogue())
    if file.endswith(".md"):
        from rbmdocs.index.markdown import read_markdown  # the parser only when needed

        text = data.decode("utf-8-sig", errors="replace")
        return read_markdown(text, file, catalogue(), settings.myst_extensions)
    return FileIndex(file, docname, fallback="the index reads Markdown and DWCP YAML only")


#: Below this many files to read, reading them in other processes costs more than it saves.
_FILES_WORTH_A_POOL = 64


@dataclass(slots=True)
class _ToRead:
    """A file whose cache entry is missing or stale: its bytes, key and stamp."""

    file: str
    data: bytes
    key: str
    stamp: _Stamp


def index_project(
    settings: IndexSettings,
    overrides: Mapping[str, str] | None = None,
    *,
    use_cache: bool = True,
    workers: int = 1,
) -> IndexedProject:
    """Read every need of the project, taking each unchanged file from the cache.

    ``overrides`` gives the text of files as an editor holds them (unsaved), by
    project-relative path; those are read from the text given and never cached.
    ``workers`` above one reads many changed files (a first run) in that many processes.
    """
    overrides = overrides or {}
    files = project_files(settings)
    for file in overrides:
        if file not in files and is_document(settings, file):
            files.append(file)  # a new page not saved yet
    catalogues = Catalogues(settings)
    store = _Cache(settings) if use_cache else None
    project = IndexedProject()
    base = settings.cache_key()
    found_by_file: dict[str, FileIndex] = {}
    to_read: list[_ToRead] = []
    for file in files:
        found = _from_cache(settings, file, overrides, catalogues, store, base)
        if isinstance(found, FileIndex):
            found_by_file[file] = found
        elif found is not None:
            to_read.append(found)
    for item, read in zip(to_read, _read_all(settings, to_read, workers), strict=True):
        found_by_file[item.file] = read
        project.reread.append(item.file)
        if store is not None and item.file not in overrides:
            store.put(item.file, item.key, item.stamp, read)
    project.files = {file: found_by_file[file] for file in files if file in found_by_file}
    if store is not None:
        store.keep_only(set(files))
        store.save()
    assemble(project)
    return project


def _from_cache(
    settings: IndexSettings,
    file: str,
    overrides: Mapping[str, str],
    catalogues: Catalogues,
    store: _Cache | None,
    base: str,
) -> FileIndex | _ToRead | None:
    """A file's FileIndex from the cache when its stamp or content is unchanged.

    Else what to read, or None when the file is gone.
    """
    docname = docname_of(file)
    if file in overrides:
        return _ToRead(file, overrides[file].encode("utf-8"), "", ())
    path = settings.srcdir / file
    try:
        status = path.stat()
    except OSError:
        return None  # removed meanwhile
    depends = (base, catalogues.stamp(docname))
    stamp = (status.st_mtime_ns, status.st_size, status.st_ino, depends)
    if store is not None and (unchanged := store.by_stamp(file, stamp)) is not None:
        return unchanged
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(repr(depends).encode())
    key = digest.hexdigest()
    if store is not None and (same := store.by_key(file, key, stamp)) is not None:
        return same
    return _ToRead(file, data, key, stamp)


def _read_all(settings: IndexSettings, to_read: list[_ToRead], workers: int) -> list[FileIndex]:
    """Read the files, in other processes when there are many; the first bad one raises."""
    if workers < 2 or len(to_read) < _FILES_WORTH_A_POOL:
        catalogues = Catalogues(settings)
        return [
            read_file(
                settings, item.file, item.data, partial(catalogues.strings, docname_of(item.file))
            )
            for item in to_read
        ]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    jobs = [(item.file, item.data) for item in to_read]
    chunk = max(1, len(jobs) // (workers * 4))
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        outcomes = list(pool.map(partial(_read_in_worker, settings), jobs, chunksize=chunk))
    read: list[FileIndex] = []
    for outcome in outcomes:
        if isinstance(outcome, FileIndex):
            read.append(outcome)
        else:
            raise BadInputError(*outcome)
    return read


def _read_in_worker(
    settings: IndexSettings, job: tuple[str, bytes]
) -> FileIndex | tuple[str, int | None, str, str]:
    """``read_file`` in a worker process; bad input comes back as its four fields."""
    file, data = job
    catalogues = Catalogues(settings)
    try:
        return read_file(settings, file, data, partial(catalogues.strings, docname_of(file)))
    except BadInputError as error:
        return (error.file, error.line, error.message, error.hint)


def assemble(project: IndexedProject) -> None:
    """Meet the IDs in reading order: a later need of a taken ID is noted bare, as written.

    Fills ``records``, ``references`` and ``fallback`` from ``files`` (whose order is the
    reading order); an editor calls it again after putting in one file read anew.
    """
    project.records, project.references, project.fallback = [], [], {}
    taken: set[str] = set()
    live: list[NeedRecord] = []
    dropped: list[NeedRecord] = []
    for file, found in project.files.items():
        if found.fallback:
            project.fallback[file] = found.fallback
            continue
        refused: set[int] = set()
        for index, record in enumerate(found.records):
            if found.parents[index] in refused:
                refused.add(index)  # inside a refused need: never read
                continue
            if record.id in taken:
                refused.add(index)
                dropped.append(
                    NeedRecord(
                        id=record.id,
                        type=record.type,
                        file=record.file,
                        line=record.line,
                        title=found.titles_as_written[index],
                    )
                )
                continue
            taken.add(record.id)
            live.append(record)
        project.references.extend(
            reference
            for reference, parent in zip(found.references, found.reference_parents, strict=True)
            if parent not in refused
        )
    project.records = live + dropped
