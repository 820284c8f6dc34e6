"""After a one-file edit, every page that shows the changed needs is rewritten, no other.

Plain sphinx-needs leaves other pages stale after an edit (its issue 354): a box keeps
listing a link that is gone, a table keeps an old title. Here a DWCP file is edited (a CPO
retitled and moved from one immediate outcome to another) and the site is built again
incrementally, as ``rbmdocs build`` and ``rbmdocs serve`` do; the other pages are read back.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from rbmdocs.sphinx.table_inputs import TABLE_INPUTS_FILE
from sphinx.testing.util import SphinxTestApp

pytestmark = pytest.mark.sphinx

_SECOND_OUTCOME = """
:::{immediate-outcome} Member States improve labour market information
:id: IO_2
:contributes_to: IMO_1

Statistics work.
:::
"""

_UNRELATED_PAGE = """# Another objective

:::{strategic-objective} Social dialogue
:id: SO_2

Stronger social partners.
:::
"""


def _build(root: Path, builder: str = "html") -> tuple[Path, set[str]]:
    """Build into the same folder each time; return it and the pages written this time."""
    app = SphinxTestApp(builder, srcdir=root, status=io.StringIO(), warning=io.StringIO())
    written: set[str] = set()
    app.connect("html-page-context", lambda _a, page, *_rest: written.add(page))
    try:
        app.build()
    finally:
        app.cleanup()
    return Path(app.outdir), written


def _box(outdir: Path, page: str, need_id: str) -> str:
    """The text of a need's view and the IDs its links point to (its panel names needs)."""
    soup = BeautifulSoup((outdir / page).read_text("utf-8"), "html.parser")
    view = soup.find("div", id=need_id)
    assert view is not None, f"{need_id} not on {page}"
    targets = [str(link["href"]).rpartition("#")[2] for link in view.find_all("a", href=True)]
    return " ".join([view.get_text(" ", strip=True), *targets])


