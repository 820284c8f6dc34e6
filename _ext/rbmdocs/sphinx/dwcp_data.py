"""The DWCP YAML files as data of the build, read with our own loader, not as documents.

A DWCP page is made from records, not written prose: parsing, transforming, pickling and
resolving it as a Sphinx document, and handing every one of its needs to sphinx-needs,
cost a build of thousands of programmes most of its time, and every build paid for the
sphinx-needs part again. So the files are read here, once per build, before Sphinx reads
any document (``env-get-outdated``): each file whose ``os.stat`` is unchanged comes from a
cache beside the doctrees, with its page's records in the build language, so an
unchanged file is neither parsed nor turned into records again. What is read serves

* the traceability check and every generated table (``checking.collect_records`` merges
  these records with the Markdown needs sphinx-needs read);
* the DWCP pages, written by ``dwcp_pages`` through ``html-collect-pages``;
* sphinx-needs, which is given as external needs only the programmes' needs the prose
  names (``dwcp_external``).

Bad input is reported as it was when the files were documents: one message at the file
and line, and the programme has no page.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import weakref
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.matching import Matcher

from rbmdocs import __version__
from rbmdocs.config import settings
from rbmdocs.files import keep_for_next_build
from rbmdocs.graph.model import NeedRecord, yaml_need_record
from rbmdocs.load import (
    BadInputError,
    DwcpFile,
    DwcpPriority,
    YamlNeed,
    find_dwcp_files,
    pick_language,
    read_dwcp_file,
)
from rbmdocs.render.collation import sort_key
from rbmdocs.sphinx.i18n import document_catalogue

logger = logging.getLogger(__name__)

#: The cache of parsed files, beside the doctrees of the language it serves: a folder of
#: shards, each file's entry in the shard its name falls in (``cache_shard``).
CACHE_FOLDER = "rbmdocs-dwcp-cache"
#: How many shards: a one-file edit rewrites one shard, a sixteenth of the cache.
_SHARDS = 16
#: The single cache file of earlier versions, removed when the shards are written.
_FORMER_CACHE_FILE = "rbmdocs-dwcp.marshal"
#: Bumped whenever what the cache holds changes shape or meaning.
_CACHE_FORMAT = 3


@dataclass(slots=True)
class DwcpPage:
    """One programme as its page shows it, in the build language."""

    file: str
    """The YAML file, project-relative with ``/``."""
    pagename: str
    """The page's name, the file's path without ``.yaml`` (``data/dwcp/GHA``)."""
    source: _CachedFile
    """The parsed file, unpacked from the cache only when asked for (``loaded``)."""
    dwcp_id: str
    """The programme's need ID."""
    titles: dict[str, str]
    """Need ID → its title as the page shows it (a programme's is its country)."""
    records: list[NeedRecord]
    """The file's needs as the traceability engine sees them, in file order."""
    sections: dict[str, str]
    """Need ID → the heading it stands under on the page (``_sections``)."""
    digest: str = ""
    """What the page shows of its own file, in the build language, as a digest."""

    @property
    def loaded(self) -> DwcpFile:
        """The parsed file: what the page's body is laid out from."""
        return self.source.loaded

    @property
    def country(self) -> str:
        """The page's title: the programme's country."""
        return self.titles.get(self.dwcp_id, "") or self.dwcp_id


@dataclass(slots=True)
class DwcpData:
    """Every programme of this build, by page name in name order."""

    pages: dict[str, DwcpPage] = field(default_factory=dict)
    bad_input: dict[str, str] = field(default_factory=dict)
    """File → the message of a file that could not be read (it has no page)."""
    sections: dict[str, str] = field(default_factory=dict)
    """Need ID → the heading it stands under on its page, as ``note_need_texts`` notes it."""
    changed_files: set[str] = field(default_factory=set)
    """Files added, changed (their text or translation) or removed since the last build."""

    def records(self) -> list[NeedRecord]:
        """Every need of every programme, page by page in file order."""
        return [record for page in self.pages.values() for record in page.records]

    def page_of_file(self) -> dict[str, str]:
        """Project-relative YAML file → its page's name."""
        return {page.file: page.pagename for page in self.pages.values()}

    def in_country_order(self, language: str) -> list[DwcpPage]:
        """The pages in the order of their countries' names in the build language."""
        return sorted(
            self.pages.values(), key=lambda page: (sort_key(page.country, language), page.pagename)
        )


