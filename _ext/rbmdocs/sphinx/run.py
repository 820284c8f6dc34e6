"""Run Sphinx in-process for the CLI: check the data first, build in a work folder, publish.

Three promises of SPEC §5 live here. Bad data is found before Sphinx starts, so it gives
one message and exit 2 without touching any output. A build is written into
``_build/.work/<format>/<lang>`` (where Sphinx's incremental state lives) and copied to
``_build/<format>/<lang>`` only when it succeeds, so a failed build leaves the previous
good output in place. The doctree cache is shared per language by ``check`` and ``build``,
so a check after a build (or the reverse) reads only what changed.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sphinx import locale
from sphinx.errors import ConfigError, SphinxError
from sphinx.util.console import nocolor

from rbmdocs.catalogues import read_catalogue
from rbmdocs.graph import CheckResult
from rbmdocs.load import BadInputError, find_dwcp_files, forget_read_ahead, read_dwcp_file

BUILD_DIR = "_build"


class ToolError(Exception):
    """The tool itself cannot go on (no conf.py, a Sphinx failure): exit 2 with one line."""


@dataclass(slots=True)
class SphinxRun:
    """What one in-process Sphinx run produced."""

    result: CheckResult | None
    seconds: float
    warnings: list[str] = field(default_factory=list)
    """Sphinx messages other than our findings (which the result already holds)."""
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


_PREFLIGHT_STAMPS = "rbmdocs-preflight.json"


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
    good: dict[str, list[int]] = {}
    for path in find_dwcp_files(source / dwcp_dir):
        name = path.relative_to(source).as_posix()
        status = path.stat()
        stamp = [status.st_mtime_ns, status.st_size]
        if known.get(name) != stamp:
            read_dwcp_file(path, name, keep=keep)
        good[name] = stamp
    if stamps_file is not None:
        stamps_file.parent.mkdir(parents=True, exist_ok=True)
        stamps_file.write_text(json.dumps(good), "utf-8")


def preflight_catalogues(source: Path, locale_dirs: list[str], language: str) -> None:
    """Read the build language's ``.po`` files; raise BadInputError for a broken one.

    Sphinx would only warn that it cannot compile a broken catalogue and then build the
    pages untranslated; a translator should hear which line to fix instead.
    """
    for folder in locale_dirs:
        messages = source / folder / language / "LC_MESSAGES"
        if messages.is_dir():
            for path in sorted(messages.rglob("*.po")):
                read_catalogue(path, language, shown_as=path.relative_to(source).as_posix())


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
) -> SphinxRun:
    """Build once with ``builder`` and return the check result and the other warnings.

    ``doctrees`` defaults to the language's shared cache; the ``gettext`` builder needs
    its own, because it keeps a different kind of environment (with message UIDs).
    """
    # imported here: the commands that run on the project index never start Sphinx, and
    # need not pay for importing it and sphinx-needs
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from rbmdocs.sphinx.checking import bad_input_messages, check_result

    doctrees = doctrees or doctree_dir(source, language)
    if not (os.isatty(2) and os.environ.get("NO_COLOR") is None):
        nocolor()
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
                confoverrides={"language": language},
                status=status,
                warning=warning_stream,
                freshenv=fresh,
                parallel=jobs,
            )
            preflight_dwcp_files(source, app.config.rbmdocs_dwcp_dir, doctrees, keep=True)
            preflight_catalogues(source, list(app.config.locale_dirs), language)
            app.build()
        except (BadInputError, ToolError):
            raise
        except ConfigError as error:
            raise ToolError(config_error_text(source, error)) from None
        except SphinxError as error:
            raise ToolError(f"Sphinx could not build: {error}") from None
        finally:
            forget_read_ahead()
    seconds = time.perf_counter() - started
    warnings = [
        line
        for line in warning_stream.getvalue().splitlines()
        if line.strip() and "[rbmdocs.RBM" not in line
    ]
    return SphinxRun(
        result=check_result(app.env),
        seconds=seconds,
        warnings=warnings,
        sphinx_warning_count=len([line for line in warnings if "WARNING" in line]),
        bad_input=bad_input_messages(app.env),
        outdir=outdir,
        latex_files=[entry[1] for entry in app.config.latex_documents]
        if app.builder.format == "latex"
        else [],
    )


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


def publish(work: Path, published: Path, files: list[Path] | None = None) -> None:
    """Replace the published output with the work folder's (or ``files`` alone), all at once.

    The copy is made beside the published folder and swapped in with two renames, so a
    reader (or a web server) never sees a half-written site. A file the last publication
    already holds unchanged (same size and modification time: ``copy2`` keeps the time) is
    hard-linked from it instead of copied, so publishing after a one-file edit costs one
    link per page, not one copy. The link is to the published copy, never to the work
    folder, which the next build overwrites.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    incoming = published.with_name(published.name + ".incoming")
    outgoing = published.with_name(published.name + ".outgoing")
    for leftover in (incoming, outgoing):
        if leftover.exists():
            shutil.rmtree(leftover)
    if files is None:

        def copy_or_link(source_file: str, target_file: str) -> None:
            previous = published / Path(target_file).relative_to(incoming)
            try:
                old, new = previous.stat(), Path(source_file).stat()
                if (old.st_size, old.st_mtime_ns) == (new.st_size, new.st_mtime_ns):
                    os.link(previous, target_file)
                    return
            except OSError:
                pass  # not published before, or no hard links here: copy
            shutil.copy2(source_file, target_file)

        shutil.copytree(
            work, incoming, ignore=shutil.ignore_patterns(".doctrees"), copy_function=copy_or_link
        )
    else:
        incoming.mkdir()
        for path in files:
            shutil.copy2(path, incoming / path.name)
    if published.exists():
        published.rename(outgoing)
    incoming.rename(published)
    if outgoing.exists():
        shutil.rmtree(outgoing)
