"""Run Sphinx in-process for the CLI: check the data first, build in a work folder, publish.

Three promises of SPEC §5 live here. Bad data is found before Sphinx starts, so it gives
one message and exit 2 without touching any output. A build is written into
``_build/.work/<format>/<lang>`` (where Sphinx's incremental state lives) and copied to
``_build/<format>/<lang>`` only when it succeeds, so a failed build leaves the previous
good output in place. The doctree cache is shared per language by ``check`` and ``build``,
so a check after a build (or the reverse) reads only what changed.
"""

from __future__ import annotations

import ctypes
import errno
import io
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from sphinx import locale
from sphinx.errors import ConfigError, SphinxError

from rbmdocs.catalogues import read_catalogue
from rbmdocs.config import settings
from rbmdocs.files import keep_for_next_build
from rbmdocs.graph import CheckResult
from rbmdocs.load import BadInputError, find_dwcp_files, forget_read_ahead, read_dwcp_file
from rbmdocs.locking import project_lock
from rbmdocs.terminal import PlainStream, colour_wanted

if TYPE_CHECKING:
    from sphinx.application import Sphinx

BUILD_DIR = "_build"


class ToolError(Exception):
    """The tool itself cannot go on (no conf.py, a Sphinx failure): exit 2 with one line."""


@dataclass(slots=True)
class SphinxRun:
    """What one in-process Sphinx run produced."""

    result: CheckResult | None
    seconds: float
    warnings: list[str] = field(default_factory=list)
    """Sphinx messages other than our findings (which the result already holds): this
    run's, and those of pages it did not read or write that still hold (``WarningMemory``)."""
    sphinx_warning_count: int = 0
    bad_input: list[str] = field(default_factory=list)
    outdir: Path | None = None
    latex_files: list[str] = field(default_factory=list)
    """The ``.tex`` files a LaTeX build wrote, one per document (``latex_documents``)."""


def project_paths(source: Path) -> Path:
    """The project's folder, checked: it must hold conf.py."""
    source = source.resolve()
    if not (source / "conf.py").is_file():
        raise ToolError(
            f"{source}: no conf.py here; run rbmdocs in the project folder or pass --source DIR"
        )
    return source


def doctree_dir(source: Path, language: str) -> Path:
    """The doctree cache of one language, shared by every builder."""
    return source / BUILD_DIR / ".doctrees" / language


def work_dir(source: Path, output_format: str, language: str) -> Path:
    """Where Sphinx writes, incrementally."""
    return source / BUILD_DIR / ".work" / output_format / language


def published_dir(source: Path, output_format: str, language: str) -> Path:
    """Where the last good output is (SPEC §5: ``_build/<format>/<lang>/``)."""
    return source / BUILD_DIR / output_format / language


def staging_dir(source: Path) -> Path:
    """Where a publication is assembled before it is swapped in (never in ``_build/html``)."""
    return source / BUILD_DIR / ".work" / "publish"


def language_lock(
    source: Path, language: str, say: Callable[[str], None]
) -> AbstractContextManager[None]:
    """The lock of everything one language's runs share: held for a build, check or trace.

    ``check`` and every format of ``build`` share the language's doctree cache
    (``_build/.doctrees/<lang>``); each format has its work folder and its published
    folder. One lock per language covers them all, so two commands of one language take
    turns (the second says for whom it waits) and commands of two languages run side by
    side, as ``build -j`` does.
    """
    return project_lock(
        source / BUILD_DIR / ".work" / "locks" / f"{language}.lock",
        f"the {language} build cache in {BUILD_DIR}/",
        say,
    )


def folder_lock(
    source: Path, name: str, what: str, say: Callable[[str], None]
) -> AbstractContextManager[None]:
    """The lock of one other shared folder (the gettext templates, a revision for diff)."""
    return project_lock(source / BUILD_DIR / ".work" / "locks" / f"{name}.lock", what, say)


