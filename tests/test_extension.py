"""The extension on its own: a project that lists only ``rbmdocs`` builds, warning-free."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import build_html
from rbmdocs.cli import main
from rbmdocs.sphinx.page_context import reuse_asset_tags, reuse_sidebar_toctree
from sphinx.errors import ConfigError
from sphinx.testing.util import SphinxTestApp

pytestmark = pytest.mark.sphinx


def test_minimal_project_builds_without_any_warning(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    app, warnings = build_html(root)
    assert warnings == ""
    dwcp_page = BeautifulSoup((app.outdir / "data/dwcp/GHA.html").read_text("utf-8"), "html.parser")
    assert dwcp_page.find("h1").get_text(strip=True).startswith("Ghana")
    need_ids = {node["id"] for node in dwcp_page.select("div.rbmdocs-need") if node.get("id")}
    assert {"DWCP_GHA", "PRI_GHA_1", "CPO_GHA_101"} <= need_ids | {
        a["id"] for a in dwcp_page.select("[id]")
    }


def test_yaml_needs_point_at_their_yaml_line(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    cpo_file = root / "data/dwcp/GHA.yaml"
    cpo_file.write_text(cpo_file.read_text("utf-8").replace("[IO_1]", "[IO_9]"), "utf-8")
    _, warnings = build_html(root)
    lines = [line for line in warnings.splitlines() if "[rbmdocs.RBM010]" in line]
    assert len(lines) == 1
    assert "GHA.yaml:10:" in lines[0]
    assert "CPO_GHA_101" in lines[0] and "IO_9" in lines[0]


def test_markdown_needs_point_at_their_markdown_line(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    framework = root / "framework.md"
    framework.write_text(
        framework.read_text("utf-8").replace(":contributes_to: SO_1", ":contributes_to: SO_7"),
        "utf-8",
    )
    _, warnings = build_html(root)
    rbm010 = [line for line in warnings.splitlines() if "[rbmdocs.RBM010]" in line]
    assert len(rbm010) == 1 and "framework.md:9:" in rbm010[0] and "IMO_1" in rbm010[0]


def test_severity_off_silences_a_rule(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    cpo_file = root / "data/dwcp/GHA.yaml"
    cpo_file.write_text(cpo_file.read_text("utf-8").replace("[IO_1]", "[IO_9]"), "utf-8")
    _, warnings = build_html(
        root, rbmdocs_severity={"RBM010": "off", "RBM020": "off", "RBM026": "off"}
    )
    assert warnings == ""


def test_suppress_warnings_works_on_rule_subtypes(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    cpo_file = root / "data/dwcp/GHA.yaml"
    cpo_file.write_text(cpo_file.read_text("utf-8").replace("[IO_1]", "[IO_9]"), "utf-8")
    _, warnings = build_html(root, suppress_warnings=["rbmdocs"])
    assert warnings == ""


def test_short_ids_are_kept_and_bad_ones_reported(copy_root: Callable[[str], Path]) -> None:
    """sphinx-needs' default ID pattern would drop `SO_1` silently; we keep every need."""
    root = copy_root("minimal")
    framework = root / "framework.md"
    framework.write_text(
        framework.read_text("utf-8").replace(":id: IMO_1\n", ":id: imo_1\n"), "utf-8"
    )
    _, warnings = build_html(root)
    rbm001 = [line for line in warnings.splitlines() if "[rbmdocs.RBM001]" in line]
    assert len(rbm001) == 1 and "imo_1" in rbm001[0]


