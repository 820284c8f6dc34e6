"""Measure rbmdocs against plain sphinx-needs on the same corpus, side by side in one run.

Per size (in DWCPs) it prints: needs, links, engine seconds (in memory, median), `rbmdocs
check` cold and after a one-file edit, the full HTML build cold and after a one-file
edit, the plain sphinx-needs HTML build of the same needs, the ratio, and peak memory.
Every command runs in its own process; its peak memory is that process's maximum RSS.

    python benchmarks/run.py --sizes 100,500,1000,2000 --repeat 1
    python benchmarks/run.py --engine-only 1000,10000 --repeat 3
    python benchmarks/run.py --sizes 1000,2000 --repeat 3 --baseline f1bfed4

``--baseline REV`` also builds each corpus with the code of an earlier revision (a temporary
git worktree, run through ``PYTHONPATH``), old and new alternating within each round, so a
change is measured against its start on the same machine in the same minutes. After the
table, "Linear?" gives seconds and MiB per 1,000 needs at each size, and per 1,000 needs
added from the size before: constant figures down the column mean linear growth.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import in_memory, write_corpus
from rbmdocs.graph import CheckContext, NeedRecord, check_needs

HERE = Path(__file__).parent
PYTHON = sys.executable
RBMDOCS = [PYTHON, "-m", "rbmdocs"]


#: Runs one command and reports its seconds and peak memory; see ``timed``.
_MEASURE = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def timed(
    command: list[str], cwd: Path | None = None, code: Path | None = None
) -> tuple[float, float, bool, str]:
    """Run a command; return (seconds, peak RSS in MiB, succeeded, stderr tail).

    The command is started by a small Python process of its own: Linux counts in a
    process's peak memory what it held before it turned into the command (``fork`` then
    ``exec``), and this process holds the engine's records, hundreds of megabytes, which
    the peak of every small build used to show.

    ``code``: a tree whose ``_ext`` the command imports rbmdocs from (an earlier revision's),
    instead of this one's.
    """
    environment = None
    if code is not None:
        environment = {**os.environ, "PYTHONPATH": str(code / "_ext")}
    process = subprocess.run(
        [PYTHON, "-c", _MEASURE, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
    )
    try:
        seconds, peak_kib, exit_code = process.stdout.split()
    except ValueError:
        return 0.0, 0.0, False, process.stderr[-600:]
    succeeded = int(exit_code) in (0, 1)
    return float(seconds), int(peak_kib) / 1024, succeeded, process.stderr[-600:]


def edit_one_dwcp(corpus: Path, round_number: int) -> None:
    """Change the title of one DWCP file, as a drafting team would."""
    path = sorted((corpus / "data/dwcp").glob("*.yaml"))[0]
    text = path.read_text("utf-8")
    marker = "Country D00001"
    path.write_text(text.replace(marker, f"{marker} (edit {round_number})", 1), "utf-8")


#: More than any processor cache holds: writing it leaves none of the records cached.
_CACHE_FLUSH_BYTES = 128 << 20


def _flush_caches() -> None:
    """Write and read a buffer larger than the processor's caches, so they hold other data.

    In a build the engine runs once, after Sphinx has gone through hundreds of megabytes;
    run after run on the same records, a small corpus stays in the caches and times
    faster than any build would see it.
    """
    buffer = b"\x01" * _CACHE_FLUSH_BYTES
    buffer.count(b"\x02")


def engine_seconds(
    records: list[NeedRecord], context: CheckContext, repeat: int, cold: bool = False
) -> tuple[float, int, int]:
    """Median seconds of the engine alone on in-memory records, with the counts.

    ``cold``: the caches are flushed before each run (as a build finds them), else each
    run finds the records the run before left in them.
    """
    times = []
    for _ in range(repeat):
        if cold:
            _flush_caches()
        started = time.perf_counter()
        result = check_needs(records, context)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result.needs, result.links


def floor_seconds(records: list[NeedRecord], repeat: int) -> float:
    """Median seconds of the least any engine must do, with the caches flushed before each run.

    Index the needs by ID and look up every link's target once: no check of any rule can
    do less. Ten times the needs cost this floor more than ten times the time wherever the
    larger corpus no longer fits the processor's caches, so the engine's own ratio is read
    beside it.
    """
    targets = [target for record in records for found in record.links.values() for target in found]
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            _flush_caches()
            started = time.perf_counter()
            by_id = {record.id: record for record in records}
            get = by_id.get
            for target in targets:
                get(target)
            times.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return statistics.median(times)


def median_of(runs: list[tuple[float, float, bool, str]]) -> dict[str, object]:
    ok = all(run[2] for run in runs)
    if not runs:
        return {"seconds": None, "peak_mib": 0.0, "ok": True}
    if not ok:
        failed = next(run for run in runs if not run[2])
        print(f"    FAILED: {failed[3]}", file=sys.stderr)
    return {
        "seconds": statistics.median(run[0] for run in runs) if ok else None,
        "peak_mib": max(run[1] for run in runs),
        "ok": ok,
    }


def measure(
    dwcps: int,
    repeat: int,
    skip_plain: bool,
    out: Path,
    skip_build: bool = False,
    plain_full_toctree: bool = False,
    jobs: int = 0,
    baseline: Path | None = None,
) -> dict[str, object]:
    """Every figure for one size; with ``baseline``, that tree's code builds a copy too."""
    corpus = out / f"d{dwcps}"
    plain = out / f"d{dwcps}-plain"
    counts = write_corpus(corpus, dwcps)
    write_corpus(plain, dwcps, plain=True, plain_full_toctree=plain_full_toctree)
    old_corpus = out / f"d{dwcps}-old"
    if baseline is not None:
        copy_for_baseline(corpus, old_corpus, baseline)
    old_build: list[tuple[float, float, bool, str]] = []
    old_incremental: list[tuple[float, float, bool, str]] = []
    row: dict[str, object] = {"dwcps": dwcps, **counts}
    row["engine"], _, _ = engine_seconds(*in_memory(dwcps), max(3, repeat))
    cold: list[tuple[float, float, bool, str]] = []
    warm: list[tuple[float, float, bool, str]] = []
    build: list[tuple[float, float, bool, str]] = []
    incremental: list[tuple[float, float, bool, str]] = []
    plain_build: list[tuple[float, float, bool, str]] = []
    serial: list[tuple[float, float, bool, str]] = []
    parallel: list[tuple[float, float, bool, str]] = []
    for round_number in range(repeat):
        shutil.rmtree(corpus / "_build", ignore_errors=True)
        cold.append(timed([*RBMDOCS, "check", "--source", str(corpus)]))
        edit_one_dwcp(corpus, round_number)
        if baseline is not None:  # the same sources for both codes
            edit_one_dwcp(old_corpus, round_number)
        warm.append(timed([*RBMDOCS, "check", "--source", str(corpus)]))
        if skip_build:
            continue
        # new code and old alternate, and which goes first alternates from round to round
        Runs = list[tuple[float, float, bool, str]]
        sides: list[tuple[Path, Path | None, Runs, Runs]] = [(corpus, None, build, incremental)]
        if baseline is not None:
            sides.append((old_corpus, baseline, old_build, old_incremental))
        if round_number % 2:
            sides.reverse()
        for tree, _, _, _ in sides:
            shutil.rmtree(tree / "_build", ignore_errors=True)
        for tree, code, fresh_runs, _ in sides:
            fresh_runs.append(
                timed([*RBMDOCS, "build", "--source", str(tree), "--lang", "en"], code=code)
            )
        for tree, _, _, _ in sides:
            edit_one_dwcp(tree, round_number + 100)
        for tree, code, _, edited_runs in sides:
            edited_runs.append(
                timed([*RBMDOCS, "build", "--source", str(tree), "--lang", "en"], code=code)
            )
        if jobs > 1:
            # both languages, one after the other and then side by side
            command = [*RBMDOCS, "build", "--source", str(corpus), "--lang", "all", "--format"]
            for count, runs in ((1, serial), (jobs, parallel)):
                shutil.rmtree(corpus / "_build", ignore_errors=True)
                runs.append(timed([*command, "html", "-j", str(count)]))
        if not skip_plain:
            shutil.rmtree(plain / "_build", ignore_errors=True)
            plain_build.append(
                timed(
                    [
                        PYTHON,
                        "-m",
                        "sphinx",
                        "-b",
                        "html",
                        "-q",
                        str(plain),
                        str(plain / "_build/html"),
                    ]
                )
            )
    row["check_cold"] = median_of(cold)
    row["check_warm"] = median_of(warm)
    row["build"] = median_of(build) if build else {"seconds": None, "peak_mib": 0.0, "ok": True}
    row["build_incremental"] = median_of(incremental) if incremental else None
    row["plain_build"] = median_of(plain_build) if plain_build else None
    row["serial_build"] = median_of(serial) if serial else None
    row["parallel_build"] = median_of(parallel) if parallel else None
    row["jobs"] = jobs
    row["old_build"] = median_of(old_build) if old_build else None
    row["old_build_incremental"] = median_of(old_incremental) if old_incremental else None
    return row


def copy_for_baseline(corpus: Path, target: Path, baseline: Path) -> None:
    """The corpus for the earlier code: the same files, without what that code cannot read.

    The corpus turns off RBM061 (its countries are made up); a revision from before that
    rule refuses to hear of it, and has nothing to turn off.
    """
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(corpus, target, ignore=shutil.ignore_patterns("_build"))
    schema = (baseline / "_ext/rbmdocs/schema.py").read_text("utf-8")
    if "RBM061" not in schema:
        conf = target / "conf.py"
        lines = conf.read_text("utf-8").splitlines(keepends=True)
        conf.write_text("".join(line for line in lines if "RBM061" not in line), "utf-8")


def _cell(value: object) -> str:
    if isinstance(value, dict):
        seconds = value.get("seconds")
        return "FAIL" if seconds is None else f"{seconds:.2f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def columns(jobs: bool, baseline: bool) -> list[str]:
    """The table's columns: the -j ones with ``--jobs``, the old code's with ``--baseline``."""
    names = [
        "DWCPs",
        "needs",
        "links",
        "engine s",
        "check cold s",
        "check after edit s",
        "build s",
        "build after edit s",
        "plain sphinx-needs build s",
        "plain / ours",
        "peak MiB ours",
        "peak MiB plain",
    ]
    if baseline:
        names += [
            "old build s",
            "old build after edit s",
            "new / old build",
            "new / old after edit",
            "plain / old",
            "peak MiB old",
        ]
    if jobs:
        names += ["en + zh_CN -j 1 s", "en + zh_CN -j N s"]
    return names


def print_header(jobs: bool = False, baseline: bool = False) -> None:
    """The Markdown table's header."""
    names = columns(jobs, baseline)
    print("| " + " | ".join(names) + " |")
    print("|" + "---|" * len(names), flush=True)


def _seconds(value: object) -> float | None:
    seconds = value.get("seconds") if isinstance(value, dict) else None
    return seconds if isinstance(seconds, float) else None


def _ratio(numerator: object, denominator: object, digits: int = 1) -> str:
    top, bottom = _seconds(numerator), _seconds(denominator)
    return f"{top / bottom:.{digits}f}×" if top and bottom else "–"


def _peak(value: object) -> str:
    peak = value.get("peak_mib") if isinstance(value, dict) else None
    return f"{peak:.0f}" if peak else "–"


def print_row(row: dict[str, object], jobs: bool = False, baseline: bool = False) -> None:
    """One Markdown row, with a dash where a figure was not measured."""
    build = row["build"]
    plain = row["plain_build"]
    incremental = row["build_incremental"]

    def cell(value: object) -> str:
        return _cell(value) if isinstance(value, dict) and value.get("ok") is not None else "–"

    cells = [
        f"{row['dwcps']:,}",
        f"{row['needs']:,}",
        f"{row['links']:,}",
        _cell(row["engine"]),
        _cell(row["check_cold"]),
        _cell(row["check_warm"]),
        _cell(build) if _seconds(build) is not None else "–",
        cell(incremental),
        cell(plain),
        _ratio(plain, build),
        _peak(build),
        _peak(plain),
    ]
    if baseline:
        old, old_incremental = row.get("old_build"), row.get("old_build_incremental")
        cells += [
            cell(old),
            cell(old_incremental),
            _ratio(build, old, 2),
            _ratio(incremental, old_incremental, 2),
            _ratio(plain, old),
            _peak(old),
        ]
    if jobs:
        cells += [
            cell(row["serial_build"]),
            f"{_cell(row['parallel_build'])} (-j {row['jobs']})" if row["parallel_build"] else "–",
        ]
    print("| " + " | ".join(cells) + " |", flush=True)


def print_linearity(rows: list[dict[str, object]]) -> None:
    """Seconds and MiB per 1,000 needs at each size, and per 1,000 needs added since the last.

    Growth is linear when a column stays the same from size to size. The first two columns
    include what every build pays whatever its size (starting Python, Sphinx, the theme:
    about 1 s and 100 MiB), so they fall at first; the added-needs columns leave it out.
    """
    builds = [
        (label, key)
        for label, key in (("ours", "build"), ("old", "old_build"), ("plain", "plain_build"))
        if any(_seconds(row.get(key)) for row in rows)
    ]
    if not builds:
        return
    print("\n### Linear?\n")
    header = ["needs"]
    for label, _ in builds:
        header += [
            f"{label}: s per 1,000 needs",
            f"{label}: MiB per 1,000 needs",
            f"{label}: s per 1,000 added needs",
            f"{label}: MiB per 1,000 added needs",
        ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    previous: dict[str, tuple[int, float, float]] = {}
    for row in rows:
        needs = row["needs"]
        assert isinstance(needs, int)
        cells = [f"{needs:,}"]
        for label, key in builds:
            value = row.get(key)
            seconds = _seconds(value)
            peak = value.get("peak_mib") if isinstance(value, dict) else None
            if not seconds or not peak:
                cells += ["–"] * 4
                continue
            thousands = needs / 1000
            cells += [f"{seconds / thousands:.2f}", f"{peak / thousands:.1f}"]
            if label in previous and needs > previous[label][0]:
                added = (needs - previous[label][0]) / 1000
                cells += [
                    f"{(seconds - previous[label][1]) / added:.2f}",
                    f"{(peak - previous[label][2]) / added:.1f}",
                ]
            else:
                cells += ["–", "–"]
            previous[label] = (needs, seconds, peak)
        print("| " + " | ".join(cells) + " |")


def compare_sites(out: Path, size: int, results: Path) -> str:
    """Old code's English site against new code's, same sources: the summary of the report.

    Both corpora went through the same edits and builds, so every difference is the code's.
    The full report is written beside the raw figures.
    """
    report = results.with_name(f"{results.stem}-sites-d{size}.md")
    done = subprocess.run(
        [
            PYTHON,
            str(HERE / "compare_sites.py"),
            str(out / f"d{size}-old/_build/html/en"),
            str(out / f"d{size}/_build/html/en"),
            "--ignore-asset-hashes",
            "--json",
            str(report.with_suffix(".json")),
        ],
        capture_output=True,
        text=True,
    )
    report.write_text(done.stdout + done.stderr, "utf-8")
    summary = done.stdout.split("\n## ", 1)[0].split("\n", 2)[-1].strip()
    return f"\n### The sites of {size:,} DWCPs, old code against new\n\n" + (
        f"{summary or done.stderr.strip()}\n\n(full report: {report})"
    )


def baseline_tree(revision: str, scratch: Path) -> Path:
    """A git worktree of ``revision`` in ``scratch``, for its code."""
    tree = scratch / "old-code"
    subprocess.run(
        ["git", "worktree", "add", "--quiet", "--detach", str(tree), revision],
        cwd=HERE.parent,
        check=True,
    )
    return tree


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,1000", help="DWCPs per corpus, comma-separated")
    parser.add_argument("--engine-only", default="", help="sizes for the engine alone")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument(
        "--skip-build", action="store_true", help="check only (no HTML build, ours or plain)"
    )
    parser.add_argument(
        "--plain-full-toctree",
        action="store_true",
        help="plain corpus with every DWCP page in its table of contents (quadratic sidebar)",
    )
    parser.add_argument("--jobs", type=int, default=0, help="also time our full build with -j JOBS")
    parser.add_argument("--out", type=Path, default=HERE / "_corpus")
    parser.add_argument(
        "--baseline",
        metavar="REVISION",
        help="also build each corpus with this revision's code, old and new alternating",
    )
    parser.add_argument(
        "--compare-sites",
        action="store_true",
        help="with --baseline: compare the old and new code's English sites of each size",
    )
    args = parser.parse_args()
    results: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "baseline": args.baseline,
    }
    scratch = Path(tempfile.mkdtemp(prefix="run-baseline-")) if args.baseline else None
    try:
        run_sizes(args, results, baseline_tree(args.baseline, scratch) if scratch else None)
    finally:
        if scratch is not None:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(scratch / "old-code")],
                cwd=HERE.parent,
                capture_output=True,
            )
            shutil.rmtree(scratch, ignore_errors=True)


