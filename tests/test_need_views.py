"""Needs presented as the Programme and Budget presents them, in HTML and in the PDF.

An outcome reads as its statement, a table of its indicators, its strategy as text and
its resources; links read as names; the country programmes behind an outcome read as
countries by region, by name in the page's language; IDs stay behind the traceability
panel on the web and out of the running text of the PDF. Expected values are computed
from the sources (the DWCP YAML, the other pages of the same build), never typed here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from conftest import build_html, country_name
from rbmdocs.cli import main
from rbmdocs.render.collation import sort_key

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]

REGION_NAMES = {
    "en": {
        "africa": "Africa",
        "americas": "Americas",
        "arab-states": "Arab States",
        "asia-pacific": "Asia and the Pacific",
        "europe-central-asia": "Europe and Central Asia",
    },
    "zh_CN": {
        "africa": "非洲",
        "americas": "美洲",
        "arab-states": "阿拉伯国家",
        "asia-pacific": "亚洲及太平洋",
        "europe-central-asia": "欧洲及中亚",
    },
}
_ID = re.compile(
    r"\b(?:SO|IMO|IO|IND|TGT|STR|DWCP|PRI|CPO|RES|ORP|LES|REC|MST|SLK|MIL)_[A-Z0-9_]+\b"
)


def _page(sample: Path, language: str, name: str) -> BeautifulSoup:
    html = (sample / "_build/html" / language / name).read_text("utf-8")
    return BeautifulSoup(html, "html.parser")


def _view(page: BeautifulSoup, need_id: str) -> Tag:
    view = page.find("div", id=need_id)
    assert isinstance(view, Tag), f"no view of {need_id}"
    assert "rbmdocs-need" in view["class"]
    return view


def _reading_text(view: Tag) -> str:
    """What a reader reads of a view: everything but the traceability panel."""
    copy = BeautifulSoup(str(view), "html.parser")
    for panel in copy.select("details.rbmdocs-need-panel"):
        panel.decompose()
    return copy.get_text(" ", strip=True)


def _countries_behind(sample: Path, outcome_id: str, language: str) -> dict[str, list[str]]:
    """Region name → the countries whose CPOs contribute to ``outcome_id``, from the YAML."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((sample / "data/dwcp").glob("*.yaml")):
        programme = yaml.safe_load(path.read_text("utf-8"))
        name = country_name(sample, path, language)
        for priority in programme.get("priorities") or []:
            for cpo in priority.get("outcomes") or []:
                if outcome_id in (cpo.get("contributes_to") or []):
                    found[REGION_NAMES[language][programme["region"]]].add(name)
    return {
        region: sorted(names, key=lambda name: sort_key(name, language))
        for region, names in found.items()
    }


