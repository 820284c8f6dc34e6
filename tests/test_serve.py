"""``rbmdocs serve``: the live preview rebuilds on save and serves the new page."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _page_when(url: str, condition: Callable[[str], bool], timeout: float = 90.0) -> str:
    """The page at ``url`` once ``condition`` holds for it; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
            if condition(last):
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never met the condition; last page: {last[:300]!r}")


def test_serve_rebuilds_on_save_and_reloads(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rbmdocs", "serve", "--source", str(root), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/framework.html"
    try:
        first = _page_when(url, lambda page: "Member States adopt employment policies" in page)
        assert "websocket-reload" in first  # the browser reloads itself after each build

        framework = root / "framework.md"
        framework.write_text(
            framework.read_text("utf-8").replace(
                "Member States adopt employment policies", "Member States adopt jobs policies"
            ),
            "utf-8",
        )

        _page_when(url, lambda page: "Member States adopt jobs policies" in page)
        budget = _page_when(
            f"http://127.0.0.1:{port}/budget.html", lambda page: "rbmdocs-table" in page
        )
        assert "Member States adopt jobs policies" in budget  # generated tables follow too
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output