def run_sizes(args: argparse.Namespace, results: dict[str, object], baseline: Path | None) -> None:
    """The engine-only table, then the table of sizes, then "Linear?"."""
    if args.engine_only:
        engine_rows = []
        print(
            "| DWCPs | needs | links | engine s (median, caches warm) | engine s (median, "
            "caches cold) | floor s (median, caches cold) |\n|---|---|---|---|---|---|"
        )
        for size in (int(s) for s in args.engine_only.split(",")):
            records, context = in_memory(size)
            seconds, needs, links = engine_seconds(records, context, args.repeat)
            cold, _, _ = engine_seconds(records, context, args.repeat, cold=True)
            floor = floor_seconds(records, args.repeat)
            engine_rows.append(
                {
                    "dwcps": size,
                    "needs": needs,
                    "links": links,
                    "engine": seconds,
                    "cold": cold,
                    "floor": floor,
                }
            )
            print(
                f"| {size:,} | {needs:,} | {links:,} | {seconds:.3f} | {cold:.3f} | {floor:.4f} |",
                flush=True,
            )
        if len(engine_rows) > 1:
            first, last = engine_rows[0], engine_rows[-1]
            print(
                f"\n{last['needs'] / first['needs']:.1f}× the needs took "
                f"{last['engine'] / first['engine']:.1f}× the time with the caches warm, "
                f"{last['cold'] / first['cold']:.1f}× with them cold; the floor (index the "
                f"IDs, look up every link) {last['floor'] / first['floor']:.1f}×"
            )
        results["engine_only"] = engine_rows
    rows: list[dict[str, object]] = []
    results["sizes"] = rows
    target = HERE / "_results"
    target.mkdir(exist_ok=True)
    output = target / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json"
    jobs, with_baseline = args.jobs > 1, baseline is not None
    comparisons: list[str] = []
    if args.sizes:
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if baseline is not None:
            print(f"old code: {args.baseline}, from {baseline}")
        print_header(jobs, with_baseline)
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"measuring {size} DWCPs …", file=sys.stderr, flush=True)
            rows.append(
                measure(
                    size,
                    args.repeat,
                    args.skip_plain,
                    args.out,
                    args.skip_build,
                    args.plain_full_toctree,
                    args.jobs,
                    baseline,
                )
            )
            print_row(rows[-1], jobs, with_baseline)
            output.write_text(json.dumps(results, indent=1))  # each size as soon as it is done
            if with_baseline and args.compare_sites and not args.skip_build:
                comparisons.append(compare_sites(args.out, size, output))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print_linearity(rows)
        for comparison in comparisons:
            print(comparison)
    results["load_after"] = os.getloadavg()
    output.write_text(json.dumps(results, indent=1))
    print(f"\n(raw figures: {output})")


if __name__ == "__main__":
    main()
