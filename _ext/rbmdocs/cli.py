"""The ``rbmdocs`` command: build, check and trace (SPEC §5).

Exit codes are part of the contract: 0 ok, 1 findings at error level (or warnings with
``--strict``), 2 bad input or a tool failure. Nothing leaves this module as a traceback:
an unexpected error is one line, with the traceback written to a log file.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import multiprocessing
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rbmdocs import __version__
from rbmdocs.load import BadInputError
from rbmdocs.locking import announce_command
from rbmdocs.report import count_of, exit_code, finding_lines, render
from rbmdocs.sphinx.pdf import PdfPlan, compile_pdfs, ensure_tex, plan_pdfs, record_published
from rbmdocs.sphinx.run import (
    BUILD_DIR,
    SphinxRun,
    ToolError,
    doctree_dir,
    folder_lock,
    language_lock,
    preflight_dwcp_files,
    project_paths,
    publish,
    published_dir,
    run_sphinx,
    sphinx_warning_lines,
    staging_dir,
    work_dir,
)

if TYPE_CHECKING:
    from sphinx.config import Config

    from rbmdocs.report.diff import GateLevel
    from rbmdocs.report.iati import IatiSettings

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2

FORMATS = ("html", "pdf")
"""Output formats: the site, and one PDF per document of ``rbmdocs_documents``."""

_BUILDERS = {"html": "html", "pdf": "rbmdocs-pdf"}  # our LaTeX builder (sphinx/latex.py)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rbmdocs",
        description="Build and check results-based programme cycle documents.",
    )
    parser.add_argument("--version", action="version", version=f"rbmdocs {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_source(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--source",
            type=Path,
            default=Path(),
            help="the project folder, which holds conf.py (default: the current folder)",
        )
        return sub

    build = with_source(commands.add_parser("build", help="build the documents"))
    build.add_argument("--lang", default="all", help="en, zh_CN, … or all (default: all)")
    build.add_argument("--format", default="all", help="html, pdf or all (default: all)")
    build.add_argument("--strict", action="store_true", help="warnings fail the build too")
    build.add_argument(
        "-j",
        "--jobs",
        type=_job_count,
        default=None,
        help="languages built side by side (processes: N, or auto for one per CPU; "
        "default: auto, which is one at a time on one CPU)",
    )
    build.add_argument("--fresh", action="store_true", help="ignore the cache and read all")
    build.add_argument(
        "--edition",
        choices=["parallel"],
        default=None,
        help="parallel: the side-by-side bilingual edition, into _build/<format>/parallel/",
    )
    build.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")

    check = with_source(commands.add_parser("check", help="check traceability, write no HTML"))
    check.add_argument(
        "--format",
        default="text",
        choices=["text", "json", "github", "junit", "codequality"],
        help="text, json, github (annotations), junit or codequality (GitLab) (default: text)",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument(
        "--lang",
        default="",
        help="the language to read the project in (default: the first of rbmdocs_languages); "
        "the findings are the same in every language, but a check reuses that language's "
        "cache, so after `build --lang zh_CN` a check with --lang zh_CN reads only what changed",
    )
    check.add_argument(
        "--sphinx",
        action="store_true",
        help="read the project through Sphinx, as the build does, not through the index",
    )

    trace = with_source(commands.add_parser("trace", help="print the chain of a need"))
    trace.add_argument("need_id", metavar="ID", help="the need to start from, e.g. IO_1")
    direction = trace.add_mutually_exclusive_group()
    direction.add_argument(
        "--up",
        action="store_const",
        const="up",
        dest="direction",
        help="only up the chain, towards the strategic objectives",
    )
    direction.add_argument(
        "--down",
        action="store_const",
        const="down",
        dest="direction",
        help="only down the chain, towards the countries (default: both ways)",
    )
    trace.add_argument("--lang", default="", help="the language of the titles")

    diff = with_source(
        commands.add_parser("diff", help="what changed in the results framework between revisions")
    )
    diff.add_argument("rev_a", metavar="REV_A", help="the revision before (e.g. main, HEAD~1)")
    diff.add_argument(
        "rev_b",
        metavar="REV_B",
        nargs="?",
        default="",
        help="the revision after (default: the working tree)",
    )
    diff.add_argument(
        "--format",
        default="markdown",
        choices=["markdown", "json"],
        help="markdown (for a pull-request comment; the default) or json",
    )
    diff.add_argument("--lang", default="", help="the language of the titles")
    diff.add_argument(
        "--fail-on",
        choices=["error", "warning", "never"],
        default=None,
        help="exit 1 when the change brings in a new finding at this level: error, warning "
        "(error or warning) or never (default: never, the diff only informs)",
    )
    diff.add_argument(
        "--strict",
        action="store_true",
        help="the same as --fail-on warning, as for check and build",
    )

    serve = with_source(
        commands.add_parser("serve", help="live preview: rebuild on save, reload the browser")
    )
    serve.add_argument("--lang", default="", help="the language to preview (default: the first)")
    serve.add_argument(
        "--port", type=int, default=8000, help="the port to listen on (default: 8000)"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1, this computer only)",
    )

    export = commands.add_parser("export", help="write the results framework for other systems")
    export_formats = export.add_subparsers(dest="export_format", required=True, metavar="FORMAT")
    iati = with_source(
        export_formats.add_parser(
            "iati", help="IATI 2.03 activity XML: one activity per DWCP, its CPOs as results"
        )
    )
    iati.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"the file to write (default: {BUILD_DIR}/iati/activities.xml in the project)",
    )
    iati.add_argument(
        "--lang", default="all", help="the languages of the narratives: en, zh_CN, … or all"
    )
    iati.add_argument(
        "--schema",
        type=Path,
        default=None,
        help="the IATI 2.03 iati-activities-schema.xsd to validate against "
        "(default: the copy installed with rbmdocs)",
    )

    cycle = commands.add_parser("cycle", help="the programme cycle: draft the next P&B")
    cycle_next = with_source(
        cycle.add_subparsers(dest="cycle_command", required=True, metavar="ACTION").add_parser(
            "next", help="write the skeleton of the next P&B; never overwrites a file"
        )
    )
    cycle_next.add_argument("biennium", metavar="BIENNIUM", help="the biennium to draft: 2012-13")
    cycle_next.add_argument("--folder", default="", help="where to write it (default: derived)")
    lsp = commands.add_parser(
        "lsp", help="the language server for editors (Markdown and DWCP YAML), over stdio"
    )
    lsp.add_argument(
        "--source",
        type=Path,
        default=None,
        help="the project folder, which holds conf.py (default: the folder the editor opens)",
    )

    i18n = commands.add_parser("i18n", help="translation catalogues: update, status")
    i18n_commands = i18n.add_subparsers(dest="i18n_command", required=True, metavar="ACTION")
    update = with_source(
        i18n_commands.add_parser("update", help="extract new strings into the catalogues")
    )
    update.add_argument("--lang", default="all", help="a translation language, or all")
    update.add_argument(
        "--purge-obsolete", action="store_true", help="drop the #~ entries no source uses"
    )
    status = with_source(
        i18n_commands.add_parser("status", help="how much of each catalogue is translated")
    )
    status.add_argument("--lang", default="all", help="a translation language, or all")
    status.add_argument("--strict", action="store_true", help="exit 1 below 100%%")
    status.add_argument("--all", action="store_true", help="list every untranslated string")
    return parser


def _languages(source: Path, requested: str) -> list[str]:
    configured = _configured_languages(source)
    if requested in ("", "all"):
        return configured
    if requested not in configured:
        raise ToolError(
            f"--lang {requested}: the project builds {', '.join(configured)} "
            "(rbmdocs_languages in conf.py)"
        )
    return [requested]


def _raw_config(source: Path) -> dict[str, Any]:
    """The project's own conf.py values, before extensions add their defaults."""
    from rbmdocs.indexed import read_raw_config

    return read_raw_config(source)