def test_an_outcome_reads_statement_indicators_strategy_resources(bilingual_sample: Path) -> None:
    """STR_1 in the P&B: IO_1's statement, its indicators' table, the text, the money."""
    budget = _page(bilingual_sample, "en", "programme_budget/employment.html")
    framework = _page(bilingual_sample, "en", "spf/employment.html")
    view = _view(budget, "STR_1")
    parts = [
        child
        for child in view.children
        if isinstance(child, Tag) and child.name in {"p", "table", "div", "details"}
    ]
    kinds = []
    for part in parts:
        classes = set(part.get("class") or [])
        if "rbmdocs-need-heading" in classes:
            kinds.append("statement")
        elif "rbmdocs-indicators" in classes:
            kinds.append("indicators")
        elif "rbmdocs-need-text" in classes:
            kinds.append("strategy")
        elif "rbmdocs-need-resources" in classes:
            kinds.append("resources")
        elif "rbmdocs-need-panel" in classes:
            kinds.append("panel")
    assert kinds == ["statement", "indicators", "strategy", "resources", "panel"]

    outcome = _view(framework, "IO_1")
    statement = outcome.select_one("p.rbmdocs-need-heading").get_text(" ", strip=True)
    assert parts[0].get_text(" ", strip=True) == statement

    rows = parts[1].select("tbody tr")
    indicator_views = [
        view for view in framework.select("div.rbmdocs-need-indicator") if view.get("id")
    ]
    measuring = [
        indicator
        for indicator in indicator_views
        if "Outcome 1: Employment promotion"
        in indicator.select_one("details.rbmdocs-need-panel").get_text(" ", strip=True)
    ]
    assert len(rows) == len(measuring) >= 1
    for row, indicator in zip(rows, measuring, strict=True):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        facts = {
            dt.get_text(strip=True).rstrip(":"): dd.get_text(" ", strip=True)
            for dt, dd in zip(indicator.select("dt"), indicator.select("dd"), strict=True)
        }
        first = BeautifulSoup(str(indicator.select_one("div.rbmdocs-need-text > p")), "html.parser")
        for number in first.select(".rbmdocs-para-number"):
            number.decompose()  # the paragraph's number in the document
        wording = first.get_text(" ", strip=True)
        assert cells[0].startswith(
            indicator.select_one("p.rbmdocs-need-heading").get_text(strip=True)
        )
        assert wording in cells[0]
        assert cells[1] == facts["Measurement"]
        assert cells[2] == facts["Baseline"]
        assert cells[3] == facts["Target 2010-11"]

    amounts = [cell.get_text(strip=True) for cell in parts[3].select("td")]
    numbers = [int(amount.replace(",", "")) for amount in amounts]
    assert numbers[-1] == sum(numbers[:-1]) and numbers[-1] > 0
    assert parts[3].select("td")[-1].find("strong") is not None


def test_links_read_as_names_and_no_option_id_lines(bilingual_sample: Path) -> None:
    """No ``implements: IO_1`` in what a reader reads; the panel names IO_1 by its heading."""
    for name in (
        "spf/employment.html",
        "programme_budget/employment.html",
        "implementation_report/employment.html",
        "data/dwcp/KEN.html",
    ):
        page = _page(bilingual_sample, "en", name)
        for view in page.select("div.rbmdocs-need"):
            text = _reading_text(view)
            assert not re.search(r"\b[a-z_ ]+: *(?:" + _ID.pattern + ")", text), (name, text)
            assert not _ID.search(text), (name, view["id"], _ID.findall(text))
    budget = _page(bilingual_sample, "en", "programme_budget/employment.html")
    panel = _view(budget, "STR_1").select_one("details.rbmdocs-need-panel")
    assert panel.select_one("summary").get_text(strip=True).endswith("Outcome strategy STR_1")
    groups = {
        group.select_one("strong").get_text(strip=True): group.get_text(" ", strip=True)
        for group in panel.select("div.rbmdocs-link-group")
    }
    assert "Outcome 1: Employment promotion" in groups["Implements"]
    link = panel.select_one("div.rbmdocs-link-group a")
    assert link["href"].endswith("spf/employment.html#IO_1")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_an_outcome_shows_its_countries_by_region_by_name(
    bilingual_sample: Path, language: str
) -> None:
    """IO_1's countries: regions in order, names sorted for the language, counts right."""
    expected = _countries_behind(bilingual_sample, "IO_1", language)
    view = _view(_page(bilingual_sample, language, "spf/employment.html"), "IO_1")
    lines = [item.get_text(strip=True) for item in view.select("div.rbmdocs-countries ul > li")]
    colon, comma, left, right = (
        ("：", "、", "（", "）") if language == "zh_CN" else (": ", ", ", " (", ")")
    )
    shown: dict[str, list[str]] = {}
    for line in lines:
        head, _, names = line.partition(colon.strip())
        region, _, count = head.partition(left.strip())
        shown[region.strip()] = [name.strip() for name in names.split(comma.strip())]
        assert int(count.rstrip(right.strip())) == len(shown[region.strip()])
    assert shown == expected
    assert list(shown) == [
        REGION_NAMES[language][key]
        for key in REGION_NAMES[language]
        if REGION_NAMES[language][key] in expected
    ]
    assert not _ID.search(" ".join(lines))