def test_duplicate_ids_are_reported_once_with_both_places(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("minimal")
    budget = root / "budget.md"
    budget.write_text(
        budget.read_text("utf-8") + "\n:::{strategic-objective} Again\n:id: SO_1\n:::\n", "utf-8"
    )
    _, warnings = build_html(root)
    rbm004 = [line for line in warnings.splitlines() if "[rbmdocs.RBM004]" in line]
    assert len(rbm004) == 1
    assert "budget.md" in rbm004[0] and "framework.md" in rbm004[0]
    assert "already exists" not in warnings  # sphinx-needs' own message is not repeated


def test_config_errors_are_listed_together(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    with pytest.raises(ConfigError) as raised:
        SphinxTestApp(
            "html",
            srcdir=root,
            confoverrides={
                "rbmdocs_bienniums": ["2016-18"],
                "rbmdocs_severity": {"RBM999": "loud"},
            },
            status=io.StringIO(),
            warning=io.StringIO(),
        )
    message = str(raised.value)
    assert "'2016-18' is not a biennium" in message
    assert "'RBM999', which is not a rule" in message
    assert "'loud'; use one of error, warning, off" in message


def test_parallel_build_gives_the_same_findings(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("minimal")
    cpo_file = root / "data/dwcp/GHA.yaml"
    cpo_file.write_text(cpo_file.read_text("utf-8").replace("[IO_1]", "[IO_9]"), "utf-8")
    serial = build_html(root)[1]
    parallel_root = root.parent / "parallel"
    parallel_root.mkdir()
    for path in root.rglob("*"):
        if "_build" in path.parts:
            continue
        target = parallel_root / path.relative_to(root)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    warnings = io.StringIO()
    app = SphinxTestApp(
        "html", srcdir=parallel_root, status=io.StringIO(), warning=warnings, parallel=2
    )
    app.build()
    app.cleanup()

    def rules(text: str) -> list[str]:
        return sorted(
            line.split("[rbmdocs.")[1] for line in text.splitlines() if "[rbmdocs." in line
        )

    assert rules(warnings.getvalue()) == rules(serial)


def test_pages_with_reused_parts_equal_those_sphinx_writes(
    copy_root: Callable[[str], Path],
) -> None:
    """Asset tags and the sidebar of unlisted pages, made once per folder: the same pages."""
    reusing = copy_root("minimal")
    own = Path(shutil.copytree(reusing, reusing.parent / "own"))
    # every DWCP page out of the table of contents, as above the limit; a theme whose
    # sidebar shows the whole table of contents
    overrides = {"rbmdocs_dwcp_toctree_limit": 0, "html_theme": "alabaster"}
    build_html(reusing, **overrides)
    app = SphinxTestApp(
        "html",
        srcdir=own,
        confoverrides=overrides,
        status=io.StringIO(),
        warning=io.StringIO(),
    )
    for listener in list(app.events.listeners["html-page-context"]):
        if listener.handler in (reuse_asset_tags, reuse_sidebar_toctree):
            app.disconnect(listener.id)
    app.build()
    app.cleanup()

    pages = sorted(
        path.relative_to(own / "_build/html") for path in own.rglob("_build/html/**/*.html")
    )
    assert len({page.parent for page in pages}) > 1, "pages in one folder prove nothing"
    stylesheets: set[str] = set()
    for page in pages:
        expected = (own / "_build/html" / page).read_text("utf-8")
        assert (reusing / "_build/html" / page).read_text("utf-8") == expected, page
        soup = BeautifulSoup(expected, "html.parser")
        stylesheets.update(tag["href"] for tag in soup.find_all("link", rel="stylesheet"))
    assert any(href.startswith("../") for href in stylesheets), "no tag relative to a subfolder"
    assert any(href.startswith("_static/") for href in stylesheets)
    dwcp_page = BeautifulSoup(
        (own / "_build/html/data/dwcp/GHA.html").read_text("utf-8"), "html.parser"
    )
    sidebar_links = [a["href"] for a in dwcp_page.select(".sphinxsidebar a.reference.internal")]
    assert "../../budget.html" in sidebar_links, sidebar_links


def _processes_by_phase(root: Path, **overrides: object) -> dict[str, set[int]]:
    """Build ``root`` with ``-j 2``; the processes that read sources and wrote pages."""
    log = root.parent / f"{root.name}-processes.txt"

    def noting(phase: str) -> Callable[..., None]:
        def note(*_args: object) -> None:
            # a file, not a set: a worker process's memory is its own
            with log.open("a", encoding="utf-8") as out:
                out.write(f"{phase} {os.getpid()}\n")

        return note

    app = SphinxTestApp(
        "html",
        srcdir=root,
        confoverrides=dict(overrides),
        status=io.StringIO(),
        warning=io.StringIO(),
        parallel=2,
    )
    app.connect("source-read", noting("read"))
    app.connect("html-page-context", noting("write"))
    app.build()
    app.cleanup()
    phases: dict[str, set[int]] = {"read": set(), "write": set()}
    for line in log.read_text("utf-8").splitlines():
        phase, pid = line.split()
        phases[phase].add(int(pid))
    return phases


def test_with_jobs_sphinx_reads_and_writes_in_worker_processes(
    copy_root: Callable[[str], Path],
) -> None:
    """``-j 2`` is Sphinx's own parallel mode: the extension declares itself safe for it."""
    phases = _processes_by_phase(copy_root("minimal"))

    assert phases["read"] - {os.getpid()}, "no source was read by a worker process"
    assert phases["write"] - {os.getpid()}, "no page was written by a worker process"


def test_pages_written_in_parallel_equal_those_written_in_one_process(
    copy_root: Callable[[str], Path],
) -> None:
    """The extension declares itself parallel-safe: ``-j 2`` writes the very same pages,
    after a fresh build and after an edit that changes what other pages show."""
    serial = copy_root("minimal")
    parallel = Path(shutil.copytree(serial, serial.parent / "parallel-pages"))
    cpo_file = Path("data/dwcp/GHA.yaml")
    for edit in ("fresh", "a CPO retitled"):
        if edit != "fresh":
            for root in (serial, parallel):
                text = (root / cpo_file).read_text("utf-8")
                (root / cpo_file).write_text(text.replace("[IO_1]", "[IO_2]", 1), "utf-8")
        for root, jobs in ((serial, 1), (parallel, 2)):
            app = SphinxTestApp(
                "html", srcdir=root, status=io.StringIO(), warning=io.StringIO(), parallel=jobs
            )
            app.build()
            app.cleanup()
        pages = sorted(path.relative_to(serial) for path in serial.rglob("_build/html/**/*.html"))
        assert len(pages) > 5
        for page in pages:
            assert (parallel / page).read_bytes() == (serial / page).read_bytes(), (edit, page)


def test_a_need_without_id_is_kept_and_reported(copy_root: Callable[[str], Path]) -> None:
    """sphinx-needs invents an ID for a need written without one; RBM002 says so, once."""
    root = copy_root("minimal")
    framework = root / "framework.md"
    original = framework.read_text("utf-8")
    directive_line = original.count("\n") + 2  # after one blank line
    framework.write_text(
        original + "\n:::{strategic-objective} An objective someone forgot to number\n:::\n",
        "utf-8",
    )
    _, warnings = build_html(root)
    rbm002 = [line for line in warnings.splitlines() if "[rbmdocs.RBM002]" in line]
    assert len(rbm002) == 1
    assert f"framework.md:{directive_line}:" in rbm002[0]
    assert "is missing :id: (sphinx-needs made up SO_" in rbm002[0]


def test_above_the_limit_dwcp_pages_leave_the_sidebar_but_stay_reachable(
    copy_root: Callable[[str], Path],
) -> None:

    root = copy_root("minimal")
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("rbmdocs_dwcp_toctree_limit = 0\n")

    # --strict: no "document isn't included in any toctree" warning either
    assert (
        main(["build", "--source", str(root), "--lang", "en", "--format", "html", "--strict"]) == 0
    )

    site = root / "_build/html/en"
    index = BeautifulSoup((site / "dwcps.html").read_text("utf-8"), "html.parser")
    sidebar = [link["href"] for link in index.select("li[class^=toctree-l] a")]
    assert sidebar == ["framework.html", "budget.html", "#"]  # no DWCP page under the index
    assert index.select_one('table.rbmdocs-dwcp-index a[href^="data/dwcp/GHA.html"]') is not None
    assert (site / "data/dwcp/GHA.html").is_file()


@pytest.mark.parametrize("limit", [25_000, 0])
def test_priority_matrix_is_full_or_compact_by_its_cell_limit(
    copy_root: Callable[[str], Path], limit: int
) -> None:
    """A region's matrix is drawn in full up to the limit; above, one line per programme."""
    root = copy_root("minimal")
    (root / "traceability.md").write_text(
        "# Traceability\n\n:::{traceability-report}\n:::\n", "utf-8"
    )
    index = root / "index.md"
    index.write_text(index.read_text("utf-8").replace("dwcps\n", "dwcps\ntraceability\n"), "utf-8")
    app, warnings = build_html(root, rbmdocs_matrix_cell_limit=limit)
    assert warnings == ""
    page = BeautifulSoup((app.outdir / "traceability.html").read_text("utf-8"), "html.parser")
    table = page.select_one("table.rbmdocs-matrix-africa")
    assert table is not None
    headers = [cell.get_text(strip=True) for cell in table.select("thead th")]
    ghana = next(row for row in table.select("tbody tr") if row.td.get_text(strip=True) == "Ghana")
    cells = [cell.get_text(strip=True) for cell in ghana.select("td")][1:]
    if limit:
        assert headers == ["Programme", "1"]
        assert cells == ["1"]
    else:
        assert headers == ["Programme", "Immediate outcomes reached (priorities)"]
        assert cells == ["IO_1 (1)"]
        assert "a matrix of this region would have 1 cells" in table.find_previous("p").get_text()


def test_the_build_reports_a_dead_link_once_at_its_line(copy_root: Callable[[str], Path]) -> None:
    """The diagrams' records as read and the check's from the resolved view: one finding."""
    root = copy_root("minimal")
    cpo_file = root / "data/dwcp/GHA.yaml"
    cpo_file.write_text(cpo_file.read_text("utf-8").replace("[IO_1]", "[IO_9]"), "utf-8")
    _, warnings = build_html(root)
    rbm010 = [line for line in warnings.splitlines() if "[rbmdocs.RBM010]" in line]
    assert len(rbm010) == 1 and "GHA.yaml:10:" in rbm010[0]


def test_the_build_checks_resolved_needs_when_a_value_is_computed(
    copy_root: Callable[[str], Path],
) -> None:
    """A dynamic function: the records as read would miss its value; the check's do not."""
    root = copy_root("minimal")
    budget = root / "budget.md"
    budget.write_text(
        budget.read_text("utf-8").replace(":rbsa: 50000", ':rbsa: [[copy("regular_budget")]]'),
        "utf-8",
    )
    _, warnings = build_html(root)
    # read as written, :rbsa: would be empty and RBM002 would fire
    assert "rbmdocs." not in warnings, warnings


def test_a_fresh_build_parses_each_dwcp_file_once(
    copy_root: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before Sphinx starts hands its parse to Sphinx's reading of the file."""
    from rbmdocs.load import dwcp

    root = copy_root("minimal")
    parsed: list[str] = []
    original = dwcp.load_located_yaml

    def spy(text: str, file: str) -> Any:
        parsed.append(file)
        return original(text, file)

    monkeypatch.setattr(dwcp, "load_located_yaml", spy)
    assert main(["build", "--source", str(root), "--lang", "en", "--format", "html"]) == 0
    files = sorted(path.relative_to(root).as_posix() for path in root.glob("data/dwcp/*.yaml"))
    assert files and sorted(parsed) == files
    assert dwcp._read_ahead == {}
    page = BeautifulSoup(
        (root / "_build/html/en/data/dwcp/GHA.html").read_text("utf-8"), "html.parser"
    )
    assert page.find(id="PRI_GHA_1") is not None