def _configured_languages(source: Path) -> list[str]:
    raw = _raw_config(source)
    languages = raw.get("rbmdocs_languages") or [raw.get("language") or "en"]
    return [str(language) for language in languages]


def _translation_languages(source: Path, requested: str) -> tuple[str, list[str]]:
    """The source language (conf.py's ``language``) and the languages translated into."""
    raw = _raw_config(source)
    source_language = str(raw.get("language") or "en")
    targets = [lang for lang in _configured_languages(source) if lang != source_language]
    if requested not in ("", "all"):
        if requested not in targets:
            raise ToolError(
                f"--lang {requested}: the project translates into "
                f"{', '.join(targets) or 'no language'} (rbmdocs_languages in conf.py, "
                f"without the source language {source_language})"
            )
        targets = [requested]
    if not targets:
        raise ToolError(
            "no language to translate into: add one to rbmdocs_languages in conf.py, "
            'e.g. rbmdocs_languages = ["en", "zh_CN"]'
        )
    return source_language, targets


def _print_warnings(source: Path, run: SphinxRun, stream: TextIO) -> None:
    for line in sphinx_warning_lines(source, run):
        print(line, file=stream)


def _say(text: str, error: bool) -> None:
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


def _available_cpus() -> int:
    """The CPUs this process may run on.

    A container or ``taskset`` may allow fewer than the machine has, which is what
    ``os.cpu_count`` counts.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _job_count(text: str) -> int:
    """``-j``: a whole number of processes, at least one, or ``auto`` for one per CPU."""
    if text == "auto":
        return _available_cpus()
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"a number of processes such as 2, or auto, not {text!r}")
    return count


def _command_build(args: argparse.Namespace) -> int:
    source = project_paths(args.source)
    formats: tuple[str, ...] = (args.format,)
    if args.format == "all":
        # "all" is every format the project has: PDF only when it lists documents for it
        has_documents = bool(_raw_config(source).get("rbmdocs_documents"))
        formats = FORMATS if has_documents else ("html",)
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise ToolError(f"--format {unknown[0]}: this version builds {', '.join(FORMATS)}")
    languages = _languages(source, args.lang)
    if args.edition == "parallel":  # sphinx/parallel_build.py: both languages in one edition
        from rbmdocs.sphinx.parallel_build import build_parallel_edition, edition_languages

        pair = edition_languages(str(_raw_config(source).get("language") or "en"), languages)
        for language in pair if "pdf" in formats else ():
            ensure_tex(language)
        return build_parallel_edition(
            source, formats, pair, strict=args.strict, verbose=args.verbose, say=_say
        )
    if "pdf" in formats:
        for language in languages:
            ensure_tex(language)
    build = functools.partial(_build_language, source, formats, args.strict, args.verbose)
    # by default as many languages at once as there are CPUs: on one, one after the other
    # in this process, as fast as before; the PDFs of a language share the CPUs too
    workers = min(args.jobs or _available_cpus(), len(languages))
    if workers > 1:
        # one process per language: their caches are apart, so nothing is shared
        context = multiprocessing.get_context("fork")
        outcomes = []
        printed: set[str] = set()
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # each language's lines as soon as it and those before it are done, in order
            for outcome in pool.map(functools.partial(build, fresh=args.fresh), languages):
                outcome.print(skip=printed)  # bad input found by every language: said once
                outcomes.append(outcome)
    else:
        outcomes = []
        for language in languages:
            outcomes.append(build(language, fresh=args.fresh, echo=True))
            if outcomes[-1].stopped:
                break  # the same bad input would stop the next language too
    return max(outcome.code for outcome in outcomes)


@dataclass
class _LanguageOutcome:
    """What building one language printed, and its worst exit code."""

    code: int = EXIT_OK
    lines: list[tuple[bool, bool, str]] = field(default_factory=list)
    """(to stderr, said once for all languages, text)."""
    echo: bool = False
    stopped: bool = False
    """Bad input or a tool problem stopped the language before its last format."""
    findings_said: bool = False
    """The findings were printed with the first format: every format has the same."""
    warnings_said: set[str] = field(default_factory=set)
    """Sphinx's warnings printed so far: one about a page is said once per language."""

    def say(self, text: str, *, error: bool = False, once: bool = False) -> None:
        """Print now (one process) or keep for the parent to print in order (several).

        ``once``: a line every language would say alike (bad input), printed once.
        """
        self.lines.append((error, once, text))
        if self.echo:
            print(text, file=sys.stderr if error else sys.stdout, flush=True)

    def print(self, skip: set[str]) -> None:
        """Print what a worker process kept, but no ``once`` line already in ``skip``."""
        for error, once, text in self.lines:
            if once and text in skip:
                continue
            if once:
                skip.add(text)
            print(text, file=sys.stderr if error else sys.stdout, flush=True)