def test_country_priorities_table_shows_countries_and_hides_codes(bilingual_sample: Path) -> None:
    """The P&B table of country priorities: countries by name; PRI_ codes in an expander."""
    page = _page(bilingual_sample, "en", "programme_budget/dwcp_priorities.html")
    table = page.select_one("table.rbmdocs-priorities-by-outcome")
    assert table is not None
    first = table.select("tbody tr")[0]
    cells = first.find_all("td")
    assert cells[0].get_text(strip=True) == "Outcome 1: Employment promotion"
    country_cell = BeautifulSoup(str(cells[2]), "html.parser")
    codes = country_cell.select_one("details.rbmdocs-need-codes")
    assert codes is not None and "PRI_" in codes.get_text()
    assert int(cells[1].get_text(strip=True)) == len(codes.select("a"))
    codes.decompose()
    assert not _ID.search(country_cell.get_text(" ", strip=True))
    expected = _countries_behind(bilingual_sample, "IO_1", "en")
    for region, names in expected.items():
        assert f"{region} ({len(names)}): {', '.join(names)}" in cells[2].get_text(strip=True)


def _pdf_lines(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.splitlines()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_pdfs_have_no_id_walls_and_no_option_lines(bilingual_sample: Path, language: str) -> None:
    """No line of any PDF holds more than five IDs, and none prints ``implements: IO_1``."""
    for path in sorted((bilingual_sample / "_build/pdf" / language).glob("*.pdf")):
        for line in _pdf_lines(path):
            assert len(_ID.findall(line)) <= 5, (path.name, line)
            assert not re.search(r"\b(?:implements|contributes to|lessons|recommendations):", line)
    budget = "\n".join(
        _pdf_lines(bilingual_sample / "_build/pdf" / language / "programme_budget.pdf")
    )
    assert "PRI_" not in budget


def test_a_changed_country_name_reaches_the_outcome_pages_not_read_again(
    tmp_path: Path,
) -> None:
    """The SPF page shows Kenya by name: renaming it in the YAML rewrites that page too."""
    from conftest import copy_sample

    source = copy_sample(tmp_path / "sample")
    build = ["build", "--source", str(source), "--lang", "en", "--format", "html"]
    assert main(build) == 0
    page = source / "_build/html/en/spf/employment.html"
    assert "Kenya" in _reading_text(_view(_page(source, "en", "spf/employment.html"), "IO_1"))
    kenya = source / "data/dwcp/KEN.yaml"
    kenya.write_text(
        kenya.read_text("utf-8").replace("country: Kenya\n", "country: Republic of Kenya\n"),
        "utf-8",
    )
    before = page.stat().st_mtime_ns
    assert main(build) == 0
    assert page.stat().st_mtime_ns != before
    text = _reading_text(_view(_page(source, "en", "spf/employment.html"), "IO_1"))
    assert "Republic of Kenya" in text
    shutil.rmtree(source / "_build")


def test_a_reference_in_prose_reads_as_the_title_and_sphinx_needs_draws_no_box(
    copy_root: Callable[[str], Path],
) -> None:
    """``{need}`IO_1``` prints the outcome's title, whole; our types get our views only."""
    root = copy_root("minimal")
    budget = root / "budget.md"
    budget.write_text(budget.read_text("utf-8") + "\nThis strategy serves {need}`IO_1`.\n", "utf-8")
    app, warnings = build_html(root)
    assert warnings == ""
    page = BeautifulSoup((Path(app.outdir) / "budget.html").read_text("utf-8"), "html.parser")
    reference = page.find("a", href="framework.html#IO_1", string=None)
    sentence = next(p for p in page.find_all("p") if "This strategy serves" in p.get_text())
    assert sentence.get_text(" ", strip=True) == (
        "This strategy serves Member States adopt employment policies ."
    )
    assert reference is not None
    assert not page.select("table.need")  # sphinx-needs' box is not drawn for our types
    views = {view["id"] for view in page.select("div.rbmdocs-need")}
    assert views == {"TGT_1_1", "STR_1"}
