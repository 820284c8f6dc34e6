"""The trace in the browser puts a priority's programme beside it, as ``rbmdocs trace`` does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import playwright.sync_api as playwright
import pytest
from test_browser import _shot, _trace, browser
from web import served_folder

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]

__all__ = ["browser"]  # the fixture, shared with the other browser tests


def test_the_programme_of_a_priority_is_beside_it_not_below_it(
    browser: object, copy_root: Callable[[str], Path]
) -> None:
    root = copy_root("minimal")
    build = [sys.executable, "-m", "rbmdocs", "build", "--source", str(root), "--format", "html"]
    subprocess.run(build, check=True, capture_output=True)
    with served_folder(root / "_build/html/en") as site:
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        try:
            page = context.new_page()
            page.goto(f"{site}/data/dwcp/GHA.html#PRI_GHA_1")
            trace = _trace(page, "PRI_GHA_1")
            playwright.expect(trace.locator("details.rbmdocs-trace-up")).to_have_count(1)
            # nothing is below a priority: its programme holds it
            playwright.expect(trace.locator("details.rbmdocs-trace-down")).to_have_count(0)
            playwright.expect(trace).not_to_contain_text("DWCP_GHA")

            page.goto(f"{site}/framework.html#IO_1")
            down = _trace(page, "IO_1").locator("details.rbmdocs-trace-down")
            if down.get_attribute("open") is None:
                down.locator("summary").click()
            priority = down.locator("li", has=page.locator("a[href$='#PRI_GHA_1']")).last
            playwright.expect(priority.locator(".rbmdocs-trace-container")).to_have_text(
                "(Part of: DWCP_GHA Ghana)"
            )
            steps = down.locator("li > .rbmdocs-trace-link")
            for index in range(steps.count()):
                assert "Part of" not in steps.nth(index).inner_text()
            _shot(page, "13-priority-with-its-programme")
        finally:
            context.close()
