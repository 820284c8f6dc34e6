"""``rbmdocs build --edition parallel``: the two runs of the side-by-side edition, then publish.

For each format: Sphinx builds the partner language (the first of ``rbmdocs_languages``
after conf.py's ``language``) into a scratch folder and keeps its resolved pages in memory
(``sphinx/parallel.py``), then builds the source language with the pairing on, into
``_build/.work/<format>/parallel``; the PDFs are compiled there. Only a build without
errors is published to ``_build/html/parallel/`` or ``_build/pdf/parallel/<doc>.pdf``,
as for every other build (a failed one leaves the last good edition in place). Every page
is written in both runs, because a page of the edition changes when either language does.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from rbmdocs.report import count_of, exit_code
from rbmdocs.sphinx.parallel import partner_store
from rbmdocs.sphinx.pdf import compile_pdfs
from rbmdocs.sphinx.run import (
    BUILD_DIR,
    SphinxRun,
    ToolError,
    language_lock,
    publish,
    published_dir,
    run_sphinx,
    work_dir,
)

#: The edition's folder name under ``_build/<format>/``.
EDITION = "parallel"
_BUILDERS = {"html": "html", "pdf": "rbmdocs-pdf"}
#: Says one line: to the error stream when the flag is true.
Say = Callable[[str, bool], None]


def edition_languages(source_language: str, languages: list[str]) -> tuple[str, str]:
    """(source language, partner language) of the edition; a ToolError without a partner."""
    partners = [language for language in languages if language != source_language]
    if not partners:
        raise ToolError(
            "--edition parallel needs a second language: add one to rbmdocs_languages in "
            'conf.py, e.g. rbmdocs_languages = ["en", "zh_CN"]'
        )
    return source_language, partners[0]


def build_parallel_edition(
    source: Path,
    formats: tuple[str, ...],
    languages: tuple[str, str],
    *,
    strict: bool,
    verbose: bool,
    say: Say,
) -> int:
    """Build, compile and publish the edition in each format; the worst exit code (0/1/2)."""
    code = 0
    for output_format in formats:
        code = max(code, _build_format(source, output_format, languages, strict, verbose, say))
        if code == 2:
            break
    return code


def _outcome(run: SphinxRun, strict: bool) -> int:
    if run.bad_input or run.result is None:
        return 2
    code = exit_code(run.result, strict)
    if strict and run.sphinx_warning_count:
        code = max(code, 1)
    return code


def _build_format(
    source: Path,
    output_format: str,
    languages: tuple[str, str],
    strict: bool,
    verbose: bool,
    say: Say,
) -> int:
    # both languages' caches and work folders are read and written: hold both locks, in
    # one order, so that a build or check of either language waits for the edition
    first, second = sorted(languages)
    with (
        language_lock(source, first, lambda line: say(line, True)),
        language_lock(source, second, lambda line: say(line, True)),
    ):
        return _build_format_locked(source, output_format, languages, strict, verbose, say)


def _build_format_locked(
    source: Path,
    output_format: str,
    languages: tuple[str, str],
    strict: bool,
    verbose: bool,
    say: Say,
) -> int:
    source_language, partner = languages
    builder = _BUILDERS[output_format]
    status = sys.stdout if verbose else None
    started = time.perf_counter()
    token = f"{output_format}-{uuid.uuid4().hex}"
    with partner_store(token) as store:
        partner_run = run_sphinx(
            source,
            builder=builder,
            language=partner,
            outdir=source / BUILD_DIR / ".work" / "parallel-partner" / output_format / partner,
            status=status,
            overrides={"rbmdocs_parallel_collect": token},
            write_all=True,
        )
        for line in [*partner_run.warnings, *partner_run.bad_input]:
            say(line, True)
        if _outcome(partner_run, strict) == 2:
            return 2
        work = work_dir(source, output_format, EDITION)
        run = run_sphinx(
            source,
            builder=builder,
            language=source_language,
            outdir=work,
            status=status,
            overrides={
                "rbmdocs_parallel_partner": token,
                "rbmdocs_parallel_language": partner,
            },
            write_all=True,
        )
        paired = not store.pages  # every kept page was taken by its English page
        pairs, untranslated = store.pairs, store.untranslated
    for line in [*run.warnings, *run.bad_input]:
        say(line, True)
    code = max(_outcome(partner_run, strict), _outcome(run, strict))
    target = published_dir(source, output_format, EDITION)
    name = f"{output_format} ({EDITION}: {source_language} | {partner})"
    if code != 0:
        say(
            f"{name}: not published, {target.relative_to(source)} keeps the last good "
            f"edition (this draft: {work.relative_to(source)})",
            True,
        )
        return code
    pdfs: list[Path] | None = None
    if output_format == "pdf":
        if not run.latex_files:
            raise ToolError("no document to make a PDF of: list them in rbmdocs_documents")
        pdfs = compile_pdfs(work, run.latex_files)
    publish(work, target, pdfs)
    where = target.relative_to(source)
    files = [f"{where}/{pdf.name}" for pdf in pdfs] if pdfs else [f"{where}/index.html"]
    result = run.result
    needs = count_of(result.needs, "need") if result else ""
    unpaired = "" if paired else "; some pages of the translation had no English page"
    blocks = f"{count_of(pairs, 'block')} paired ({untranslated} marked untranslated)"
    elapsed = time.perf_counter() - started
    say(f"{name}: {needs}, {blocks}, {elapsed:.1f} s{unpaired} → {', '.join(files)}", False)
    return code
