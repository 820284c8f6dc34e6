"""Need boxes drawn by rbmdocs are the boxes sphinx-needs draws, to the byte.

rbmdocs draws the boxes of its own layouts itself (``render/need_box.py``, and in HTML
builds their lines as prepared HTML, ``render/need_box_html.py``) because sphinx-needs'
layout engine was a third of a large build. A project that configures string
links gets sphinx-needs' drawing instead, so the two can be built side by side and compared.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

pytestmark = pytest.mark.sphinx

#: A string link that matches nothing: it only makes sphinx-needs draw every box.
_NO_MATCH_STRING_LINK = {
    "never": {
        "regex": r"^(?P<value>NO-SUCH-VALUE-\d+)$",
        "link_url": "https://example.org/{{value}}",
        "link_name": "{{value}}",
        "options": ["unit"],
    }
}


def _boxes(root: Path, **overrides: object) -> dict[str, str]:
    """Every need box of every page, by page and position, with its random anchor removed."""
    app = SphinxTestApp(
        "html",
        srcdir=root,
        builddir=root / "_build" / ("sphinx-needs" if overrides else "rbmdocs"),
        confoverrides=dict(overrides),
        status=io.StringIO(),
        warning=io.StringIO(),
    )
    try:
        app.build()
    finally:
        app.cleanup()
    boxes: dict[str, str] = {}
    for page in sorted(Path(app.outdir).rglob("*.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for index, box in enumerate(soup.select("div.need_container")):
            html = re.sub(r'id="SNCB-[0-9a-f]+"', 'id="SNCB"', str(box))
            boxes[f"{page.relative_to(app.outdir)}#{index}"] = html
    return boxes


def test_boxes_equal_those_sphinx_needs_draws(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    framework = root / "framework.md"
    # a list field (tags), a choice field (scope) and a link to no need (IMO_9), besides
    # the labelled options and the links both ways
    text = framework.read_text("utf-8")
    text = text.replace(":id: IO_1\n", ":id: IO_1\n:tags: jobs, policy\n:scope: country\n", 1)
    text = text.replace(":contributes_to: IMO_1\n", ":contributes_to: IMO_1, IMO_9\n", 1)
    framework.write_text(text, "utf-8")
    ours = _boxes(root)
    theirs = _boxes(root, needs_string_links=_NO_MATCH_STRING_LINK)
    assert len(ours) >= 9  # every need of the project
    assert ours.keys() == theirs.keys()
    for key, html in ours.items():
        assert html == theirs[key], key
    io_box = next(html for html in ours.values() if 'id="IO_1"' in html)
    assert "jobs" in io_box and "Country" in io_box
    assert '<span class="needs_dead_link">IMO_9</span>' in io_box


def test_box_anchors_are_the_same_in_every_build(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    page = "framework.html"

    def anchors(builddir: str) -> list[str]:
        app = SphinxTestApp("html", srcdir=root, builddir=root / builddir, status=io.StringIO())
        try:
            app.build()
        finally:
            app.cleanup()
        html = (Path(app.outdir) / page).read_text("utf-8")
        return re.findall(r'id="(SNCB-[0-9a-f]+)"', html)

    once, twice = anchors("_build_a"), anchors("_build_b")
    assert once and once == twice
