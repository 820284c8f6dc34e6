"""The one-file rebuild, old code against new, in alternating rounds on one machine.

Each code builds its own copy of a generated corpus (built once beforehand with that code,
so that each keeps its own caches); per round, priority 1 of ``D00001`` is retitled in
both copies and each is built again, the old code first in odd rounds and second in even
ones. Wall and CPU seconds (user + system of the build's process) and the load average
are printed per build, and the medians at the end.

    .venv/bin/python benchmarks/ab_one_file_rebuild.py OLD_EXT OLD_CORPUS NEW_CORPUS [ROUNDS]

``OLD_EXT`` is the ``_ext`` folder of the old code (``git archive REVISION _ext | tar -x``);
the new code is this working tree's ``_ext``.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent
_TITLE = re.compile(r"title: \{en: Priority 1 of D00001[^\n]*")


def _retitle(corpus: Path, tag: str) -> None:
    path = corpus / "data/dwcp/D00001.yaml"
    text = path.read_text("utf-8")
    new = f"title: {{en: Priority 1 of D00001 {tag}, zh_CN: 优先事项}}"
    path.write_text(_TITLE.sub(new, text, count=1), "utf-8")


def _build(corpus: Path, ext: Path) -> tuple[float, float]:
    """One English HTML build: wall and CPU seconds."""
    environment = {**os.environ, "PYTHONPATH": str(ext)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rbmdocs", "build", "--lang", "en", "--format", "html"],
        cwd=corpus,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(arguments: list[str]) -> None:
    """Alternate the two codes' rebuilds and print each build and the medians."""
    old_ext, old_corpus, new_corpus = (Path(argument).resolve() for argument in arguments[:3])
    rounds = int(arguments[3]) if len(arguments) > 3 else 3
    runs: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
    sides = {"old": (old_corpus, old_ext), "new": (new_corpus, _HERE / "_ext")}
    for round_number in range(1, rounds + 1):
        order = ["old", "new"] if round_number % 2 else ["new", "old"]
        for which in order:
            corpus, ext = sides[which]
            _retitle(corpus, f"ab{round_number}-{time.time_ns()}")
            wall, cpu = _build(corpus, ext)
            runs[which].append((wall, cpu))
            load = os.getloadavg()[0]
            print(f"round {round_number} {which}: wall {wall:.2f} s, CPU {cpu:.2f} s", end="")
            print(f", load {load:.2f}")
    for which, measured in runs.items():
        wall = statistics.median(run[0] for run in measured)
        cpu = statistics.median(run[1] for run in measured)
        print(f"median {which}: wall {wall:.2f} s, CPU {cpu:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