def _say_now(text: str) -> None:
    """A line the user must see at once (a command waits for another), on stderr."""
    print(text, file=sys.stderr, flush=True)


def _build_language(
    source: Path,
    formats: tuple[str, ...],
    strict: bool,
    verbose: bool,
    language: str,
    *,
    fresh: bool,
    echo: bool = False,
) -> _LanguageOutcome:
    """Every format of one language, one after the other (they share the doctree cache).

    Sphinx runs in one process: its parallel reading sends the whole environment back for
    every chunk of documents read, and its parallel writing leaves the main process, which
    resolves and indexes every page, as busy as before (``benchmarks/README.md``), so
    ``rbmdocs build -j N`` builds up to N languages side by side instead.
    """
    outcome = _LanguageOutcome(echo=echo)
    try:
        with language_lock(source, language, _say_now):
            html_run: SphinxRun | None = None  # the HTML build of this command, when it passed
            for output_format in formats:
                code, run = _build_one(
                    source, output_format, language, strict, verbose, fresh, outcome, html_run
                )
                outcome.code = max(outcome.code, code)
                if output_format == "html" and code == EXIT_OK:
                    html_run = run
    except (BadInputError, ToolError) as error:
        for line in _error_lines(error):
            outcome.say(line, error=True, once=True)
        outcome.code = EXIT_BAD_INPUT
        outcome.stopped = True
    return outcome