_PREFLIGHT_STAMPS = "rbmdocs-preflight.json"


def _checked_when_changed(
    source: Path,
    paths: Iterable[Path],
    known: dict[str, list[int]],
    check: Callable[[Path, str], object],
) -> dict[str, list[int]]:
    """Each file's stamp (modification time, size); ``check`` for those ``known`` lacks.

    ``check`` raises BadInputError for a bad file, so the stamps returned are of files
    that passed, now or before, and are what the next run may skip.
    """
    good: dict[str, list[int]] = {}
    for path in paths:
        name = path.relative_to(source).as_posix()
        status = path.stat()
        stamp = [status.st_mtime_ns, status.st_size]
        if known.get(name) != stamp:
            check(path, name)
        good[name] = stamp
    return good


def preflight_dwcp_files(
    source: Path, dwcp_dir: str, cache_dir: Path | None = None, keep: bool = False
) -> None:
    """Read every DWCP file before Sphinx starts; raise the first BadInputError.

    Files that read cleanly are remembered by size and modification time in
    ``cache_dir``, so a run after a one-file edit reads that one file again, not all.
    With ``keep``, what is read is kept for the Sphinx about to read the same files, which
    takes it instead of parsing them again.
    """
    stamps_file = cache_dir / _PREFLIGHT_STAMPS if cache_dir else None
    known: dict[str, list[int]] = {}
    if stamps_file is not None and stamps_file.is_file():
        try:
            known = json.loads(stamps_file.read_text("utf-8"))
        except (OSError, ValueError):
            known = {}
    good = _checked_when_changed(
        source,
        find_dwcp_files(source / dwcp_dir),
        known,
        lambda path, name: read_dwcp_file(path, name, keep=keep),
    )
    if stamps_file is not None:
        stamps_file.parent.mkdir(parents=True, exist_ok=True)
        stamps_file.write_text(json.dumps(good), "utf-8")


#: In the language's doctree folder: the catalogues found good, by size and time.
CATALOGUES_CHECKED_FILE = "rbmdocs-catalogues-checked.json"


