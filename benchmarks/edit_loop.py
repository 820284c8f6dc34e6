"""The edit loop: ``rbmdocs check`` on the index against the build's path, and the editor.

Old and new run side by side in one run, alternating, each command in its own process:

* ``check --sphinx`` (the build's path: Sphinx and sphinx-needs read the project) and
  ``check`` (the project index), cold (no cache) and after a one-file edit, on a
  generated corpus and on the sample;
* ``check`` cold on a corpus ten times smaller, for the ratio of ten times the needs;
* the language server (``rbmdocs lsp``) driven over stdio by pygls' client: start-up to
  the first diagnostics, completion and hover answered, diagnostics after a change, and
  its memory against the memory of the index alone.

    python benchmarks/edit_loop.py --dwcps 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from generate import write_corpus
from run import PYTHON, RBMDOCS, edit_one_dwcp

#: Runs one command; prints its wall seconds, CPU seconds (user and system), peak KiB, code.
_MEASURE = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - started, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float, float, bool, str]:
    """(wall seconds, CPU seconds, peak MiB, succeeded, stderr tail) of one command.

    The CPU seconds are what the command itself used: on a machine shared with other work
    they vary far less than the wall time, which counts the waits for a free core.
    """
    done = subprocess.run(
        [PYTHON, "-c", _MEASURE, *command], cwd=cwd, capture_output=True, text=True, check=False
    )
    try:
        wall, cpu, peak_kib, code = done.stdout.split()
    except ValueError:
        return 0.0, 0.0, 0.0, False, done.stderr[-600:]
    return float(wall), float(cpu), int(peak_kib) / 1024, int(code) in (0, 1), done.stderr[-600:]


HERE = Path(__file__).parent

#: Peak memory of the index alone: read the project and check it, in its own process.
_INDEX_ONLY = """
import resource, sys
from pathlib import Path
from rbmdocs.graph import check_needs
from rbmdocs.indexed import editor_project
editor = editor_project(Path(sys.argv[1]))
editor.load()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def median(values: list[float]) -> float:
    """The median, or 0.0 for nothing measured."""
    return statistics.median(values) if values else 0.0


def check_rounds(
    corpus: Path, repeat: int, edit: Callable[[Path, int], None]
) -> dict[str, list[float]]:
    """Old and new, cold and after an edit, alternating, ``repeat`` rounds."""
    times: dict[str, list[float]] = {}

    def measure(name: str, command: list[str]) -> None:
        wall, cpu, peak, ok, tail = timed(command, cwd=corpus)
        assert ok, tail
        times.setdefault(f"{name} s", []).append(wall)
        times.setdefault(f"{name} CPU s", []).append(cpu)
        times.setdefault(f"{name} peak MiB", []).append(peak)

    for round_number in range(repeat):
        shutil.rmtree(corpus / "_build", ignore_errors=True)
        measure("old cold", [*RBMDOCS, "check", "--sphinx"])
        shutil.rmtree(corpus / "_build" / ".work" / "index", ignore_errors=True)
        measure("new cold", [*RBMDOCS, "check"])
        edit(corpus, 2 * round_number)
        measure("old edit", [*RBMDOCS, "check", "--sphinx"])
        edit(corpus, 2 * round_number + 1)
        measure("new edit", [*RBMDOCS, "check"])
    return times


def edit_sample_page(sample: Path, round_number: int) -> None:
    """Change one sentence of one Markdown page of the sample."""
    page = sample / "spf" / "vision.md"
    page.write_text(page.read_text("utf-8") + f"\nEdited ({round_number}).\n", "utf-8")


def plant_dead_link(corpus: Path) -> Path:
    """One CPO of the first DWCP links to an outcome that does not exist."""
    path = sorted((corpus / "data" / "dwcp").glob("*.yaml"))[0]
    text = path.read_text("utf-8")
    start = text.index("contributes_to: [") + len("contributes_to: [")
    path.write_text(text[:start] + "IO_99999, " + text[start:], "utf-8")
    return path