def _build_one(
    source: Path,
    output_format: str,
    language: str,
    strict: bool,
    verbose: bool,
    fresh: bool,
    outcome: _LanguageOutcome,
    html_run: SphinxRun | None = None,
) -> tuple[int, SphinxRun]:
    """One format of one language: build, compile the PDFs, publish; say how it went.

    The PDFs come after the HTML build of the same language (``html_run``, when it ran in
    this command and passed), which says which PDFs' inputs changed (``pdf.plan_pdfs``):
    only those are made; with none, neither Sphinx's LaTeX build nor latexmk runs. After a
    ``--fresh`` HTML build the LaTeX build reads nothing again: the cache is that build's.
    """
    work = work_dir(source, output_format, language)
    target = published_dir(source, output_format, language)
    plan = _pdf_plan(source, work, target, html_run, fresh) if output_format == "pdf" else None
    if plan is not None and html_run is not None and not plan.to_build:
        return _pdfs_unchanged(source, language, plan, html_run, strict, outcome)
    overrides = {"rbmdocs_pdf_only": ",".join(plan.to_build)} if plan and plan.unchanged else {}
    fresh_env = fresh
    if fresh and html_run is not None:
        shutil.rmtree(work, ignore_errors=True)  # a build into an empty folder, as --fresh says
        fresh_env = False
    run = run_sphinx(
        source,
        builder=_BUILDERS[output_format],
        language=language,
        outdir=work,
        status=sys.stdout if verbose else None,
        fresh=fresh_env,
        overrides=overrides,
    )
    code = _build_outcome(run, strict)
    for line in _problems(source, run, outcome):
        outcome.say(line, error=True)
    pdfs: list[Path] | None = None
    if code == EXIT_OK and output_format == "pdf":
        if not run.latex_files:
            raise ToolError(
                "no document to make a PDF of: list them in rbmdocs_documents in "
                "conf.py (name, start, title, symbol, date, place)"
            )
        compile_started = time.perf_counter()
        tex_names = [f"{name}.tex" for name in plan.to_build] if plan else run.latex_files
        made = {pdf.stem: pdf for pdf in compile_pdfs(work, tex_names, jobs=_available_cpus())}
        # a PDF not made again is published as it was: its published file, linked
        pdfs = [made.get(name, target / f"{name}.pdf") for name in plan.names] if plan else []
        pdfs = pdfs or list(made.values())
        run = dataclasses.replace(run, seconds=run.seconds + time.perf_counter() - compile_started)
    if code == EXIT_OK:
        publish(work, target, pdfs, staging=staging_dir(source))
        if plan is not None:
            record_published(plan, work, target)
        where = target.relative_to(source)
        files = [f"{where}/{pdf.name}" for pdf in pdfs] if pdfs else [f"{where}/index.html"]
        which = ""
        if plan is not None and plan.unchanged:
            which = f"{', '.join(plan.to_build)} made again, {len(plan.unchanged)} unchanged, "
        outcome.say(f"{output_format} ({language}): {which}{_summary(run)} → {', '.join(files)}")
    else:
        outcome.say(
            f"{output_format} ({language}): {_summary(run)}; not published, "
            f"{target.relative_to(source)} keeps the last good output "
            f"(this draft: {work.relative_to(source)})",
            error=True,
        )
    return code, run


