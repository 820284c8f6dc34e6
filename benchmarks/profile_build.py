"""Profile one full ``rbmdocs build`` of a generated corpus and print where the time goes.

    python benchmarks/profile_build.py --dwcps 500 [--top 25] [--keep /tmp/build.prof]

The build runs in this process under cProfile (which slows it down by about half, evenly
enough for shares to hold). The summary gives the time of each step of the build (the
steps nest: "of which" lines are part of the line above), then the functions with the most
time of their own. Not part of the tests.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import write_corpus
from rbmdocs.cli import main as rbmdocs_main

#: Steps of the build: (label, file ending, function name); nested steps start with "of which".
_STEPS = (
    ("the whole command", "rbmdocs/cli.py", "main"),
    ("Sphinx set-up (extensions, last environment)", "sphinx/application.py", "__init__"),
    ("reading the sources", "sphinx/builders/__init__.py", "read"),
    ("of which DWCP YAML pages", "rbmdocs/sphinx/dwcp_source.py", "parse"),
    ("of which sphinx-needs storing needs (add_need)", "sphinx_needs/api/need.py", "add_need"),
    ("sphinx-needs resolving needs", "sphinx_needs/directives/need.py", "post_process_needs_data"),
    ("traceability engine and findings", "rbmdocs/sphinx/checking.py", "run_traceability_check"),
    ("writing the pages", "sphinx/builders/__init__.py", "write"),
    ("of which resolving each page", "sphinx/environment/__init__.py", "get_and_resolve_doctree"),
    ("of which need views", "rbmdocs/sphinx/need_views.py", "run"),
    ("of which generated tables", "rbmdocs/sphinx/tables.py", "fill_generated_content"),
    ("of which search index", "sphinx/builders/html/__init__.py", "index_page"),
    ("of which HTML writer and templates", "sphinx/builders/html/__init__.py", "write_doc"),
    ("of which templates (page, sidebar)", "sphinx/builders/html/__init__.py", "handle_page"),
    ("saving the environment and doctrees", "~", "<built-in method _pickle.dump>"),
    ("publishing the output", "rbmdocs/sphinx/run.py", "publish"),
)


def _steps(raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]) -> list[str]:
    lines = ["| step | s | share |", "|---|---|---|"]
    whole = 0.0
    for label, file_end, name in _STEPS:
        seconds = sum(
            entry[3]
            for (filename, _line, function), entry in raw.items()
            if function == name and filename.endswith(file_end)
        )
        whole = whole or seconds
        shown = f"  {label}" if label.startswith("of which") else label
        lines.append(f"| {shown} | {seconds:.1f} | {seconds / whole:.0%} |")
    return lines


def summarise(stats: pstats.Stats, top: int) -> str:
    """The steps of the build, then the functions with the most own time, as Markdown."""
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    lines = _steps(raw)
    lines += ["", "| function | calls | own s | with callees s |", "|---|---|---|---|"]
    ranked = sorted(raw.items(), key=lambda item: -item[1][2])[:top]
    for (filename, line, name), (_, calls, own, cumulative, _) in ranked:
        short = "/".join(Path(filename).parts[-2:]) if filename != "~" else "builtin"
        lines.append(f"| `{short}:{line}({name})` | {calls:,} | {own:.2f} | {cumulative:.2f} |")
    return "\n".join(lines)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dwcps", type=int, required=True)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="also write the raw profile here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        counts = write_corpus(corpus, args.dwcps)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        code = rbmdocs_main(["build", "--source", str(corpus), "--lang", "en", "--format", "html"])
        profile.disable()
        seconds = time.perf_counter() - started
    stats = pstats.Stats(profile)
    if args.keep:
        stats.dump_stats(args.keep)
    print(f"## {counts['needs']:,} needs ({args.dwcps} DWCPs): {seconds:.1f} s under cProfile\n")
    print(summarise(stats, args.top), flush=True)
    sys.stdout.flush()
    os._exit(code)  # as the command itself does: no teardown of the heap


if __name__ == "__main__":
    main()
