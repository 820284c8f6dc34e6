"""What the tests that read the site as a person would share: a local server and Chromium.

Every browser test drives Debian's Chromium (never a downloaded browser) with the flags a
sandboxed machine without network needs, and reads pages served over HTTP on a free
localhost port, as a reviewer's browser would; one place for both, so that a new browser
test cannot drift from them (or skip where the others fail).
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import playwright.sync_api as playwright
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: The flags a sandboxed machine without network needs (see the set-up notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietFiles(SimpleHTTPRequestHandler):
    """A static file server that keeps the test output clean."""

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing of each request."""


@contextmanager
def served_folder(
    folder: Path, handler: type[SimpleHTTPRequestHandler] = QuietFiles
) -> Iterator[str]:
    """``folder`` served on a free localhost port while the block runs; its base URL."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[playwright.Browser]:
    """Debian's Chromium, headless; a missing browser fails the test, never skips it."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run scripts/setup --test as root")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
