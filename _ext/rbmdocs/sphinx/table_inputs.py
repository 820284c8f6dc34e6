"""Which pages with generated tables a change of the DWCP data leaves as they were.

A page with a generated table (the DWCP index, the traceability report, the results
framework) is filled from the graph when it is written, so it must be written again
whenever what its tables show may have changed. At scale nearly every edit is an edit of a
DWCP file, and most of those change text that no table shows: a priority's or an
outcome's title appears on its programme's page and nowhere in the tables that list the
programmes. Writing the DWCP index (a row per programme), the traceability report and the
root page above them again for such an edit is most of a one-file rebuild.

So each kind of table says which needs' titles it shows (``TITLES_SHOWN``), and each DWCP
file gets a digest per such view of its needs: everything the engine reads of them (type,
fields, links, lines), plus the titles and headings of the types the view shows. A page is
written again when a view its tables read changed in some file. When a document changed,
or when nothing is known of the last build, every such page is written again: a document
may hold needs, ``needextend`` or settings that no digest of the DWCP files covers.

The digests of the last good build are kept in its output folder. The file is removed when
a build starts using it and written again only when that build ends without error, so a
build that stops half-way never leaves digests that its output does not match.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from rbmdocs.files import keep_for_next_build
from rbmdocs.graph.model import NeedRecord
from rbmdocs.sphinx.code_stamp import site_stamp
from rbmdocs.sphinx.dwcp_data import DwcpData

#: The file of the last good build's digests, in the output folder it describes (the
#: doctrees are shared by every builder of a language; the output is not).
TABLE_INPUTS_FILE = ".rbmdocs-table-inputs.json"

#: Kind of generated table → the need types whose titles (and headings) it shows. A kind
#: not named here shows every title, which is always safe: name a kind only after reading
#: every line of its builder. The tests compare each named kind's page after a retitling
#: with a fresh build's.
TITLES_SHOWN: dict[str, frozenset[str]] = {
    # countries (the programmes' titles), status, period, number of priorities
    "dwcp-index": frozenset({"dwcp"}),
    # countries by region; the outcomes are documents' needs
    "priorities-by-outcome": frozenset({"dwcp"}),
    # figures, findings (IDs and rule messages) and the matrix of countries
    "traceability-report": frozenset({"dwcp"}),
    # per indicator, the countries whose CPOs a result names
    "outcome-results": frozenset({"dwcp"}),
    # counts only, or documents' needs only
    "dwcp-status-table": frozenset(),
    "capacity-table": frozenset(),
    "results-framework": frozenset(),
    "resource-table": frozenset(),
    "expenditure-table": frozenset(),
    "strategy-matrix": frozenset(),
    "milestone-table": frozenset(),
    "results-across-bienniums": frozenset(),
}

#: The view of every title, for kinds that do not say what they show.
_EVERY_TITLE = "*"


def view_of(kind: str) -> str:
    """The name of the view a kind of table reads: the types whose titles it shows."""
    shown = TITLES_SHOWN.get(kind)
    return _EVERY_TITLE if shown is None else ",".join(sorted(shown))


def _shows_title(view: str, need_type: str) -> bool:
    return view == _EVERY_TITLE or need_type in view.split(",")


def file_digest(records: Iterable[NeedRecord], sections: Mapping[str, str], view: str) -> str:
    """What a view reads of one file's needs, as a digest."""
    parts = []
    for record in records:
        shown = _shows_title(view, record.type)
        parts.append(
            (
                record.id,
                record.type,
                record.file,
                record.line,
                record.title if shown else None,
                sections.get(record.id) if shown else None,
                sorted(record.fields.items()),
                sorted((name, list(targets)) for name, targets in record.links.items()),
                record.id_given,
                sorted(record.field_lines.items()),
            )
        )
    return hashlib.sha1(repr(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


class TableInputs:
    """The digests of one build: per DWCP file, per view, and the stamp they were made with."""

    def __init__(self, stamp: str, files: dict[str, dict[str, str]]) -> None:
        self.stamp = stamp
        self.files = files

    @classmethod
    def read(cls, path: Path) -> TableInputs | None:
        """The last good build's digests; None when missing, unreadable or foreign."""
        try:
            stored = json.loads(path.read_text("utf-8"))
            stamp, files = stored["stamp"], stored["files"]
            if not isinstance(stamp, str) or not isinstance(files, dict):
                return None
            return cls(stamp, {str(file): dict(views) for file, views in files.items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, path: Path) -> None:
        """Whole or not at all; not at all makes the next build write every table page."""
        keep_for_next_build(path, json.dumps({"stamp": self.stamp, "files": self.files}))


#: This build's digests, per environment, written at the end of a good build.
_this_build: weakref.WeakKeyDictionary[BuildEnvironment, tuple[Path, TableInputs]] = (
    weakref.WeakKeyDictionary()
)


def views_changed(
    app: Sphinx, env: BuildEnvironment, data: DwcpData, views: set[str]
) -> set[str] | None:
    """The views that some DWCP file changed since the last good build; None if unknown.

    Called once per build, at ``env-get-updated``. Only the files the DWCP reader found
    changed are digested again; the others keep the last build's digests.
    """
    path = Path(app.outdir) / TABLE_INPUTS_FILE
    last = TableInputs.read(path)
    path.unlink(missing_ok=True)
    stamp = hashlib.sha1(
        repr((site_stamp(app), sorted(views))).encode("utf-8"), usedforsecurity=False
    ).hexdigest()
    pages = {page.file: page for page in data.pages.values()}
    # what the last good build digested, when it was made with the same code and settings
    files = dict(last.files) if last is not None and last.stamp == stamp else None
    known = files is not None
    if files is None:
        files, to_digest = {}, set(pages)
    else:
        to_digest = set(data.changed_files) | (set(pages) ^ set(files))
    changed: set[str] = set()
    for file in sorted(to_digest):
        page = pages.get(file)
        now = (
            {view: file_digest(page.records, data.sections, view) for view in views}
            if page is not None
            else {}
        )
        before = files.get(file, {})
        changed.update(view for view in views if before.get(view) != now.get(view))
        if page is not None:
            files[file] = now
        else:
            files.pop(file, None)  # gone since the last build
    _this_build[env] = (path, TableInputs(stamp, files))
    return changed if known else None


def keep_table_inputs(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: the digests for the next build, when this one ended well."""
    found = _this_build.pop(app.env, None)
    if found is not None and exception is None:
        path, inputs = found
        inputs.write(path)
