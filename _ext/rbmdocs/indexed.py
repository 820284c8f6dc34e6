"""The commands' check on the project index, with Sphinx only where the index cannot read.

``rbmdocs check``, ``trace``, ``diff`` and ``export iati`` need the needs, not pages: the
index (``rbmdocs.index``) reads them without starting Sphinx, each file taken from its
cache unless it changed. When a file holds what only Sphinx reads exactly, the command
says which file and why, and the whole check goes through the build's own path (the
``rbmdocs-check`` builder, incremental), so the answer is never a guess. ``--sphinx``
asks for that path outright.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rbmdocs.graph import check_needs
from rbmdocs.index import IndexedProject, IndexSettings, index_project, settings_from_config
from rbmdocs.sphinx.run import (
    SphinxRun,
    ToolError,
    config_error_text,
    doctree_dir,
    language_lock,
    preflight_catalogues,
    run_sphinx,
)

if TYPE_CHECKING:
    from sphinx.config import Config

    from rbmdocs.lsp.editor import EditorProject


def project_settings(source: Path, raw: dict[str, Any], language: str) -> IndexSettings:
    """The index's settings for one language of the project."""
    return settings_from_config(source, raw, language)


def checked_config(source: Path, raw: dict[str, Any]) -> Config:
    """conf.py's values with every ``rbmdocs_*`` default, checked as the build checks them."""
    from sphinx.errors import ConfigError

    from rbmdocs.config import check_config, project_config

    config = project_config(raw)
    try:
        check_config(source, config)
    except ConfigError as error:
        raise ToolError(config_error_text(source, error)) from None
    return config


def check_on_index(
    source: Path,
    raw: dict[str, Any],
    language: str,
    *,
    through_sphinx: bool = False,
    notes: TextIO | None = None,
) -> tuple[SphinxRun, IndexedProject | None]:
    """The check result of one language, from the index (or from Sphinx where it must).

    Returns the run (as the Sphinx path gives it, so callers need not care which path
    answered) and the indexed project when the index answered.
    """
    from rbmdocs.config import check_context

    started = time.perf_counter()
    config = checked_config(source, raw)
    if not through_sphinx:
        # a catalogue the build could not read stops the check at its line, as in the build
        locale_dirs = [str(folder) for folder in raw.get("locale_dirs") or ["locales"]]
        preflight_catalogues(source, locale_dirs, language)
        settings = project_settings(source, raw, language)
        # a first run reads every file: in one process per core (the check is one process)
        project = index_project(settings, workers=os.cpu_count() or 1)
        if not project.fallback:
            result = check_needs(project.records, check_context(config), project.references)
            return SphinxRun(result=result, seconds=time.perf_counter() - started), project
        stream = notes if notes is not None else sys.stderr
        for file, reason in sorted(project.fallback.items()):
            print(f"rbmdocs: note: {file} is read through Sphinx: {reason}", file=stream)
    with language_lock(source, language, _say_now):
        run = run_sphinx(
            source,
            builder="rbmdocs-check",
            language=language,
            outdir=doctree_dir(source, language) / "_check",
            status=None,
        )
    return run, None


def _say_now(text: str) -> None:
    """That the command waits for another, at once, on stderr."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


#: conf.py's values by its path, with the file's modification time and size when read.
_RAW_CONFIGS: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def read_raw_config(source: Path) -> dict[str, Any]:
    """conf.py's own values, before extensions add their defaults; a ToolError at its line.

    Sphinx's ``eval_config_file`` runs conf.py as a build does. A command asks for them
    several times (the languages, the documents, the DWCP folder), and the language
    server for as long as it runs: conf.py runs again only when the file changed, and
    each caller gets a copy of its own.
    """
    from sphinx.config import eval_config_file
    from sphinx.util.tags import Tags

    path = (source / "conf.py").resolve()
    try:
        status = path.stat()
    except OSError:
        raise ToolError(
            f"{source}: no conf.py here; open the project's folder (which holds it)"
        ) from None
    stamp = (status.st_mtime_ns, status.st_size)
    known = _RAW_CONFIGS.get(path)
    if known is not None and known[0] == stamp:
        return dict(known[1])
    try:
        values = eval_config_file(path, Tags())
    except Exception as error:  # conf.py is user code: any error is a configuration error
        raise ToolError(config_error_text(source, error)) from None
    _RAW_CONFIGS[path] = (stamp, values)
    return dict(values)


def editor_project(source: Path) -> EditorProject:
    """The project as the language server holds it: the first language's index and check."""
    from rbmdocs.config import check_context
    from rbmdocs.lsp.editor import EditorProject

    source = source.resolve()
    raw = read_raw_config(source)
    languages = raw.get("rbmdocs_languages") or [raw.get("language") or "en"]
    settings = project_settings(source, raw, str(languages[0]))
    return EditorProject(settings, check_context(checked_config(source, raw)))
