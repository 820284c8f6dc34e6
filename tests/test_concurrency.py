"""Commands started at once in one project take turns and never tear the published site.

Issue 17, item 5: two ``rbmdocs build --fresh`` two seconds apart ended with "Directory
not empty" and a published folder left with half its entries. Here several builds and
checks start together, round after round, while a reader lists the published folder
and reads its index page as fast as it can.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]


def _command(root: Path, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "rbmdocs", *arguments, "--source", str(root), "--lang", "en"]


def test_builds_and_checks_started_together_never_collide(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("minimal")
    fresh_build = _command(root, "build", "--format", "html", "--fresh")
    build = _command(root, "build", "--format", "html")
    check = _command(root, "check")
    first = subprocess.run(fresh_build, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    published = root / "_build" / "html" / "en"
    expected = sorted(entry.name for entry in published.iterdir())
    index_page = (published / "index.html").read_text("utf-8")

    stop = threading.Event()
    reads: list[int] = []
    bad_reads: list[str] = []

    def read_the_site() -> None:
        while not stop.is_set():
            try:
                entries = sorted(entry.name for entry in published.iterdir())
                page = (published / "index.html").read_text("utf-8")
            except OSError as error:
                bad_reads.append(f"{type(error).__name__}: {error}")
                continue
            reads.append(1)
            if entries != expected:
                bad_reads.append(f"entries {entries}")
            elif page != index_page:
                bad_reads.append("index.html differs")

    reader = threading.Thread(target=read_the_site)
    reader.start()
    results: list[tuple[list[str], int, str]] = []
    try:
        for _round in range(3):
            commands = [fresh_build, fresh_build, build, check, check]
            running = [
                (command, subprocess.Popen(command, stderr=subprocess.PIPE, text=True))
                for command in commands
            ]
            for command, process in running:
                _, err = process.communicate(timeout=600)
                results.append((command, process.returncode, err))
    finally:
        stop.set()
        reader.join()

    failures = [(command[3:], code, err) for command, code, err in results if code != 0]
    assert failures == []
    assert bad_reads[:5] == []
    assert reads
    waited = [err for _, _, err in results if "rbmdocs: waiting for pid " in err]
    assert waited, "commands started together, yet none waited for another"
    # a waiting command names the one it waits for: its pid and its command line
    assert any("(rbmdocs build " in err or "(rbmdocs check " in err for err in waited)
    assert not (root / "_build" / "html" / "en.incoming").exists()