#: This build's DWCP data, per environment (read again by every build, never pickled).
_data: weakref.WeakKeyDictionary[BuildEnvironment, DwcpData] = weakref.WeakKeyDictionary()
#: The environment attribute (pickled with it) holding each file's digest as last read.
_DIGESTS = "rbmdocs_dwcp_digests"


def dwcp_data(env: BuildEnvironment) -> DwcpData:
    """The programmes of this build (empty before ``load_dwcp_data`` ran)."""
    return _data.get(env) or DwcpData()


def dwcp_folder(env: BuildEnvironment) -> str:
    """The DWCP folder, project-relative without slashes at either end."""
    return str(settings(env.config).dwcp_dir).strip("/")


def _code_stamp() -> tuple[object, ...]:
    """What decides how a file reads: rbmdocs' version and the loader's modules."""
    load = Path(__file__).resolve().parent.parent / "load"
    stamp: list[object] = [__version__, _CACHE_FORMAT]
    for module in sorted(load.iterdir()):
        if module.suffix in {".py", ".json"}:
            status = module.stat()
            stamp.append((module.name, status.st_mtime_ns, status.st_size))
    return tuple(stamp)


#: A file's ``os.stat``: modification time in nanoseconds, size, inode.
_Stamp = tuple[int, int, int]


class _CachedFile:
    """One file as the cache holds it: parsed, and its page as last made (plain values).

    The parsed file is kept packed (``marshal`` bytes) and unpacked when first asked for:
    an unchanged page's records, titles and sections are in ``made``, so a rebuild
    unpacks only the files whose pages it writes.
    """

    __slots__ = ("_loaded", "_packed", "made", "stamp")

    def __init__(
        self,
        stamp: _Stamp,
        loaded: DwcpFile | None = None,
        packed: bytes | None = None,
        made: tuple[Any, ...] | None = None,
    ) -> None:
        if loaded is None and packed is None:
            raise ValueError("a cached file is parsed or packed")
        self.stamp = stamp
        self._loaded = loaded
        self._packed = packed
        self.made = made
        """(catalogue stamp, records, titles, digest, fallbacks, sections) of the page."""

    @property
    def loaded(self) -> DwcpFile:
        """The parsed file, unpacked the first time."""
        if self._loaded is None:
            assert self._packed is not None
            self._loaded = _file_from(marshal.loads(self._packed))
        return self._loaded

    @property
    def packed(self) -> bytes:
        """The parsed file as the cache holds it, packed the first time."""
        if self._packed is None:
            self._packed = marshal.dumps(_file_plain(self.loaded))
        return self._packed


def _need_plain(need: YamlNeed) -> tuple[Any, ...]:
    return (
        need.need_type,
        need.id,
        need.line,
        dict(need.title),
        {name: dict(text) for name, text in need.texts.items()},
        dict(need.fields),
        {name: list(targets) for name, targets in need.links.items()},
        dict(need.field_lines),
    )


def _need_from(plain: tuple[Any, ...]) -> YamlNeed:
    return YamlNeed(*plain)


def _file_plain(loaded: DwcpFile) -> tuple[Any, ...]:
    priorities = [
        (_need_plain(priority.need), [_need_plain(cpo) for cpo in priority.cpos])
        for priority in loaded.priorities
    ]
    return (loaded.file, _need_plain(loaded.dwcp), priorities)


def _file_from(plain: tuple[Any, ...]) -> DwcpFile:
    file, dwcp, priorities = plain
    return DwcpFile(
        file,
        _need_from(dwcp),
        [
            DwcpPriority(_need_from(need), [_need_from(cpo) for cpo in cpos])
            for need, cpos in priorities
        ],
    )


