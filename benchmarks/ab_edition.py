"""Before and after, side by side: the sample's whole edition, old code and new alternating.

    benchmarks/ab_edition.sh OLD_REV [ROUNDS]            (this script, through the venv)
    .venv/bin/python benchmarks/ab_edition.py f1bfed4 3 [--compare-sites] [--keep]

Each round builds the whole edition (``rbmdocs build --lang all --format all``: English
and Chinese, HTML and the PDFs) three times with each code: fresh (``--fresh``), after a
one-line edit of a DWCP's YAML (a priority title in the first ``data/dwcp/*.yaml``), and
after a one-line edit of a Markdown page of the Programme and Budget
(``programme_budget/employment.md``). The old code is the revision's tree in a temporary
``git worktree``, run with ``PYTHONPATH`` at its ``_ext`` and this project's virtual
environment; the new code is this working tree. Each code builds its own clean copy of the
sample, copied by its own ``tests/conftest.py``, so a revision that changed the sample
builds its own.

Old and new alternate within each step, and which goes first alternates from round to
round, because a shared machine drifts by a third within minutes. Before each run the
load average is recorded (``/proc/loadavg``). Per run: wall seconds, CPU seconds (user and
system of the command and the processes it waited for, xelatex included, from
``os.wait4``), and the command's own lines per format (``html (en): … 11.7 s``); then the
medians per step and code, and the Chinese HTML build's time over the English one's.

``--compare-sites`` also compares the HTML sites of the first round's fresh builds, old
against new, for each language with ``benchmarks/compare_sites.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = REPO / ".venv/bin/python"
FORMATS = (("html", "en"), ("pdf", "en"), ("html", "zh_CN"), ("pdf", "zh_CN"))
STEPS = ("fresh", "after a DWCP edit", "after a page edit")
#: the command's summary line per format: ``html (en): 877 needs, …, 19.1 s → _build/…``
_FORMAT_LINE = re.compile(r"^(html|pdf) \(([\w-]+)\):.*?(\d+(?:\.\d+)?) s(?: →|$)", re.M)
DWCP_TITLE = re.compile(r"^(\s+title: )(['\"]?)", re.M)
PAGE = "programme_budget/employment.md"
PAGE_LINE = re.compile(r"^([A-Z][^\n]*[a-z0-9.])$", re.M)


@dataclass
class Run:
    """One build: which code, which step, how long, and what the command said per format."""

    round: int
    step: str
    code: str
    load: tuple[float, float, float]
    wall: float = 0.0
    cpu: float = 0.0
    formats: dict[str, float] = field(default_factory=dict)
    ok: bool = True
    error: str = ""


def run_build(
    corpus: Path, code_path: Path, fresh: bool, formats: str = "all"
) -> tuple[float, float, str, bool]:
    """One ``rbmdocs build --lang all --format all``; (wall s, CPU s, output, succeeded)."""
    command = [str(PYTHON), "-m", "rbmdocs", "build", "--lang", "all", "--format", formats]
    if fresh:
        command.append("--fresh")
    environment = {**os.environ, "PYTHONPATH": str(code_path / "_ext")}
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=corpus, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        output.seek(0)
        text = output.read()
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, text, os.waitstatus_to_exitcode(status) == 0


def format_seconds(output: str) -> dict[str, float]:
    """The seconds the command printed for each format and language."""
    return {
        f"{kind} {language}": float(seconds)
        for kind, language, seconds in _FORMAT_LINE.findall(output)
    }


def copy_sample(tree: Path, target: Path) -> None:
    """The sample as ``tree``'s own ``tests/conftest.py`` copies it (no compiled catalogues)."""
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "from conftest import copy_sample; copy_sample(Path(sys.argv[2]))"
    )
    subprocess.run(
        [str(PYTHON), "-c", script, str(tree / "tests"), str(target)],
        env={**os.environ, "PYTHONPATH": str(tree / "_ext")},
        check=True,
    )


def edit_dwcp(corpus: Path, round_number: int) -> str:
    """Retitle the first priority of the first DWCP file; the file's name."""
    path = sorted((corpus / "data/dwcp").glob("*.yaml"))[0]
    text = path.read_text("utf-8")
    edited, count = DWCP_TITLE.subn(rf"\1\2Edit{round_number} ", text, count=1)
    if not count:
        raise SystemExit(f"{path}: no 'title:' line to edit")
    path.write_text(edited, "utf-8")
    return path.name


def edit_page(corpus: Path, round_number: int) -> None:
    """Add a sentence to the first paragraph line of a Programme and Budget page."""
    path = corpus / PAGE
    text = path.read_text("utf-8")
    edited, count = PAGE_LINE.subn(rf"\1 Edit {round_number}.", text, count=1)
    if not count:
        raise SystemExit(f"{path}: no paragraph line to edit")
    path.write_text(edited, "utf-8")


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "–"


def print_runs(runs: list[Run]) -> None:
    header = "| round | step | code | load 1/5/15 min | wall s | CPU s | "
    header += " | ".join(f"{kind.upper()} {language} s" for kind, language in FORMATS)
    print(f"{header} | HTML zh/en |")
    print("|" + "---|" * (7 + len(FORMATS)))
    for run in runs:
        cells = [
            str(run.round),
            run.step,
            run.code,
            " ".join(f"{load:.2f}" for load in run.load),
            f"{run.wall:.1f}" if run.ok else "FAIL",
            f"{run.cpu:.1f}",
        ]
        cells += [
            f"{run.formats[f'{kind} {language}']:.1f}"
            if f"{kind} {language}" in run.formats
            else "–"
            for kind, language in FORMATS
        ]
        cells.append(zh_over_en([run]))
        print("| " + " | ".join(cells) + " |")