def preflight_catalogues(
    source: Path, locale_dirs: list[str], language: str, cache_dir: Path | None = None
) -> None:
    """Read the build language's ``.po`` files; raise BadInputError for a broken one.

    Sphinx would only warn that it cannot compile a broken catalogue and then build the
    pages untranslated; a translator should hear which line to fix instead. With
    ``cache_dir``, the catalogues found good are remembered there by size and modification
    time (with a stamp of our code and Babel, whose checks they passed), and a build reads again
    only those that changed since: reading every catalogue with Babel is a noticeable part
    of a Chinese build after a one-line edit, which changes no catalogue.
    """
    import babel

    from rbmdocs.sphinx.code_stamp import extension_stamp

    record = cache_dir / CATALOGUES_CHECKED_FILE if cache_dir else None
    checked: dict[str, list[int]] = {}
    code = f"{extension_stamp()} babel {babel.__version__}"  # what the checks were made by
    if record is not None:
        try:
            stored = json.loads(record.read_text("utf-8"))
            if isinstance(stored, dict) and stored.get("code") == code:
                checked = {str(name): list(stamp) for name, stamp in stored["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            checked = {}
    catalogues = [
        path
        for folder in locale_dirs
        if (messages := source / folder / language / "LC_MESSAGES").is_dir()
        for path in sorted(messages.rglob("*.po"))
    ]
    good = _checked_when_changed(
        source,
        catalogues,
        checked,
        lambda path, name: read_catalogue(path, language, shown_as=name),
    )
    if record is not None and good != checked:
        keep_for_next_build(record, json.dumps({"code": code, "files": good}))


#: How the names of what a build keeps beside the doctrees for the next one start (the
#: DWCP data and search caches, the Chinese search's words, the pinyin keys, the
#: catalogues found good, the warnings of pages not read again).
KEPT_FILE_PREFIX = "rbmdocs-"


def forget_kept_files(doctrees: Path) -> None:
    """``--fresh``: remove what earlier builds kept beside the doctrees for the next one.

    Sphinx's fresh environment leaves the doctree folder's other files in place; a fresh
    build that read our caches would not be one (nor measure as one).
    """
    if not doctrees.is_dir():
        return
    for kept in doctrees.glob(f"{KEPT_FILE_PREFIX}*"):
        if kept.is_dir():
            shutil.rmtree(kept, ignore_errors=True)
        else:
            kept.unlink(missing_ok=True)


def run_sphinx(
    source: Path,
    *,
    builder: str,
    language: str,
    outdir: Path,
    status: IO[str] | None,
    jobs: int = 1,
    fresh: bool = False,
    doctrees: Path | None = None,
    overrides: dict[str, str] | None = None,
    write_all: bool = False,
) -> SphinxRun:
    """Build once with ``builder`` and return the check result and the other warnings.

    ``doctrees`` defaults to the language's shared cache; the ``gettext`` builder needs
    its own, because it keeps a different kind of environment (with message UIDs). With
    ``fresh``, the output folder is emptied too: the build is then one into an empty
    folder. ``overrides`` are further conf.py values; ``write_all`` writes every page, even
    one whose source has not changed (the side-by-side edition depends on the other
    language). The caller holds the language's lock (``language_lock``).
    """
    # imported here: the commands that run on the project index never start Sphinx, and
    # need not pay for importing it and sphinx-needs
    from sphinx.application import Sphinx
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from rbmdocs.sphinx.checking import bad_input_messages, check_result
    from rbmdocs.sphinx.pdf_inputs import note_pdf_inputs
    from rbmdocs.sphinx.warning_memory import WarningMemory, counted

    doctrees = doctrees or doctree_dir(source, language)
    if fresh and outdir.is_dir():
        shutil.rmtree(outdir)
    if fresh:
        forget_kept_files(doctrees)
    # colour only when everything Sphinx writes to goes to a terminal (``build -v > log``
    # at a terminal would fill the log with codes), and never with NO_COLOR. Sphinx colours
    # what it logs whatever the stream, and draws its progress on one line when it thinks
    # the terminal can (CI=true is enough for it), so the codes are taken out of the stream
    # it is given rather than switched off for the whole process (``nocolor``)
    if status is not None and not (colour_wanted(sys.stderr) and colour_wanted(status)):
        status = cast("IO[str]", PlainStream(status))  # a text stream, as Sphinx needs
    warning_stream = io.StringIO()
    started = time.perf_counter()
    # as sphinx-build: docutils reads the project's docutils.conf, not the machine's or the
    # user's (and only that one file per document, not three), and the directives, roles
    # and nodes this run registers are gone when it ends (one process may build several
    # languages and formats in turn)
    with (
        patch_docutils(source),
        docutils_namespace(),
        _translators_of_this_run(),
    ):
        try:
            app = Sphinx(
                srcdir=source,
                confdir=source,
                outdir=outdir,
                doctreedir=doctrees,
                buildername=builder,
                confoverrides={**(overrides or {}), "language": language},
                status=status,
                warning=warning_stream,
                freshenv=fresh,
                parallel=jobs,
            )
            if isinstance(app.builder, StandaloneHTMLBuilder):
                _sweep_removed_pages(app)
                if app.config.rbmdocs_documents:
                    note_pdf_inputs(app)  # which PDFs the pages written change (pdf.py)
            memory = WarningMemory(app, warning_stream, fresh=fresh)
            preflight_dwcp_files(source, settings(app.config).dwcp_dir, doctrees, keep=True)
            preflight_catalogues(source, list(app.config.locale_dirs), language, doctrees)
            app.build(force_all=write_all)
        except (BadInputError, ToolError):
            raise
        except ConfigError as error:
            raise ToolError(config_error_text(source, error)) from None
        except SphinxError as error:
            raise ToolError(f"Sphinx could not build: {error}") from None
        finally:
            forget_read_ahead()
    seconds = time.perf_counter() - started
    warnings = memory.warnings(leave_out=["[rbmdocs.RBM"])
    return SphinxRun(
        result=check_result(app.env),
        seconds=seconds,
        warnings=warnings,
        sphinx_warning_count=counted(warnings),
        bad_input=bad_input_messages(app.env),
        outdir=outdir,
        latex_files=[entry[1] for entry in app.config.latex_documents]
        if app.builder.format == "latex"
        else [],
    )


def sphinx_warning_lines(source: Path, run: SphinxRun) -> list[str]:
    """Sphinx's own warnings of a run, each naming its file relative to the project.

    Sphinx writes ``/abs/path/spf/page.md:3: WARNING: ...``; the findings name
    ``spf/page.md``, and so does this, so both read alike and editors can open either.
    """
    prefix = f"{source}{os.sep}"
    return [line.removeprefix(prefix) for line in run.warnings]


#: How the names of our files in an output folder start: what a build keeps there for the
#: next one (which pages it holds, digests of what they show). Never published.
WORK_FILE_PREFIX = ".rbmdocs-"
#: In an HTML output folder: the documents whose pages it holds (never published).
PAGES_FILE = ".rbmdocs-pages.json"
#: In an HTML output folder: what each PDF shows, digested (never published; pdf.py).
INPUTS_FILE = ".rbmdocs-pdf-inputs.json"


def _sweep_removed_pages(app: Sphinx) -> None:
    """Have the HTML output hold only what a build into an empty folder would write.

    Sphinx writes the pages of the documents that changed and leaves every other file of
    the output folder alone, so the page (and the copied source) of a document deleted or
    renamed since would stay, and be published, for ever. The output folder keeps the list
    of documents it has pages of (``PAGES_FILE``); once a build is written, the page and
    the copied source of each listed document that is gone are removed, unless this build
    wrote a page of that name (every page written passes ``html-page-context``). Files
    that were never a document's page (an extension's own) are left alone.
    """
    from sphinx.builders.html import StandaloneHTMLBuilder

    written: set[str] = set()

    def note_page(_app: Sphinx, pagename: str, *_args: object) -> None:
        written.add(pagename)

    def sweep(app: Sphinx, exception: Exception | None) -> None:
        builder = app.builder
        if exception is not None or not isinstance(builder, StandaloneHTMLBuilder):
            return
        outdir = Path(app.outdir)
        listed = outdir / PAGES_FILE
        try:
            before = set(json.loads(listed.read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            before = set()
        from rbmdocs.sphinx.dwcp_pages import dwcp_pagenames

        # the programmes' pages are no documents, and one not changed is not written again
        documents = set(app.env.all_docs) | dwcp_pagenames(app)
        for name in sorted(before - documents - written):
            page = Path(builder.get_outfilename(name))
            if page.is_file():
                _remove_with_empty_folders(page, outdir)
            copied = outdir / "_sources" / name
            if copied.parent.is_dir():
                for source in list(copied.parent.iterdir()):
                    stem, _, suffix = source.name.removesuffix(".txt").rpartition(".")
                    if stem == copied.name and suffix and source.name.endswith(".txt"):
                        _remove_with_empty_folders(source, outdir)
        listed.write_text(json.dumps(sorted(documents)), "utf-8")

    app.connect("html-page-context", note_page)
    app.connect("build-finished", sweep)


def _remove_with_empty_folders(path: Path, top: Path) -> None:
    """Remove a file, and the folders it leaves empty below ``top``."""
    path.unlink()
    folder = path.parent
    while folder != top and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


@contextmanager
def _translators_of_this_run() -> Iterator[None]:
    """Sphinx's catalogues as they were before the run, once it ends.

    ``sphinx.locale`` keeps one translator per catalogue for the whole process and merges
    every later language into the first it loaded, so an English build after a Chinese one
    in the same process printed Chinese labels. As ``docutils_namespace`` does for the
    directives and roles, the mapping is put back as it was found.
    """
    before = dict(locale.translators)
    try:
        yield
    finally:
        locale.translators.clear()
        locale.translators.update(before)


_CONF_LINE = re.compile(r'File "[^"]*conf\.py", line (\d+)')


def config_error_text(source: Path, error: Exception) -> str:
    """One line for a broken conf.py: Sphinx embeds the whole traceback in its message."""
    text = str(error)
    if "Traceback" not in text:
        return f"{source / 'conf.py'}: {text}"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    line_numbers = _CONF_LINE.findall(text)
    where = f"{source / 'conf.py'}:{line_numbers[-1]}" if line_numbers else str(source / "conf.py")
    return f"{where}: conf.py raised {lines[-1].strip()}"


def publish(
    work: Path, published: Path, files: list[Path] | None = None, staging: Path | None = None
) -> None:
    """Replace the published output with the work folder's (or ``files`` alone), all at once.

    The copy is made in ``staging`` (default: beside the published folder) and swapped in
    with one atomic exchange of the two folders where the system has one (Linux), else two
    renames, so a reader (or a web server) never sees a half-written site, nor none. The
    folder swapped out is removed at the next publication, not now: a reader that opened it
    a moment before the swap still reads it whole. A file the last publication already holds
    unchanged (same size and modification time: ``copy2`` keeps the time) is hard-linked
    from it instead of copied, so publishing after a one-file edit costs one link per page,
    not one copy. The link is to the published copy, never to the work folder, which the
    next build overwrites. The caller holds the language's lock (``language_lock``): two
    publications of one folder never run together.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = staging or published.parent
    staging.mkdir(parents=True, exist_ok=True)
    stem = (
        f"{published.parent.name}-{published.name}"
        if staging != published.parent
        else (published.name)
    )
    incoming = staging / f"{stem}.incoming"
    outgoing = staging / f"{stem}.outgoing"
    for leftover in (incoming, outgoing):
        if leftover.exists():
            shutil.rmtree(leftover)

    # plain strings: this runs for every file of the site, and pathlib costs more than the
    # link itself
    incoming_prefix, published_folder = f"{incoming}{os.sep}", os.fspath(published)

    def copy_or_link(source_file: str, target_file: str) -> None:
        relative = target_file.removeprefix(incoming_prefix)
        previous = os.path.join(published_folder, relative)  # noqa: PTH118 (speed, above)
        try:
            old, new = os.stat(previous), os.stat(source_file)  # noqa: PTH116 (speed)
            if (old.st_size, old.st_mtime_ns) == (new.st_size, new.st_mtime_ns):
                os.link(previous, target_file)
                return
        except OSError:
            pass  # not published before, or no hard links here: copy
        shutil.copy2(source_file, target_file)

    if files is None:
        shutil.copytree(
            work,
            incoming,
            ignore=shutil.ignore_patterns(".doctrees", f"{WORK_FILE_PREFIX}*"),
            copy_function=copy_or_link,
        )
    else:
        incoming.mkdir()
        for path in files:
            copy_or_link(str(path), str(incoming / path.name))
    if published.exists() and _exchange(incoming, published):
        incoming.rename(outgoing)  # the old publication, kept until the next one
        return
    if published.exists():
        published.rename(outgoing)
    incoming.rename(published)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2``); False where it cannot.

    Python has no call for it; the C library's own function is called as documented in
    rename(2). Where it is missing (another system, an old kernel or a file system without
    it) the caller falls back on two renames, with an instant between them.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes.append(ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE):
        error = ctypes.get_errno()
        if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
            return False
        raise OSError(error, os.strerror(error), str(second))
    return True