def test_edit_rewrites_exactly_the_pages_that_show_it(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    framework = root / "framework.md"
    framework.write_text(framework.read_text("utf-8") + _SECOND_OUTCOME, "utf-8")
    (root / "other.md").write_text(_UNRELATED_PAGE, "utf-8")
    index = root / "index.md"
    index.write_text(index.read_text("utf-8").replace("dwcps\n", "dwcps\nother\n"), "utf-8")
    outdir, _ = _build(root)
    assert "CPO_GHA_101" in _box(outdir, "framework.html", "IO_1")
    assert "CPO_GHA_101" not in _box(outdir, "framework.html", "IO_2")

    dwcp = root / "data/dwcp/GHA.yaml"
    text = dwcp.read_text("utf-8")
    text = text.replace("contributes_to: [IO_1]", "contributes_to: [IO_2]")
    text = text.replace("A youth employment policy is adopted", "A youth jobs policy is adopted")
    dwcp.write_text(text, "utf-8")
    outdir, written = _build(root)

    # the link moved on the outcomes' page, which was not edited
    assert "CPO_GHA_101" not in _box(outdir, "framework.html", "IO_1")
    assert "CPO_GHA_101" in _box(outdir, "framework.html", "IO_2")
    assert "A youth jobs policy is adopted" in _box(outdir, "data/dwcp/GHA.html", "CPO_GHA_101")
    # the generated tables follow the edit too
    dwcps = (outdir / "dwcps.html").read_text("utf-8")
    assert "Ghana" in dwcps
    documents = {page for page in written if (root / f"{page}.md").exists()}
    documents |= {page for page in written if (root / f"{page}.yaml").exists()}
    # the edited page; the outcomes' page (its boxes' links changed); the two pages with
    # generated tables (written again on any change); the root, whose table of contents lists a
    # re-read page (Sphinx's own rule). Not the unrelated page.
    assert documents == {"data/dwcp/GHA", "framework", "budget", "dwcps", "index"}, written


def test_a_moved_link_rewrites_the_page_of_its_new_target(
    copy_root: Callable[[str], Path],
) -> None:
    """An intermediate outcome moves to an objective on another page, which was not edited."""
    root = copy_root("minimal")
    (root / "other.md").write_text(_UNRELATED_PAGE, "utf-8")
    index = root / "index.md"
    index.write_text(index.read_text("utf-8").replace("dwcps\n", "dwcps\nother\n"), "utf-8")
    outdir, _ = _build(root)
    assert "IMO_1" not in _box(outdir, "other.html", "SO_2")

    framework = root / "framework.md"
    text = framework.read_text("utf-8")
    framework.write_text(text.replace(":contributes_to: SO_1", ":contributes_to: SO_2"), "utf-8")
    # a check in between reads the edit into the shared environment, as `rbmdocs check`
    # does before `rbmdocs build`: the HTML build must still rewrite the other page
    _build(root, "rbmdocs-check")
    outdir, written = _build(root)

    assert "other" in written
    assert "IMO_1" in _box(outdir, "other.html", "SO_2")
    assert "IMO_1" not in _box(outdir, "framework.html", "SO_1")


def test_two_builds_of_the_same_sources_give_the_same_site(
    copy_root: Callable[[str], Path],
) -> None:
    """A first build and a fresh one over it write the same files, byte for byte; after an
    edit that changes the graph, no page names the graph file, so none names a stale one.

    Sphinx names an asset in a page with its checksum (``rbmdocs.css?v=97c4f830``) only
    when the file is there as the page is written: our assets copied after the pages made
    the first build's pages differ from every later build's.
    """
    root = copy_root("minimal")
    site = root / "_build/html/en"

    def files() -> dict[str, bytes]:
        return {
            path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*"))
            if path.is_file()
        }

    # each build in a process of its own, as people run them (Sphinx remembers an asset's
    # checksum for the life of the process)
    build = [sys.executable, "-m", "rbmdocs", "build", "--source", str(root), "--lang", "en"]

    def exit_code(command: list[str]) -> int:
        return subprocess.run([*command, "--format", "html"], capture_output=True).returncode

    assert exit_code(build) == 0
    first = files()
    assert exit_code([*build, "--fresh"]) == 0
    second = files()
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []

    cpo_file = root / "data/dwcp/GHA.yaml"
    edited = cpo_file.read_text("utf-8").replace("Jobs for young", "Work for young")
    cpo_file.write_text(edited, "utf-8")
    assert exit_code(build) == 0
    graph = (site / "_static/rbmdocs-graph.js").read_bytes()
    assert graph != first["_static/rbmdocs-graph.js"]
    script = (site / "_static/rbmdocs-trace.js").read_bytes()
    for name in ("data/dwcp/GHA.html", "framework.html"):  # written again, and not
        page = (site / name).read_text("utf-8")
        assert "rbmdocs-graph" not in page
        assert f"rbmdocs-trace.js?v={zlib.crc32(script):08x}" in page


def test_a_removed_dwcp_file_leaves_no_trace_on_the_pages_that_showed_it(
    copy_root: Callable[[str], Path],
) -> None:
    """The outcome that listed a programme's CPO, on a page not edited, lists it no more."""
    root = copy_root("minimal")
    outdir, _ = _build(root)
    assert "CPO_GHA_101" in _box(outdir, "framework.html", "IO_1")

    (root / "data/dwcp/GHA.yaml").unlink()
    outdir, written = _build(root)

    assert "framework" in written
    assert "CPO_GHA_101" not in _box(outdir, "framework.html", "IO_1")


def _pages(outdir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(outdir).as_posix(): path.read_bytes()
        for path in sorted(outdir.rglob("*.html"))
    }


def test_a_retitled_priority_leaves_the_tables_that_do_not_show_it(
    copy_root: Callable[[str], Path], tmp_path: Path
) -> None:
    """A priority's title is on its programme's page only: the DWCP index (countries,
    status, period, counts) and the resource table are not written again, the programme's
    page is (and the root page, which has Sphinx save the environment), and every page
    reads as a fresh build of the same sources writes it."""
    root = copy_root("minimal")
    _build(root)
    dwcp = root / "data/dwcp/GHA.yaml"
    dwcp.write_text(
        dwcp.read_text("utf-8").replace("en: Jobs for young people", "en: Work for young people"),
        "utf-8",
    )
    outdir, written = _build(root)

    assert "data/dwcp/GHA" in written
    assert written.isdisjoint({"dwcps", "budget", "framework"}), written
    assert "Work for young people" in (outdir / "data/dwcp/GHA.html").read_text("utf-8")
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("_build"))
    fresh_outdir, _ = _build(fresh)
    incremental, from_scratch = _pages(outdir), _pages(fresh_outdir)
    assert sorted(incremental) == sorted(from_scratch)
    assert [page for page in incremental if incremental[page] != from_scratch[page]] == []


def test_a_renamed_country_rewrites_the_dwcp_index_even_after_a_check(
    copy_root: Callable[[str], Path],
) -> None:
    """The country is the programme's title, which the DWCP index shows; the check run in
    between reads the edit into the shared environment first, as ``rbmdocs check`` does."""
    root = copy_root("minimal")
    _build(root)
    dwcp = root / "data/dwcp/GHA.yaml"
    dwcp.write_text(
        dwcp.read_text("utf-8").replace("{en: Ghana,", "{en: Republic of Ghana,"), "utf-8"
    )
    _build(root, "rbmdocs-check")
    outdir, written = _build(root)

    assert "dwcps" in written
    assert "Republic of Ghana" in (outdir / "dwcps.html").read_text("utf-8")


def test_unknown_table_inputs_rewrite_every_table_page(copy_root: Callable[[str], Path]) -> None:
    """A record of the last build that cannot be read (or none) is no reason to skip a page."""
    root = copy_root("minimal")
    outdir, _ = _build(root)
    inputs = outdir / TABLE_INPUTS_FILE
    assert inputs.is_file()
    inputs.write_text("{not json", "utf-8")
    dwcp = root / "data/dwcp/GHA.yaml"
    dwcp.write_text(
        dwcp.read_text("utf-8").replace("en: Jobs for young people", "en: Work for young people"),
        "utf-8",
    )
    outdir, written = _build(root)

    assert {"dwcps", "budget"} <= written
    assert json.loads(inputs.read_text("utf-8"))["files"]  # written again, whole