def _record_plain(record: NeedRecord) -> tuple[Any, ...]:
    return (
        record.id,
        record.type,
        record.file,
        record.line,
        record.title,
        dict(record.fields),
        {name: list(targets) for name, targets in record.links.items()},
        record.id_given,
        dict(record.field_lines),
    )


def cache_shard(file: str) -> int:
    """The shard a file's entry is kept in: the same for a name in every run and machine."""
    return zlib.crc32(file.encode("utf-8")) % _SHARDS


def _shard_path(folder: Path, shard: int) -> Path:
    return folder / f"{shard:02d}.marshal"


def _read_shard(path: Path, format_stamp: tuple[object, ...]) -> dict[str, _CachedFile]:
    try:
        stored = marshal.loads(path.read_bytes())
        if not isinstance(stored, dict) or stored.get("format") != format_stamp:
            return {}
        entries: dict[str, _CachedFile] = {}
        for file, (stamp, packed, made) in stored["entries"].items():
            if not isinstance(packed, bytes):
                raise TypeError("a file's entry of another shape")
            entries[file] = _CachedFile(tuple(stamp), packed=packed, made=made)
        return entries
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        return {}


def _read_cache(folder: Path) -> dict[str, _CachedFile]:
    """The cache, each shard empty when missing, unreadable or written by other code.

    Plain values: ``marshal`` reads them many times faster than ``pickle`` reads objects.
    An entry found in a shard its name does not fall in is no entry (a foreign file).
    """
    format_stamp = _code_stamp()
    entries: dict[str, _CachedFile] = {}
    for shard in range(_SHARDS):
        found = _read_shard(_shard_path(folder, shard), format_stamp)
        entries.update(
            (file, entry)
            for file, entry in found.items()
            if isinstance(file, str) and cache_shard(file) == shard
        )
    return entries


def _write_cache(folder: Path, entries: dict[str, _CachedFile], changed: set[str]) -> None:
    """The shards holding a changed or removed file, each written whole, then renamed.

    One file edited rewrites its shard alone, not the whole cache; a shard is written to
    a temporary file renamed into place, so that it is never read half-written.
    """
    shards = {cache_shard(file) for file in changed}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder.parent / _FORMER_CACHE_FILE).unlink(missing_ok=True)
    except OSError:
        return  # a cache that cannot be written is no error
    format_stamp = _code_stamp()
    for shard in sorted(shards):
        path = _shard_path(folder, shard)
        plain = {
            file: (list(entry.stamp), entry.packed, entry.made)
            for file, entry in entries.items()
            if cache_shard(file) == shard
        }
        # a value marshal cannot write (ValueError): the shard is read from the files again
        with contextlib.suppress(ValueError):
            keep_for_next_build(path, marshal.dumps({"format": format_stamp, "entries": plain}))


def read_dwcp_files(
    app: Sphinx,
) -> tuple[dict[str, _CachedFile], dict[str, BadInputError], set[str]]:
    """Every DWCP file of the project, parsed, or its error; unchanged files from the cache.

    The last value names the files the cache no longer holds as they are (read again,
    gone, or in error).
    """
    srcdir = Path(app.srcdir)
    folder = dwcp_folder(app.env)
    excluded = Matcher(list(app.config.exclude_patterns))
    cached = _read_cache(Path(app.doctreedir) / CACHE_FOLDER)
    found: dict[str, _CachedFile] = {}
    errors: dict[str, BadInputError] = {}
    for path in find_dwcp_files(srcdir / folder):
        file = f"{folder}/{path.name}" if folder else path.name
        if excluded(file):
            continue
        try:
            status = path.stat()
        except OSError:
            continue  # removed meanwhile
        stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
        entry = cached.get(file)
        if entry is None or entry.stamp != stamp:
            try:
                entry = _CachedFile(stamp, read_dwcp_file(path, file))
            except BadInputError as error:
                errors[file] = error
                continue
        found[file] = entry
    stale = {file for file, entry in found.items() if cached.get(file) is not entry}
    return found, errors, stale | (cached.keys() - found.keys())