def _pdf_plan(
    source: Path, work: Path, target: Path, html_run: SphinxRun | None, fresh: bool
) -> PdfPlan | None:
    """Which PDFs to make; None when the project names its LaTeX documents itself."""
    raw = _raw_config(source)
    if "latex_documents" in raw:
        return None  # its own .tex names: nothing to match the digests with, so all
    entries = raw.get("rbmdocs_documents") or []
    if (
        not isinstance(entries, list)
        or not all(
            isinstance(entry, dict) and isinstance(entry.get("name"), str) for entry in entries
        )
        or not entries
    ):
        return None  # Sphinx's run says what is wrong with the list, and stops
    names = [str(entry["name"]) for entry in entries]
    html_work = html_run.outdir if html_run is not None else None
    return plan_pdfs(names, html_work, work, target, fresh=fresh)


def _pdfs_unchanged(
    source: Path,
    language: str,
    plan: PdfPlan,
    html_run: SphinxRun,
    strict: bool,
    outcome: _LanguageOutcome,
) -> tuple[int, SphinxRun]:
    """No PDF's inputs changed: the published PDFs stay, and the line says so.

    The findings and warnings are those of the HTML build just done (the same sources,
    read once), and already said.
    """
    run = dataclasses.replace(html_run, seconds=0.0)
    code = _build_outcome(run, strict)
    for line in _problems(source, run, outcome):
        outcome.say(line, error=True)
    where = published_dir(source, "pdf", language).relative_to(source)
    files = ", ".join(f"{where}/{name}.pdf" for name in plan.names)
    outcome.say(f"pdf ({language}): unchanged, {_summary(run)} → {files}")
    return code, run


def _build_outcome(run: SphinxRun, strict: bool) -> int:
    if run.bad_input:
        return EXIT_BAD_INPUT
    if run.result is None:
        return EXIT_BAD_INPUT
    code = exit_code(run.result, strict)
    if strict and run.sphinx_warning_count:
        code = max(code, EXIT_FINDINGS)
    return code


#: How many findings ``build`` prints before it sends the reader to ``rbmdocs check``.
BUILD_FINDINGS_SHOWN = 20


def _problems(source: Path, run: SphinxRun, outcome: _LanguageOutcome) -> list[str]:
    """What went wrong, before the counts: Sphinx's warnings, then the findings.

    Each once per language: the formats of a language share what was read (and so its
    warnings) and have the same findings.
    """
    lines = [
        line for line in sphinx_warning_lines(source, run) if line not in outcome.warnings_said
    ]
    outcome.warnings_said.update(lines)
    if run.result is not None and not outcome.findings_said:
        lines += finding_lines(run.result.findings, BUILD_FINDINGS_SHOWN)
        outcome.findings_said = True
    return lines


def _summary(run: SphinxRun) -> str:
    if run.result is None:
        return f"{run.seconds:.1f} s"
    result = run.result
    return (
        f"{count_of(result.needs, 'need')}, {count_of(result.links, 'link')}, "
        f"{count_of(result.errors, 'error')}, {count_of(result.warnings, 'warning')}, "
        + (f"{count_of(run.sphinx_warning_count, 'Sphinx warning')}, " if run.warnings else "")
        + f"{run.seconds:.1f} s"
    )


def _check_run(source: Path, language: str, *, through_sphinx: bool = False) -> SphinxRun:
    """The check of one language: on the project index, or through Sphinx where it must."""
    from rbmdocs.indexed import check_on_index

    raw = _raw_config(source)  # read once: conf.py is user code, and not free to run
    configured = [
        str(name) for name in raw.get("rbmdocs_languages") or [raw.get("language") or "en"]
    ]
    chosen = _languages(source, language)[0] if language not in ("", "all") else configured[0]
    return check_on_index(source, raw, chosen, through_sphinx=through_sphinx)[0]


