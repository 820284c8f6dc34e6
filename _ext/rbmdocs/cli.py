"""The ``rbmdocs`` command: build, check and trace (SPEC §5).

Exit codes are part of the contract: 0 ok, 1 findings at error level (or warnings with
``--strict``), 2 bad input or a tool failure. Nothing leaves this module as a traceback:
an unexpected error is one line, with the traceback written to a log file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rbmdocs import __version__
from rbmdocs.load import BadInputError
from rbmdocs.report import exit_code, render
from rbmdocs.sphinx.run import (
    SphinxRun,
    ToolError,
    config_error_text,
    doctree_dir,
    project_paths,
    publish,
    published_dir,
    run_sphinx,
    work_dir,
)

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2

FORMATS = ("html",)
"""Output formats this version builds (PDF comes with the bilingual documents)."""


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
    build.add_argument("--format", default="all", help="html or all (default: all)")
    build.add_argument("--strict", action="store_true", help="warnings fail the build too")
    build.add_argument("-j", "--jobs", type=int, default=1, help="parallel processes")
    build.add_argument("--fresh", action="store_true", help="ignore the cache and read all")
    build.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")

    check = with_source(commands.add_parser("check", help="check traceability, write no HTML"))
    check.add_argument("--format", default="text", choices=["text", "json", "github", "junit"])
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument("--lang", default="", help="the language whose cache to use")

    trace = with_source(commands.add_parser("trace", help="print the chain of a need"))
    trace.add_argument("need_id", metavar="ID")
    direction = trace.add_mutually_exclusive_group()
    direction.add_argument("--up", action="store_const", const="up", dest="direction")
    direction.add_argument("--down", action="store_const", const="down", dest="direction")
    trace.add_argument("--lang", default="", help="the language of the titles")
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


def _configured_languages(source: Path) -> list[str]:
    from sphinx.config import Config
    from sphinx.util.tags import Tags

    try:
        config = Config.read(source, overrides={}, tags=Tags())
    except Exception as error:  # conf.py is user code: any error is a configuration error
        raise ToolError(config_error_text(source, error)) from None
    raw = config._raw_config  # the project's own values, before extensions add defaults
    languages = raw.get("rbmdocs_languages") or [raw.get("language") or "en"]
    return [str(language) for language in languages]


def _print_warnings(run: SphinxRun, stream: TextIO) -> None:
    for line in run.warnings:
        print(line, file=stream)


def _command_build(args: argparse.Namespace) -> int:
    source = project_paths(args.source)
    formats = FORMATS if args.format == "all" else (args.format,)
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise ToolError(f"--format {unknown[0]}: this version builds {', '.join(FORMATS)}")
    worst = EXIT_OK
    for language in _languages(source, args.lang):
        for output_format in formats:
            work = work_dir(source, output_format, language)
            run = run_sphinx(
                source,
                builder=output_format,
                language=language,
                outdir=work,
                status=sys.stdout if args.verbose else None,
                jobs=args.jobs,
                fresh=args.fresh,
            )
            code = _build_outcome(run, args.strict)
            target = published_dir(source, output_format, language)
            if code == EXIT_OK:
                publish(work, target)
                where = target.relative_to(source)
                print(f"{output_format} ({language}): {_summary(run)} → {where}/index.html")
            else:
                print(
                    f"{output_format} ({language}): {_summary(run)}; not published, "
                    f"{target.relative_to(source)} keeps the last good output "
                    f"(this draft: {work.relative_to(source)})",
                    file=sys.stderr,
                )
            worst = max(worst, code)
    return worst


def _build_outcome(run: SphinxRun, strict: bool) -> int:
    if run.bad_input:
        return EXIT_BAD_INPUT
    if run.result is None:
        return EXIT_BAD_INPUT
    code = exit_code(run.result, strict)
    if strict and run.sphinx_warning_count:
        code = max(code, EXIT_FINDINGS)
    return code


def _summary(run: SphinxRun) -> str:
    if run.result is None:
        return f"{run.seconds:.1f} s"
    result = run.result
    return (
        f"{result.needs:,} needs, {result.links:,} links, {result.errors} errors, "
        f"{result.warnings} warnings, {run.seconds:.1f} s"
    )


def _check_run(source: Path, language: str) -> SphinxRun:
    languages = _languages(source, language)
    chosen = languages[0]
    return run_sphinx(
        source,
        builder="rbmdocs-check",
        language=chosen,
        outdir=doctree_dir(source, chosen) / "_check",
        status=None,
    )


def _command_check(args: argparse.Namespace) -> int:
    source = project_paths(args.source)
    run = _check_run(source, args.lang)
    _print_warnings(run, sys.stderr)
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


_COMMANDS = {"build": _command_build, "check": _command_check, "trace": _command_trace}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except BadInputError as error:
        print(f"{error.location()}: error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {error.hint}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ToolError as error:
        print(f"rbmdocs: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("rbmdocs: interrupted", file=sys.stderr)
        return EXIT_BAD_INPUT
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