async def lsp_figures(corpus: Path, repeat: int) -> dict[str, float]:
    """Start-up, completion, hover, diagnostics after a change and memory of the server."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient
    from pygls.uris import from_fs_path

    dwcp = plant_dead_link(corpus)
    dwcp_uri = from_fs_path(str(dwcp))
    assert dwcp_uri is not None
    arrived: dict[str, asyncio.Event] = {}
    diagnostics: dict[str, list[types.Diagnostic]] = {}
    client = LanguageClient("edit-loop", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        diagnostics[params.uri] = list(params.diagnostics)
        arrived.setdefault(params.uri, asyncio.Event()).set()

    started = time.perf_counter()
    await client.start_io(*RBMDOCS, "lsp", "--source", str(corpus))
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=dwcp_uri)
    )
    client.initialized(types.InitializedParams())
    await arrived.setdefault(dwcp_uri, asyncio.Event()).wait()
    figures = {"start-up to first diagnostics": time.perf_counter() - started}
    text = dwcp.read_text("utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=dwcp_uri, language_id="yaml", version=1, text=text
            )
        )
    )
    lines = text.splitlines()
    line = next(number for number, value in enumerate(lines) if "contributes_to: [" in value)
    column = lines[line].index("[") + 1
    completion, hover = [], []
    for _ in range(repeat * 5):
        began = time.perf_counter()
        answer = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=dwcp_uri),
                position=types.Position(line=line, character=column),
            )
        )
        completion.append(time.perf_counter() - began)
        assert answer is not None
        began = time.perf_counter()
        shown = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=dwcp_uri),
                position=types.Position(line=line, character=lines[line].index(", ") + 3),
            )
        )
        hover.append(time.perf_counter() - began)
        assert shown is not None
    figures["completion"] = median(completion)
    figures["hover"] = median(hover)
    after_change = []
    for version in range(2, 2 + repeat * 2):
        wrong = f"IO_{90000 + version}"
        changed = text.replace("IO_99999", wrong, 1)
        arrived[dwcp_uri] = asyncio.Event()
        began = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=dwcp_uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=changed)],
            )
        )
        while not any(wrong in d.message for d in diagnostics.get(dwcp_uri, [])):
            await arrived[dwcp_uri].wait()
            arrived[dwcp_uri] = asyncio.Event()
        after_change.append(time.perf_counter() - began)
    figures["diagnostics after a change"] = median(after_change)
    status = Path(f"/proc/{server_process()}/status").read_text()
    peak_kib = next(int(row.split()[1]) for row in status.splitlines() if row.startswith("VmHWM"))
    figures["server peak MiB"] = peak_kib / 1024
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return figures


def server_process() -> int:
    """The process ID of the language server this process started (its only child)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"lsp" in command:
            return int(entry.name)
    raise RuntimeError("the language server process is gone")


def index_peak_mib(corpus: Path) -> float:
    """Peak memory of a process that reads the index and checks it, nothing else."""
    done = subprocess.run(
        [PYTHON, "-c", _INDEX_ONLY, str(corpus)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    """Measure and print one table per part."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dwcps", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "_corpus")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    corpus = args.out / f"edit-loop-{args.dwcps}"
    counts = write_corpus(corpus, args.dwcps)
    print(f"corpus: {counts['needs']:,} needs, {counts['links']:,} links")
    times = check_rounds(corpus, args.repeat, edit_one_dwcp)
    for name, values in sorted(times.items()):
        shown = ", ".join(f"{value:.2f}" for value in values)
        print(f"check {name}: median {median(values):.2f} ({shown})")
    small = args.out / f"edit-loop-{args.dwcps // 10}"
    small_counts = write_corpus(small, args.dwcps // 10)
    small_cold, small_cpu = [], []
    for _ in range(args.repeat):
        shutil.rmtree(small / "_build", ignore_errors=True)
        wall, cpu, _, ok, tail = timed([*RBMDOCS, "check"], cwd=small)
        assert ok, tail
        small_cold.append(wall)
        small_cpu.append(cpu)
    ratio = median(times["new cold s"]) / median(small_cold)
    cpu_ratio = median(times["new cold CPU s"]) / median(small_cpu)
    print(
        f"check cold at {small_counts['needs']:,} needs: median {median(small_cold):.2f} s "
        f"({median(small_cpu):.2f} CPU s); {counts['needs'] / small_counts['needs']:.1f}x the "
        f"needs take {ratio:.1f}x the time ({cpu_ratio:.1f}x the CPU time)"
    )
    with tempfile.TemporaryDirectory() as folder:
        from conftest import copy_sample

        sample = copy_sample(Path(folder) / "sample")
        timed([*RBMDOCS, "check", "--sphinx"], cwd=sample)
        timed([*RBMDOCS, "check"], cwd=sample)
        old, new, old_cpu, new_cpu = [], [], [], []
        for round_number in range(args.repeat * 2):
            edit_sample_page(sample, 2 * round_number)
            wall, cpu, *_ = timed([*RBMDOCS, "check", "--sphinx"], cwd=sample)
            old.append(wall)
            old_cpu.append(cpu)
            edit_sample_page(sample, 2 * round_number + 1)
            wall, cpu, *_ = timed([*RBMDOCS, "check"], cwd=sample)
            new.append(wall)
            new_cpu.append(cpu)
        print(
            f"sample after an edit: old median {median(old):.2f} s ({median(old_cpu):.2f} CPU s), "
            f"new median {median(new):.2f} s ({median(new_cpu):.2f} CPU s)"
        )
    figures = asyncio.run(lsp_figures(corpus, args.repeat))
    for name, value in figures.items():
        unit = "MiB" if "MiB" in name else "s"
        print(f"lsp {name}: {value:.3f} {unit}".replace(" MiB:", ":"))
    print(f"index alone peak: {index_peak_mib(corpus):.0f} MiB")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