class _PageMaker:
    """Turns one parsed file into its page's titles and records, in the build language."""

    def __init__(self, app: Sphinx, catalogue: dict[str, str]) -> None:
        self.language = app.config.language or "en"
        self.catalogue = catalogue
        self.fallbacks: list[tuple[str, str, int]] = []
        """(need ID, what, line) of each string shown in English for want of a translation."""

    def text(self, text: object, need: YamlNeed, what: str) -> str:
        """A string of the file in the build language: the catalogue, the file, the ID.

        The catalogue's translation (``msgctxt`` "need ID.field" on the file's source text,
        its plain string or its English) wins over a translation the file writes inline,
        which ``rbmdocs i18n update`` moves into it.
        """
        bilingual: dict[str, str] = dict(text) if isinstance(text, dict) else {}
        source = bilingual.get("*") or bilingual.get("en") or ""
        if source and self.language != "en":
            translated = self.catalogue.get(f"{need.id}.{what}\x04{source}", "")
            if translated.strip():
                return translated
        chosen, fell_back = pick_language(bilingual, self.language)
        if fell_back:
            self.fallbacks.append((need.id, what, need.line))
        return chosen or need.id


def _say_fallbacks(app: Sphinx, file: str, fallbacks: list[tuple[str, str, int]]) -> None:
    """The strings shown in English for want of a translation: said on every build."""
    language = app.config.language or "en"
    for need_id, what, line in fallbacks:
        logger.warning(
            "%s has no %s in %s; the English text is shown",
            need_id,
            what,
            language,
            type="rbmdocs",
            subtype="i18n-fallback",
            location=f"{Path(app.srcdir) / file}:{line}",
        )


def _catalogue_stamp(
    app: Sphinx, pagename: str, known: dict[str, tuple[int, ...]]
) -> tuple[int, ...]:
    """The compiled catalogues a page's strings are translated from, by modification time.

    ``known`` holds the stamps already looked up in this build, by catalogue domain: all
    the programmes share one catalogue (``data``) unless ``gettext_compact`` is off.
    """
    domain = docname_to_domain(pagename, app.config.gettext_compact)
    found = known.get(domain)
    if found is None:
        found = known[domain] = _catalogue_stamp_of(app, domain)
    return found


