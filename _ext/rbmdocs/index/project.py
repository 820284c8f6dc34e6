"""The whole project's needs from the index: which files, in which order, cached by content.

Sphinx reads the documents in name order, the DWCP pages first (``sphinx/tables.py``),
and sphinx-needs keeps the first need of an ID; the build notes each later one as it was
written, without its options (``sphinx/directives.py``). The index meets the IDs in the
same order, so a duplicate is the same record either way.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

from rbmdocs import __version__
from rbmdocs.graph.model import NeedRecord, NeedReference
from rbmdocs.index.files import FileIndex, docname_of, read_dwcp
from rbmdocs.index.settings import IndexSettings

#: Bumped whenever what a cached FileIndex holds changes shape or meaning.
INDEX_FORMAT = 1
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

    def stamp(self, docname: str) -> bytes:
        path = self.path(docname)
        return path.read_bytes() if path is not None else b""

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
            self._strings[key] = {
                str(message.id): str(message.string)
                for message in catalogue
                if message.id
                and isinstance(message.id, str)
                and not message.context
                and isinstance(message.string, str)
                and message.string
                and not message.fuzzy
            }
        return self._strings[key]


class _Cache:
    """The FileIndex of each file by the hash of what it depends on, one file per language.

    Written whole to a temporary file and renamed into place, so a reader (another
    command, the language server) never reads half of it.
    """

    def __init__(self, settings: IndexSettings) -> None:
        self.path = settings.srcdir / CACHE_FOLDER / f"{settings.language}.pickle"
        self.entries: dict[str, tuple[str, FileIndex]] = {}
        self.changed = False
        try:
            with self.path.open("rb") as stream:
                stored = pickle.load(stream)
            if isinstance(stored, dict) and stored.get("format") == (INDEX_FORMAT, __version__):
                self.entries = stored["entries"]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, TypeError):
            self.entries = {}

    def get(self, file: str, key: str) -> FileIndex | None:
        entry = self.entries.get(file)
        return entry[1] if entry is not None and entry[0] == key else None

    def put(self, file: str, key: str, found: FileIndex) -> None:
        self.entries[file] = (key, found)
        self.changed = True

    def keep_only(self, files: set[str]) -> None:
        gone = [file for file in self.entries if file not in files]
        for file in gone:
            del self.entries[file]
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as stream:
                pickle.dump(
                    {"format": (INDEX_FORMAT, __version__), "entries": self.entries},
                    stream,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
            temporary.replace(self.path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a cache that cannot be written is no error


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

        return read_dwcp(decode_yaml_bytes(data, file), file, settings.language)
    if file.endswith(".md"):
        from rbmdocs.index.markdown import read_markdown  # the parser only when needed

        text = data.decode("utf-8-sig", errors="replace")
        return read_markdown(text, file, catalogue(), settings.myst_extensions)
    return FileIndex(file, docname, fallback="the index reads Markdown and DWCP YAML only")


def index_project(
    settings: IndexSettings,
    overrides: Mapping[str, str] | None = None,
    *,
    use_cache: bool = True,
) -> IndexedProject:
    """Read every need of the project, taking each unchanged file from the cache.

    ``overrides`` gives the text of files as an editor holds them (unsaved), by
    project-relative path; those are read from the text given and never cached.
    """
    overrides = overrides or {}
    files = project_files(settings)
    for file in overrides:
        if file not in files and file.endswith((".md", ".yaml")):
            files.append(file)  # a new page not saved yet
    catalogues = Catalogues(settings)
    store = _Cache(settings) if use_cache else None
    project = IndexedProject()
    base = settings.cache_key()
    for file in files:
        docname = docname_of(file)
        if file in overrides:
            data = overrides[file].encode("utf-8")
        else:
            try:
                data = (settings.srcdir / file).read_bytes()
            except OSError:
                continue  # removed meanwhile
        digest = hashlib.blake2b(data, digest_size=20)
        digest.update(base.encode())
        if file.endswith(".md"):
            digest.update(catalogues.stamp(docname))
        key = digest.hexdigest()
        found = store.get(file, key) if store is not None and file not in overrides else None
        if found is None:
            found = read_file(settings, file, data, partial(catalogues.strings, docname))
            project.reread.append(file)
            if store is not None and file not in overrides:
                store.put(file, key, found)
        project.files[file] = found
    if store is not None:
        store.keep_only(set(files))
        store.save()
    assemble(project)
    return project


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