def _command_check(args: argparse.Namespace) -> int:
    source = project_paths(args.source)
    run = _check_run(source, args.lang, through_sphinx=args.sphinx)
    _print_warnings(source, run, sys.stderr)
    if run.bad_input or run.result is None:
        for message in run.bad_input:
            print(message, file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.write(render(run.result, args.format, strict=args.strict))
    return exit_code(run.result, args.strict)


def _command_trace(args: argparse.Namespace) -> int:
    from rbmdocs.graph.trace import Direction, trace_tree
    from rbmdocs.report.trace_text import render_trace_text

    source = project_paths(args.source)
    run = _check_run(source, args.lang)
    if run.result is None:
        return EXIT_BAD_INPUT
    graph = run.result.graph
    if graph.need(args.need_id) is None:
        print(
            f"rbmdocs trace: no need with ID {args.need_id!r} "
            "(IDs are upper case, e.g. IO_1 or PRI_KEN_1)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    direction: Direction = args.direction or "both"
    trees = trace_tree(graph, args.need_id, direction)
    ways: list[str] = ["up", "down"] if direction == "both" else [direction]
    sys.stdout.write(render_trace_text(trees, ways))
    return EXIT_OK


def _locale_dir(source: Path) -> Path:
    raw = _raw_config(source)
    dirs = raw.get("locale_dirs") or ["locales"]
    return source / str(dirs[0])


def _shown_path(path: Path) -> Path:
    """``path`` relative to the current folder when it is below it (as editors like)."""
    relative = Path(os.path.relpath(path))
    return path if relative.parts[:1] == ("..",) else relative


def _command_i18n(args: argparse.Namespace) -> int:
    from rbmdocs.i18n_command import command_i18n

    source = project_paths(args.source)
    source_language, languages = _translation_languages(source, args.lang)
    everything = args.lang in ("", "all")
    return command_i18n(args, source, source_language, languages, everything=everything)


def _git(source: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(source), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["git failed"])[-1]
        raise ToolError(f"git {' '.join(args)}: {message}")
    return result.stdout.strip()


def _revision_tree(source: Path, revision: str) -> tuple[Path, str]:
    """The project as it was at ``revision``, unpacked once per commit; and a short name.

    ``git archive`` reads the repository without touching the working tree, the index or
    the checked-out branch; the unpacked copy (and its doctree cache) is kept under
    ``_build/.work/diff/`` so a second diff against the same commit is fast.
    """
    commit = _git(source, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    prefix = _git(source, "rev-parse", "--show-prefix")
    top = _git(source, "rev-parse", "--show-toplevel")
    tree = source / BUILD_DIR / ".work" / "diff" / commit
    ready = tree / ".rbmdocs-unpacked"
    with folder_lock(source, f"diff-{commit}", f"the copy of {revision}", _say_now):
        if not ready.is_file():
            if tree.exists():
                shutil.rmtree(tree)
            tree.mkdir(parents=True)
            archive = subprocess.run(
                ["git", "-C", top, "archive", "--format=tar", commit],
                capture_output=True,
                check=True,
            )
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as bundle:
                bundle.extractall(tree, filter="data")
            ready.touch()
    project = tree / prefix
    if not (project / "conf.py").is_file():
        raise ToolError(f"{revision} has no conf.py in {prefix or 'the repository root'}")
    return project, f"{revision} ({commit[:9]})"


def _command_diff(args: argparse.Namespace) -> int:
    from rbmdocs.report.diff import diff_results, render_diff_json, render_diff_markdown

    source = project_paths(args.source)
    sides = []
    for revision in (args.rev_a, args.rev_b):
        project, name = _revision_tree(source, revision) if revision else (source, "working tree")
        try:
            run = _check_run(project, args.lang)
        except BadInputError as error:
            raise ToolError(f"{name}: {error}") from None
        if run.result is None or run.bad_input:
            raise ToolError(f"{name}: the data cannot be read: {'; '.join(run.bad_input)}")
        sides.append((run.result, name))
    (before, before_name), (after, after_name) = sides
    diff = diff_results(before, after, before_name, after_name, _diff_gate(args))
    rendered = render_diff_json(diff) if args.format == "json" else render_diff_markdown(diff)
    sys.stdout.write(rendered)
    if diff.gate_tripped:
        for finding in diff.blocking:
            print(
                f"{finding.location}: {finding.severity}: {finding.rule} {finding.need}: "
                f"{finding.message} (new in {after_name})",
                file=sys.stderr,
            )
        return EXIT_FINDINGS
    return EXIT_OK


def _diff_gate(args: argparse.Namespace) -> GateLevel:
    """``--fail-on``, with ``--strict`` as ``warning``; the diff only informs by default.

    A diff answers "what did this change do"; it is also read between old releases, where
    an inherited finding is history, not a failure. Gating is the CI's choice, made
    explicit by the review script (``scripts/ci-review`` passes ``--fail-on error``).
    """
    if args.strict:
        if args.fail_on not in (None, "warning"):
            raise ToolError(
                f"--strict means --fail-on warning; it cannot go with --fail-on {args.fail_on}"
            )
        return "warning"
    level: GateLevel = args.fail_on or "never"
    return level


def _command_serve(args: argparse.Namespace) -> int:
    """Hand over to sphinx-autobuild, with our folders and what it must not watch."""
    from sphinx_autobuild.__main__ import main as autobuild

    source = project_paths(args.source)
    language = _languages(source, args.lang)[0]
    preflight_dwcp_files(source, str(_raw_config(source).get("rbmdocs_dwcp_dir") or "data/dwcp"))
    outdir = work_dir(source, "serve", language)
    # a preview has its own folders (doctrees included): a build or check of the language
    # never waits for it; two previews of one language take turns
    preview = folder_lock(source, f"serve-{language}", f"the {language} preview", _say_now)
    from rbmdocs.terminal import plain_unless_terminal

    with preview, plain_unless_terminal():
        print(f"rbmdocs serve: {language} at http://{args.host}:{args.port}/ (Ctrl+C stops)")
        autobuild(
            [
                str(source),
                str(outdir),
                "-D",
                f"language={language}",
                "-d",
                str(doctree_dir(source, f"serve-{language}")),
                "-q",
                "--host",
                args.host,
                "--port",
                str(args.port),
                # our own output, and the .mo files Sphinx compiles, would rebuild forever
                "--ignore",
                str(source / BUILD_DIR),
                "--re-ignore",
                r".*\.mo$",
                "--re-ignore",
                r"(^|.*/)\.(git|venv|mypy_cache|ruff_cache|pytest_cache)(/.*)?$",
            ]
        )
    return EXIT_OK


def _project_config(source: Path) -> Config:
    """conf.py's values with the defaults of every ``rbmdocs_*`` value, without Sphinx running."""
    from rbmdocs.config import project_config

    return project_config(_raw_config(source))


def _iati_settings(config: Config) -> IatiSettings:
    """The publisher of ``rbmdocs_iati``, checked before any check run is paid for."""
    from rbmdocs.config import CONFIG_VALUES, IATI_REQUIRED_SETTINGS
    from rbmdocs.report.iati import IatiSettings

    configured = config.rbmdocs_iati  # as written: checked here before it is typed
    problems = next(value for value in CONFIG_VALUES if value.name == "iati").validate(configured)
    if problems:
        raise ToolError("conf.py: " + "; ".join(problems))
    if not configured:
        raise ToolError(
            "conf.py: rbmdocs_iati is not set, so there is no publisher to export for; "
            f"add rbmdocs_iati = {IATI_REQUIRED_SETTINGS!r}"
        )
    return IatiSettings(**configured)


def _write_file_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside ``path`` and rename it: never a half-written file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ToolError(f"{path}: cannot write ({error.strerror or error})") from None
    except BaseException:  # interrupted: leave no temporary file behind either
        temporary.unlink(missing_ok=True)
        raise


def _command_export(args: argparse.Namespace) -> int:
    """``rbmdocs export iati``: check each language, map, validate, then write at once."""
    from rbmdocs.config import build_date, settings
    from rbmdocs.render.labels import label
    from rbmdocs.report.iati import (
        PACKAGED_SCHEMA,
        IatiSchemaError,
        LanguageView,
        ProgrammeCycle,
        build_activities,
        iati_language,
        load_schema,
        schema_problems,
        serialise,
    )

    started = time.perf_counter()
    source = project_paths(args.source)
    languages = _languages(source, args.lang)
    config = _project_config(source)
    publisher = _iati_settings(config)
    schema_path = args.schema.resolve() if args.schema else PACKAGED_SCHEMA
    try:
        schema = load_schema(schema_path)
    except IatiSchemaError as error:
        hint = "" if args.schema else "; pass the IATI 2.03 schema with --schema FILE"
        raise ToolError(f"{error}{hint}") from None
    output: Path = args.output or source / BUILD_DIR / "iati" / "activities.xml"
    views = []
    for language in languages:
        run = _check_run(source, language)
        _print_warnings(source, run, sys.stderr)
        if run.bad_input or run.result is None:
            for message in run.bad_input:
                print(message, file=sys.stderr)
            return EXIT_BAD_INPUT
        if run.result.errors:
            print(
                f"rbmdocs export iati: the results framework has {run.result.errors} "
                f"error(s) ({language}); nothing written. `rbmdocs check` lists them.",
                file=sys.stderr,
            )
            return EXIT_FINDINGS
        views.append(
            LanguageView(
                iati_language(language),
                run.result.graph,
                label("type.dwcp", language) + label("option.separator", language),
            )
        )
    values = settings(config)
    cycle = ProgrammeCycle(
        spf_period=values.spf_period,
        bienniums=values.bienniums,
        generated=f"{build_date(config)}T00:00:00Z",
    )
    export = build_activities(views, publisher, cycle)
    problems = schema_problems(schema, export.tree)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ToolError(
            f"the IATI XML does not validate against {schema_path}: {problems[0]}{more}; "
            f"nothing written, {_shown_path(output)} is unchanged"
        )
    _write_file_atomically(output, serialise(export.tree))
    for note in export.notes:
        print(f"rbmdocs export iati: note: {note}", file=sys.stderr)
    print(
        f"iati ({', '.join(languages)}): {export.activities} activities, {export.results} "
        f"results, {export.indicators} indicators, {export.actuals} actuals, "
        f"{time.perf_counter() - started:.1f} s → {_shown_path(output.resolve())}"
    )
    return EXIT_OK


def _command_cycle(args: argparse.Namespace) -> int:
    """``rbmdocs cycle next``: the checked needs in, the skeleton of the next P&B out."""
    from rbmdocs.config import check_context
    from rbmdocs.report.cycle import CycleError, next_steps, plan_next, write_draft

    source = project_paths(args.source)
    run = _check_run(source, "")
    if run.bad_input or run.result is None:
        for message in run.bad_input:
            print(message, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        draft = plan_next(
            run.result.graph, check_context(_project_config(source)), args.biennium, args.folder
        )
        written = write_draft(source, draft)
    except CycleError as error:
        raise ToolError(f"cycle next {args.biennium}: {error}") from None
    for note in draft.notes:
        print(f"rbmdocs cycle next: note: {note}", file=sys.stderr)
    print(
        f"cycle next {draft.biennium}: {len(written)} files in {draft.folder}/, "
        f"{draft.targets} targets ({draft.baselines} baselines from {draft.previous}), "
        f"{len(draft.open_recommendations)} recommendation"
        f"{'s' * (len(draft.open_recommendations) != 1)} still open"
    )
    for number, step in enumerate(next_steps(draft), start=1):
        print(f"  {number}. {step}")
    return EXIT_OK


def _command_lsp(args: argparse.Namespace) -> int:
    """``rbmdocs lsp``: the language server, until the editor closes its streams."""
    from rbmdocs.lsp.server import serve

    serve(project_paths(args.source) if args.source else None)
    return EXIT_OK


_COMMANDS = {
    "lsp": _command_lsp,
    "serve": _command_serve,
    "diff": _command_diff,
    "build": _command_build,
    "check": _command_check,
    "trace": _command_trace,
    "i18n": _command_i18n,
    "export": _command_export,
    "cycle": _command_cycle,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    announce_command(sys.argv[1:] if argv is None else argv)
    try:
        return _COMMANDS[args.command](args)
    except (BadInputError, ToolError) as error:
        for line in _error_lines(error):
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("rbmdocs: interrupted", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return _reader_gone()
    except Exception as error:  # the last guard: one line, and the traceback in a file
        with tempfile.NamedTemporaryFile(
            "w", prefix="rbmdocs-crash-", suffix=".log", delete=False
        ) as log:
            traceback.print_exc(file=log)
        print(
            f"rbmdocs: internal error: {type(error).__name__}: {error} "
            f"(details in {log.name}; please report it)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT


def _error_lines(error: BadInputError | ToolError) -> list[str]:
    """The one message (and hint) for input or a tool problem that stops a command."""
    if isinstance(error, ToolError):
        return [f"rbmdocs: error: {error}"]
    lines = [f"{error.location()}: error: {error.message}"]
    if error.hint:
        lines.append(f"  hint: {error.hint}")
    return lines


def console_main() -> None:
    """The ``rbmdocs`` command: run, flush, and leave without tearing the heap down.

    After a large build, Python would free Sphinx's environment object by object at exit,
    a noticeable part of a one-file rebuild (benchmarks/README.md). Everything is written
    and closed by then, so the process ends at once with its exit code.
    """
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _reader_gone()
    sys.stderr.flush()
    os._exit(code)


def _reader_gone() -> int:
    """The reader of the output left (``rbmdocs check | head``): stop quietly, as Unix tools do.

    What is still buffered goes nowhere instead of raising again at the next flush; the
    exit code says the output is not whole.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BAD_INPUT