def _catalogue_stamp_of(app: Sphinx, domain: str) -> tuple[int, ...]:
    language = app.config.language or "en"
    stamps: list[int] = []
    for folder in app.config.locale_dirs:
        compiled = Path(app.srcdir) / folder / language / "LC_MESSAGES" / f"{domain}.mo"
        try:
            stamps.append(compiled.stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def make_page(
    app: Sphinx,
    file: str,
    entry: _CachedFile,
    catalogue_stamps: dict[str, tuple[int, ...]] | None = None,
) -> DwcpPage:
    """One programme's page: its titles and records in the build language.

    Taken from the cache when the file and its catalogue are unchanged; else made, with
    the page's catalogue (the data catalogue, ``data.po``) read once, not once per string.
    """
    pagename = file.rsplit(".", 1)[0]
    catalogue_stamp = _catalogue_stamp(
        app, pagename, {} if catalogue_stamps is None else catalogue_stamps
    )
    made = entry.made
    # (what another version left in a cache of the same stamp is made again)
    if made is not None and len(made) == 6 and tuple(made[0]) == catalogue_stamp:
        _stamp, records_plain, titles_made, digest_made, fallbacks, sections = made
        _say_fallbacks(app, file, [tuple(fallback) for fallback in fallbacks])
        records_made = [NeedRecord(*record) for record in records_plain]
        return DwcpPage(
            file,
            pagename,
            entry,
            records_made[0].id,
            dict(titles_made),
            records_made,
            dict(sections),
            digest_made,
        )
    loaded = entry.loaded
    maker = _PageMaker(app, document_catalogue(app.env, pagename))
    titles: dict[str, str] = {}
    records = []
    for need in loaded.needs():
        what = "country" if need.need_type == "dwcp" else "title"
        title = maker.text(need.title, need, what)
        titles[need.id] = title
        records.append(yaml_need_record(need, title, file, maker.text))
    _say_fallbacks(app, file, maker.fallbacks)
    made_of = repr((records, sorted(titles.items()), loaded.dwcp.fields))
    digest = hashlib.sha1(made_of.encode("utf-8"), usedforsecurity=False).hexdigest()
    sections = _sections(loaded, titles)
    entry.made = (
        catalogue_stamp,
        [_record_plain(record) for record in records],
        titles,
        digest,
        maker.fallbacks,
        sections,
    )
    return DwcpPage(file, pagename, entry, loaded.dwcp.id, titles, records, sections, digest)


def _sections(loaded: DwcpFile, titles: dict[str, str]) -> dict[str, str]:
    """Each need's heading, as ``need_views.note_need_texts`` notes it on a document.

    A priority's section names the priority, and its CPO when it holds one only; the
    programme stands under the page's title, which names no need.
    """
    named: dict[str, str] = {}
    for priority in loaded.priorities:
        heading = titles.get(priority.need.id, priority.need.id)
        named[priority.need.id] = heading
        if len(priority.cpos) == 1:
            named[priority.cpos[0].id] = heading
    return named


def load_dwcp_data(
    app: Sphinx, env: BuildEnvironment, _added: set[str], _changed: set[str], _removed: set[str]
) -> list[str]:
    """``env-get-outdated``: read the programmes before any document is read.

    Runs before sphinx-needs loads its external needs (``env-before-read-docs``) and before
    ``tables.note_changed_sources`` asks whether any need changed. Re-reads no document.
    """
    entries, errors, cache_stale = read_dwcp_files(app)
    made_before = {file: entry.made for file, entry in entries.items()}
    catalogue_stamps: dict[str, tuple[int, ...]] = {}
    data = DwcpData()
    for file, error in errors.items():
        data.bad_input[file] = str(error)
        logger.error(
            "%s (%s)",
            error.message,
            error.hint,
            type="rbmdocs",
            subtype="bad-input",
            location=f"{Path(app.srcdir) / file}:{error.line or 1}",
        )
    for file in sorted(entries):
        page = make_page(app, file, entries[file], catalogue_stamps)
        data.pages[page.pagename] = page
        data.sections.update(page.sections)
    remade = {file for file, entry in entries.items() if entry.made is not made_before[file]}
    if cache_stale or remade:
        _write_cache(Path(app.doctreedir) / CACHE_FOLDER, entries, cache_stale | remade)
    digests = {page.file: page.digest for page in data.pages.values()}
    digests.update({file: "bad input" for file in errors})
    # per builder: ``check`` and the PDF build share the environment with the HTML build
    attribute = f"{_DIGESTS}_{app.builder.name}"
    before: dict[str, str] = getattr(env, attribute, {})
    data.changed_files = {
        file for file in digests.keys() | before.keys() if digests.get(file) != before.get(file)
    }
    setattr(env, attribute, digests)
    _data[env] = data
    return []


def bad_dwcp_messages(env: BuildEnvironment) -> list[str]:
    """Messages of the DWCP files that could not be read at all, by file."""
    found = _data.get(env)
    return [found.bad_input[file] for file in sorted(found.bad_input)] if found else []


def keep_what_the_build_learned(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: after a DWCP file changed, the root page, so the environment is saved.

    Sphinx saves the environment only when some document is read or written again, and a
    DWCP file is no document: an edit of one alone may leave every document as it was,
    when no table shows what changed (``table_inputs``). But the environment holds what
    this build learned of the files (the digests above, per builder; the need views'
    digests), and an environment not saved would make the next build find the same edit
    again and write its pages again. The root page is the cheapest to ask for: no table
    of contents lists it, so it brings no other page with it. (An extension cannot ask
    Sphinx to save the environment; see ``docs/upstream.md``.)
    """
    data = _data.get(env)
    root = app.config.root_doc
    if data is None or not data.changed_files or root not in env.all_docs:
        return []
    return [root]


def setup_dwcp_data(app: Sphinx) -> None:
    """Read the programmes before anything else of the build."""
    app.connect("env-get-outdated", load_dwcp_data, priority=100)
    app.connect("env-get-updated", keep_what_the_build_learned)
