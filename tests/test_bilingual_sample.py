"""The sample in both languages and both formats, as a reader gets it.

One build of everything (``rbmdocs build --lang all --format all``) for the module; the
PDFs are read with poppler's pdftotext and pdffonts and with pypdf, the HTML with
BeautifulSoup.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from rbmdocs.cli import main

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]

_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def sample(bilingual_sample: Path) -> Path:
    """The sample, built in every language and format (once per test session)."""
    return bilingual_sample


def _page(sample: Path, language: str, name: str) -> BeautifulSoup:
    html = (sample / "_build/html" / language / name).read_text("utf-8")
    return BeautifulSoup(html, "html.parser")


def _pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_catalogues_of_the_sample_are_complete(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["i18n", "status", "--source", str(sample), "--strict"]) == 0
    report = capsys.readouterr().out
    assert "all catalogues:" in report
    assert "(100.0%)" in report


def test_chinese_site_shows_chinese_titles_labels_and_headers(sample: Path) -> None:
    page = _page(sample, "zh_CN", "spf/employment.html")
    view = page.select_one("div.rbmdocs-need#IO_1")
    assert view is not None
    title = view.select_one("p.rbmdocs-need-heading strong")
    assert title is not None and _HAN.search(title.get_text())  # the statement, from spf.po
    panel = view.select_one("details.rbmdocs-need-panel")
    assert panel is not None
    text = panel.get_text(" ", strip=True)
    assert text.startswith("可追溯性 · 即时成果 IO_1")  # the panel, the type, and the ID stays
    assert "促进实现" in text  # the link label
    countries = view.select_one("div.rbmdocs-countries").get_text(" ", strip=True)
    assert "非洲（" in countries and "、" in countries  # Chinese punctuation

    resources = _page(sample, "zh_CN", "programme_budget/resources.html")
    headers = [cell.get_text(strip=True) for cell in resources.select("table.rbmdocs-table th")]
    assert "经常预算\uff08美元\uff09" in headers
    rows = resources.select("table.rbmdocs-table tbody tr")
    assert all(_HAN.search(row.get_text()) for row in rows)  # outcome titles in Chinese


def test_chinese_dwcp_pages_use_the_chinese_yaml_fields(sample: Path) -> None:
    page = _page(sample, "zh_CN", "data/dwcp/KEN.html")
    assert "肯尼亚" in page.h1.get_text()
    assert "为青年男女创造更多更好的就业" in page.get_text()


def test_english_site_has_no_chinese_outside_the_switcher(sample: Path) -> None:
    page = _page(sample, "en", "spf/employment.html")
    for switcher in page.select("nav.rbmdocs-languages"):
        switcher.decompose()
    main_text = page.select_one("article") or page
    assert not _HAN.search(main_text.get_text())


def test_chinese_search_index_finds_chinese_words(sample: Path) -> None:
    raw = (sample / "_build/html/zh_CN/searchindex.js").read_text("utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    docnames = index["docnames"]

    def pages(word: str) -> set[str]:
        found: set[str] = set()
        for kind in ("terms", "titleterms"):  # body words, and words of page titles
            hits = index[kind].get(word, [])
            found |= {docnames[hit] for hit in (hits if isinstance(hits, list) else [hits])}
        return found

    assert "spf/social_protection" in pages("社会保护")
    assert "data/dwcp/KEN" in pages("肯尼亚")
    assert "spf/vision" in pages("体面劳动")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_only_the_search_page_loads_the_excerpt_script(sample: Path, language: str) -> None:
    """The script that keeps the switcher out of search excerpts is the search page's alone,
    deferred so that it runs after ``searchtools.js`` has defined what it wraps."""

    def scripts(name: str) -> dict[str, bool]:
        page = _page(sample, language, name)
        return {
            script["src"].split("?")[0]: script.has_attr("defer")
            for script in page.select("script[src]")
        }

    assert scripts("search.html").get("_static/rbmdocs-search.js") is True
    assert (sample / "_build/html" / language / "_static/rbmdocs-search.js").is_file()
    for other in ("index.html", "spf/employment.html"):
        assert "_static/rbmdocs-search.js" not in scripts(other)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("document", ["spf", "programme_budget", "implementation_report"])
def test_one_pdf_per_document_and_language_with_its_title_page(
    sample: Path, language: str, document: str
) -> None:
    pdf = sample / "_build/pdf" / language / f"{document}.pdf"
    assert pdf.is_file()
    title_page = _pdf_text(pdf, 1, 1)
    symbol, date, month = {
        "spf": ("GB.304/PFA/2(Rev.)", "March 2009", "2009年3月"),
        "programme_budget": ("GB.304/PFA/3", "March 2009", "2009年3月"),
        "implementation_report": ("GB.313/PFA/1", "March 2012", "2012年3月"),
    }[document]
    assert symbol in title_page
    if language == "zh_CN":
        packed = "".join(title_page.split())  # xeCJK spaces Chinese from digits
        assert "日内瓦" in packed and month in packed and "国际劳工局" in packed
        assert {
            "spf": "2010-15年战略政策框架",
            "programme_budget": "2010-11年计划和预算",
            "implementation_report": "2010-11年计划实施报告",
        }[document] in packed
    else:
        assert "Geneva" in title_page and date in title_page
    text = _pdf_text(pdf)
    # running headers carry the symbol on every page after the title page
    assert text.count(symbol) >= 5


def test_chinese_pdfs_have_chinese_text_captions_and_embedded_cjk_fonts(sample: Path) -> None:
    pdf = sample / "_build/pdf/zh_CN/spf.pdf"
    text = _pdf_text(pdf)
    assert len(_HAN.findall(text)) > 2000
    assert "目录" in text
    # parts as the Chinese Governing Body papers number them, never "第1章"
    assert "一、导言" in text.replace(" ", "") and "第1章" not in text.replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    cjk = [line for line in fonts.stdout.splitlines() if "CJK" in line]
    assert cjk, fonts.stdout
    assert all(line.split()[-5] == "yes" for line in cjk)  # the "emb" column


def test_pdf_links_inside_the_document_work(sample: Path) -> None:
    reader = PdfReader(sample / "_build/pdf/en/programme_budget.pdf")
    internal = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            action = link.get("/A")
            if link.get("/Subtype") == "/Link" and (
                link.get("/Dest") is not None
                or (action is not None and action.get("/S") == "/GoTo")
            ):
                internal += 1
    # the contents, the paragraph and need references, the tables' links to the needs
    assert internal > 25
    # a need of the other document (the SPF) is named by its statement, never "None"
    text = " ".join(_pdf_text(sample / "_build/pdf/en/programme_budget.pdf").split())
    assert "More women and men have access to productive employment" in text
    assert "None" not in text


def test_translations_keep_their_markup(sample: Path) -> None:
    for page in (sample / "_build/html/zh_CN").rglob("*.html"):
        text = BeautifulSoup(page.read_text("utf-8"), "html.parser").get_text()
        assert "**" not in text, f"{page.name}: bold markup shown as text"
        assert "{need}" not in text and "](" not in text, page.name


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_nothing_runs_off_the_page_in_the_pdfs(sample: Path, language: str) -> None:
    for log in (sample / "_build/.work/pdf" / language).glob("*.log"):
        overfull = [
            line
            for line in log.read_text("utf-8", "replace").splitlines()
            if "Overfull \\hbox" in line
        ]
        assert overfull == [], f"{log.name}: {overfull[:3]}"


def _page_fill(pdf: Path) -> list[float]:
    """How far down each page its text reaches (header and footer left out), 0 for a blank."""
    import xml.etree.ElementTree as ElementTree

    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    xhtml = ' xmlns="http://www.w3.org/1999/xhtml"'
    html = re.sub(r"<!DOCTYPE[^>]*>", "", boxes).replace(xhtml, "")
    fills = []
    for page in ElementTree.fromstring(html).iter("page"):
        height = float(page.get("height", "1"))
        bottoms = [
            float(word.get("yMax", "0"))
            for word in page.iter("word")
            if 0.08 * height < float(word.get("yMin", "0")) < 0.9 * height
        ]
        fills.append(max(bottoms, default=0.0) / height)
    return fills


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_long_descriptions_flow_on_in_the_programme_and_budget_pdf(
    sample: Path, language: str
) -> None:
    """A need box's description runs on across pages instead of moving whole to the next.

    A table row cannot break across pages: when the description was the box's last row,
    every strategy longer than the rest of its page left that page half empty (26 of the
    53 printed pages of the English P&B). Now only a chapter's last page may end early.
    """
    pdf = sample / f"_build/pdf/{language}/programme_budget.pdf"
    fills = [fill for fill in _page_fill(pdf) if fill]
    half_empty = [round(fill, 2) for fill in fills if fill < 0.5]
    assert len(half_empty) <= len(fills) // 6, (len(fills), half_empty)


def test_the_report_shows_coverage_charts_and_the_priority_matrix(sample: Path) -> None:
    import yaml

    page = _page(sample, "en", "traceability.html")
    charts = page.select("svg.rbmdocs-chart")
    assert len(charts) == 3  # by region, and two by strategic objective
    region_bars = charts[0].select("rect.rbmdocs-bar")
    assert [bar.title.get_text().split(":")[0] for bar in region_bars] == [
        "Africa",
        "Americas",
        "Arab States",
        "Asia and the Pacific",
        "Europe and Central Asia",
    ]
    # the matrix row of Kenya, recomputed here from its YAML file
    kenya = yaml.safe_load((sample / "data/dwcp/KEN.yaml").read_text("utf-8"))
    expected: dict[str, int] = {}
    for priority in kenya["priorities"]:
        reached = {io for cpo in priority["outcomes"] for io in cpo["contributes_to"]}
        for outcome in reached:
            expected[outcome.removeprefix("IO_")] = expected.get(outcome.removeprefix("IO_"), 0) + 1
    africa = page.select_one("table.rbmdocs-matrix-africa")
    headers = [cell.get_text(strip=True) for cell in africa.select("thead th")][1:]
    row = next(r for r in africa.select("tbody tr") if r.td.get_text(strip=True) == "Kenya")
    cells = [cell.get_text(strip=True) for cell in row.select("td")][1:]
    shown = {header: int(cell) for header, cell in zip(headers, cells, strict=True) if cell}
    assert shown == expected
    chinese = _page(sample, "zh_CN", "traceability.html")
    assert chinese.select_one("svg.rbmdocs-chart title").get_text() == "按区域分列的可追溯优先事项"