def zh_over_en(runs: list[Run]) -> str:
    """The median Chinese HTML seconds over the median English HTML seconds."""
    english = [run.formats["html en"] for run in runs if "html en" in run.formats]
    chinese = [run.formats["html zh_CN"] for run in runs if "html zh_CN" in run.formats]
    if not english or not chinese:
        return "–"
    return f"{statistics.median(chinese) / statistics.median(english):.2f}"


def print_medians(runs: list[Run], labels: dict[str, str]) -> None:
    print(
        "| step | code | runs | wall s | CPU s | "
        + " | ".join(f"{kind.upper()} {language} s" for kind, language in FORMATS)
        + " | HTML zh/en |"
    )
    print("|" + "---|" * (6 + len(FORMATS)))
    for step in STEPS:
        walls = {}
        for code in ("old", "new"):
            chosen = [run for run in runs if run.step == step and run.code == code and run.ok]
            walls[code] = [run.wall for run in chosen]
            cells = [step, labels[code], str(len(chosen)), median(walls[code])]
            cells.append(median([run.cpu for run in chosen]))
            cells += [
                median([run.formats[name] for run in chosen if name in run.formats])
                for name in (f"{kind} {language}" for kind, language in FORMATS)
            ]
            cells.append(zh_over_en(chosen))
            print("| " + " | ".join(cells) + " |")
        if walls["old"] and walls["new"]:
            ratio = statistics.median(walls["new"]) / statistics.median(walls["old"])
            print(f"| {step} | new / old | | {ratio:.2f} | | | | | | |")


def describe_tree() -> str:
    """This working tree's commit, and whether it has changes beyond it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head}{' + uncommitted changes' if dirty else ''}"


def compare_fresh_sites(scratch: Path, results: Path) -> None:
    """The first round's fresh HTML, old against new, per language, with compare_sites.py."""
    print("\n### The fresh sites, old against new (benchmarks/compare_sites.py)\n")
    for language in ("en", "zh_CN"):
        old_site = scratch / "sites/old" / language
        new_site = scratch / "sites/new" / language
        report = results.with_name(f"{results.stem}-sites-{language}.md")
        command = [
            str(PYTHON),
            str(HERE / "compare_sites.py"),
            str(old_site),
            str(new_site),
            "--ignore-asset-hashes",
            "--json",
            str(report.with_suffix(".json")),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        report.write_text(done.stdout + done.stderr, "utf-8")
        summary = done.stdout.split("\n## ", 1)[0].split("\n", 2)[-1].strip()
        print(f"{language} (full report: {report}):\n\n{summary or done.stderr.strip()}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the old code: a commit, tag or branch")
    parser.add_argument("rounds", nargs="?", type=int, default=2)
    parser.add_argument(
        "--compare-sites", action="store_true", help="compare the fresh sites, old against new"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--format",
        choices=("all", "html", "pdf"),
        default="all",
        help="what each build makes (default: all, the whole edition; html: a quicker look)",
    )
    args = parser.parse_args()
    if not PYTHON.exists():
        raise SystemExit(f"{PYTHON}: no virtual environment; make one as the README says")
    scratch = Path(tempfile.mkdtemp(prefix="ab_edition-"))
    old_code = scratch / "old-code"
    results = HERE / "_results" / f"ab_edition-{time.strftime('%Y%m%d-%H%M%S')}.json"
    results.parent.mkdir(exist_ok=True)
    try:
        subprocess.run(
            ["git", "worktree", "add", "--quiet", "--detach", str(old_code), args.revision],
            cwd=REPO,
            check=True,
        )
        trees = {"old": old_code, "new": REPO}
        for code, tree in trees.items():
            copy_sample(tree, scratch / code)
        labels = {"old": f"old ({args.revision})", "new": f"new ({describe_tree()})"}
        print(
            f"## The whole edition, `rbmdocs build --lang all --format {args.format}`: "
            f"{labels['old']} and {labels['new']}, {args.rounds} round(s), "
            f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M %Z')}\n",
            flush=True,
        )
        runs: list[Run] = []
        for round_number in range(1, args.rounds + 1):
            order = ("new", "old") if round_number % 2 else ("old", "new")
            for step in STEPS:
                if step == "after a DWCP edit":
                    for code in order:
                        edit_dwcp(scratch / code, round_number)
                elif step == "after a page edit":
                    for code in order:
                        edit_page(scratch / code, round_number)
                for code in order:
                    run = Run(round_number, step, code, os.getloadavg())
                    run.wall, run.cpu, output, run.ok = run_build(
                        scratch / code, trees[code], step == "fresh", args.format
                    )
                    run.formats = format_seconds(output)
                    if not run.ok:
                        run.error = output[-1500:]
                        print(f"FAILED ({code}, {step}):\n{run.error}", file=sys.stderr)
                    runs.append(run)
                    print(
                        f"round {round_number}, {step}, {code}: {run.wall:.1f} s "
                        f"(load {run.load[0]:.2f}) {run.formats}",
                        file=sys.stderr,
                        flush=True,
                    )
                    if args.compare_sites and round_number == 1 and step == "fresh":
                        shutil.copytree(scratch / code / "_build/html", scratch / "sites" / code)
        print("### Every run\n")
        print_runs(runs)
        print("\n### Medians\n")
        print_medians(runs, labels)
        results.write_text(
            json.dumps(
                {"revision": args.revision, "labels": labels, "runs": [asdict(r) for r in runs]},
                indent=1,
            )
        )
        print(f"\n(raw figures: {results})")
        if args.compare_sites:
            compare_fresh_sites(scratch, results)
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(old_code)],
            cwd=REPO,
            capture_output=True,
        )
        if args.keep:
            print(f"scratch kept: {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
