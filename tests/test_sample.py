"""The sample programme cycle (SPF 2010-15, P&B 2010-11, 79 DWCPs) builds clean and its
generated tables agree with the data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from rbmdocs.cli import main

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]

#: The seed table of DWCPs by region and status (REFERENCE.md, from the 2007 GB paper).
SEED_COUNTS = {
    "Africa": (6, 8, 11),
    "Americas": (5, 10, 3),
    "Arab States": (2, 2, 1),
    "Asia and the Pacific": (11, 4, 4),
    "Europe and Central Asia": (0, 1, 11),
}


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sample once for this module, with warnings counted as failures."""
    from conftest import copy_sample

    target = copy_sample(tmp_path_factory.mktemp("sample"))
    build = ["build", "--source", str(target), "--lang", "en", "--format", "html", "--strict"]
    assert main(build) == 0
    return target / "_build/html/en"


def _page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / name).read_text("utf-8"), "html.parser")


def _table_rows(table: BeautifulSoup) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
        for row in table.find_all("tr")
    ]


def test_region_by_status_table_reproduces_the_seed_counts(built_sample: Path) -> None:
    table = _page(built_sample, "dwcps.html").select_one("table.rbmdocs-dwcp-status")
    rows = _table_rows(table)
    assert rows[0] == ["Region", "Concept", "Draft", "Final", "Total"]
    body = {row[0]: tuple(int(cell) for cell in row[1:4]) for row in rows[1:-1]}
    assert body == SEED_COUNTS
    assert rows[-1] == ["Total", "24", "25", "30", "79"]


def test_every_dwcp_file_has_its_page(built_sample: Path) -> None:
    from conftest import REPO, country_name

    files = sorted((REPO / "data/dwcp").glob("*.yaml"))
    assert len(files) == 79
    for file in files:
        data = yaml.safe_load(file.read_text("utf-8"))
        page = _page(built_sample, f"data/dwcp/{file.stem}.html")
        heading = page.find("h1").get_text(strip=True).rstrip("¶#").replace("\u2019", "'")
        # Sphinx sets apostrophes typographically
        assert heading == country_name(REPO, file, "en")
        for priority in data["priorities"]:
            assert page.find(id=priority["id"]) is not None


def test_dwcp_index_links_every_programme(built_sample: Path) -> None:
    page = _page(built_sample, "dwcps.html")
    links = {a["href"].split("#")[0] for a in page.select("table.rbmdocs-dwcp-index a[href]")}
    assert len(links) == 79
    assert all(link.startswith("data/dwcp/") for link in links)


def test_resource_table_totals_add_up(built_sample: Path) -> None:
    import re

    from conftest import REPO

    table = _page(built_sample, "programme_budget/resources.html").select_one(
        "table.rbmdocs-resources"
    )
    rows = _table_rows(table)[1:]
    amount = lambda text: int(text.replace(",", ""))  # noqa: E731
    outcome_rows = [row for row in rows if row[0].startswith("Outcome ")]
    assert len(outcome_rows) >= 19
    grand = rows[-1]
    for column in range(1, 5):
        assert sum(amount(row[column]) for row in outcome_rows) == amount(grand[column])
    for row in outcome_rows:
        assert sum(amount(cell) for cell in row[1:4]) == amount(row[4])
    # the grand total equals the sum of the strategies as written in the Markdown
    written = 0
    for path in (REPO / "programme_budget").glob("*.md"):
        written += sum(
            int(v) for v in re.findall(r"^:regular_budget: (\d+)$", path.read_text("utf-8"), re.M)
        )
    assert amount(grand[1]) == written


def test_results_framework_lists_every_immediate_outcome(built_sample: Path) -> None:
    page = _page(built_sample, "spf/results_framework.html")
    tables = page.select("table.rbmdocs-results-framework")
    linked = {link["href"].rpartition("#")[2] for table in tables for link in table.select("a")}
    text = " ".join(table.get_text(" ") for table in tables)
    for number in range(1, 20):
        assert f"IO_{number}" in linked  # every outcome, linked
        assert f"Outcome {number}: " in text  # by the heading a reader knows it by
    assert "IO_" not in text


def test_traceability_report_shows_full_coverage_and_no_finding(built_sample: Path) -> None:
    page = _page(built_sample, "traceability.html")
    assert "No open findings" in page.get_text()
    coverage = _table_rows(page.select_one("table.rbmdocs-coverage"))[1:]
    for _, value in coverage:
        part, whole = value.split(" (")[0].split(" / ")
        assert part == whole and int(whole) > 0


def test_walk_from_a_priority_to_its_strategic_objective(built_sample: Path) -> None:
    """Follow the links on the pages, as a reviewer clicks: priority → CPO → IO → IMO → SO."""
    site = built_sample
    page_name, need_id = "data/dwcp/KEN.html", "PRI_KEN_1"
    chain = [need_id]
    for link_label in ("Realised by", "Contributes to", "Contributes to", "Contributes to"):
        page = _page(site, page_name)
        view = page.find("div", id=need_id)
        assert view is not None, f"{need_id} not on {page_name}"
        line = next(
            group
            for group in view.select("details.rbmdocs-need-panel div.rbmdocs-link-group")
            if group.get_text(" ", strip=True).startswith(link_label)
        )
        href = line.find("a")["href"]
        page_path, _, need_id = href.partition("#")
        page_name = str((Path(page_name).parent / page_path).as_posix()) if page_path else page_name
        page_name = str(Path(page_name)).replace("\\", "/")
        page_name = str((site / page_name).resolve().relative_to(site.resolve()))
        chain.append(need_id)
    assert chain[0].startswith("PRI_") and chain[1].startswith("CPO_")
    assert chain[2].startswith("IO_") and chain[3].startswith("IMO_") and chain[4].startswith("SO_")
