"""Trace diagrams of immediate outcomes: drawn by graphviz, linked, and never stale."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sphinx.ext.graphviz as graphviz_extension
from bs4 import BeautifulSoup
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx


def _diagram_svg(site: Path, page: str) -> str:
    soup = BeautifulSoup((site / page).read_text("utf-8"), "html.parser")
    objects = soup.select("div.graphviz object.rbmdocs-diagram")
    assert len(objects) == 1, f"{page}: {len(objects)} diagrams"
    return (site / page).parent.joinpath(objects[0]["data"]).read_text("utf-8")


def _build(root: Path) -> Path:
    assert main(["build", "--source", str(root), "--lang", "en", "--format", "html"]) == 0
    return root / "_build/html/en"


def test_each_immediate_outcome_has_a_linked_diagram(copy_root: Callable[[str], Path]) -> None:
    site = _build(copy_root("minimal"))

    svg = _diagram_svg(site, "framework.html")
    for need_id in ("IO_1", "IMO_1", "SO_1", "IND_1_1", "TGT_1_1", "STR_1"):
        assert f">{need_id}<" in svg, need_id
    links = set(re.findall(r'href="([^"]+)"', svg))
    assert any(link.endswith("framework.html#SO_1") for link in links)
    assert any(link.endswith("budget.html#STR_1") for link in links)
    assert "Africa: 1" in svg  # the CPOs contributing, counted by region


def test_an_edit_elsewhere_rewrites_the_outcome_page(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("minimal")
    site = _build(root)
    before = {page.name: page.stat().st_mtime_ns for page in site.glob("*.html")}
    dwcp = root / "data/dwcp/GHA.yaml"
    dwcp.write_text(dwcp.read_text("utf-8").replace("region: africa", "region: americas"), "utf-8")

    _build(root)

    after = {page.name: page.stat().st_mtime_ns for page in site.glob("*.html")}
    assert "Americas: 1" in _diagram_svg(site, "framework.html")  # the diagram follows
    # framework.md itself did not change: only the diagram's neighbourhood did
    assert after["framework.html"] != before["framework.html"]


def test_an_unrelated_edit_leaves_the_outcome_page_alone(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("minimal")
    site = _build(root)
    before = (site / "framework.html").stat().st_mtime_ns
    index = root / "index.md"
    index.write_text(index.read_text("utf-8") + "\nA new sentence.\n", "utf-8")

    _build(root)

    assert (site / "framework.html").stat().st_mtime_ns == before


def test_a_fresh_build_draws_each_diagram_once(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sphinx's graphviz extension runs ``dot`` once for each diagram a page shows."""
    dot_outputs: list[str] = []
    run = subprocess.run

    def recording_run(args: list[str], *rest: Any, **options: Any) -> Any:
        if Path(args[0]).name == "dot":  # graphviz's calls; any other passes through
            output = next(arg[2:] for arg in args if arg.startswith("-o"))
            dot_outputs.append(Path(output).name)
        return run(args, *rest, **options)

    monkeypatch.setattr(graphviz_extension.subprocess, "run", recording_run)
    site = _build(sample_copy)

    drawn = dot_outputs
    shown = set()
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for diagram in soup.select("div.graphviz object.rbmdocs-diagram"):
            shown.add(Path(diagram["data"]).name)
    assert len(shown) >= 10  # the sample's immediate outcomes
    assert sorted(drawn) == sorted(shown)  # each once, and none the pages do not show
    assert {path.name for path in (site / "_images").glob("graphviz-*.svg")} == shown
