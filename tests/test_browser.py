"""A reviewer in a real browser: headless Debian Chromium driven by Playwright.

The built sample is served over HTTP on localhost. The tests click from a DWCP priority up
to its strategic objective and back down, switch language, and search in English and in
Chinese; each step leaves a screenshot in ``tests/_artifacts/browser/``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import playwright.sync_api as playwright
import pytest
from web import QuietFiles, chromium, served_folder

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]

ARTIFACTS = Path(__file__).parent / "_artifacts" / "browser"


@pytest.fixture(scope="module")
def site(bilingual_sample: Path) -> Iterator[str]:
    """The built HTML of both languages, served on a free localhost port."""
    with served_folder(bilingual_sample / "_build/html") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, never a downloaded browser."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page per test (1280 by 900, as a reviewer's laptop)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    opened = context.new_page()
    yield opened
    context.close()


def _shot(page: object, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # type: ignore[attr-defined]


def _trace(page: object, need_id: str) -> object:
    """The trace lists of a need, in its traceability panel, opened as a reviewer opens it."""
    view = page.locator(f"div.rbmdocs-need#{need_id}")  # type: ignore[attr-defined]
    panel = view.locator(":scope > details.rbmdocs-need-panel")
    if panel.get_attribute("open") is None:
        panel.locator(":scope > summary").click()
    return panel.locator(":scope > nav.rbmdocs-trace")


def _follow(page: object, need_id: str, way: str, target_id: str) -> None:
    """Open the trace of ``need_id`` (up or down) and click ``target_id`` in it."""
    trace = _trace(page, need_id)
    section = trace.locator(f"details.rbmdocs-trace-{way}")  # type: ignore[attr-defined]
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    link = section.locator("a.rbmdocs-trace-need", has_text=target_id).first
    link.click()
    page.wait_for_url(f"**#{target_id}")  # type: ignore[attr-defined]
    target = page.locator(f"div.rbmdocs-need#{target_id}")  # type: ignore[attr-defined]
    playwright.expect(target).to_be_in_viewport()


def test_a_reviewer_clicks_from_a_priority_up_to_its_objective_and_back(
    page: object, site: str
) -> None:
    page.goto(f"{site}/en/data/dwcp/KEN.html#PRI_KEN_1")  # type: ignore[attr-defined]
    _shot(page, "01-priority")

    _follow(page, "PRI_KEN_1", "up", "SO_1")  # the whole chain is open under the priority
    assert page.url.endswith("/en/spf/objectives.html#SO_1")  # type: ignore[attr-defined]
    _shot(page, "02-objective")

    for here, there in [
        ("SO_1", "IMO_1_2"),
        ("IMO_1_2", "IO_2"),
        ("IO_2", "CPO_KEN_101"),
        ("CPO_KEN_101", "PRI_KEN_1"),
    ]:
        _follow(page, here, "down", there)
        _shot(page, f"03-down-to-{there}")
    assert page.url.endswith("/en/data/dwcp/KEN.html#PRI_KEN_1")  # type: ignore[attr-defined]


def test_the_switcher_opens_the_same_page_in_chinese(page: object, site: str) -> None:
    page.goto(f"{site}/en/spf/employment.html")  # type: ignore[attr-defined]
    page.locator("nav.rbmdocs-languages a", has_text="中文").click()  # type: ignore[attr-defined]

    page.wait_for_url("**/zh_CN/spf/employment.html")  # type: ignore[attr-defined]
    heading = page.locator("h1").first  # type: ignore[attr-defined]
    playwright.expect(heading).to_have_accessible_name("就业")
    view = page.locator("div.rbmdocs-need#IO_1")  # type: ignore[attr-defined]
    playwright.expect(view.locator("details.rbmdocs-need-panel > summary")).to_have_text(
        "可追溯性 · 即时成果 IO_1"
    )
    trace = _trace(page, "IO_1")
    playwright.expect(trace.locator("summary").first).to_have_text("向上追溯至战略目标")
    _shot(page, "04-chinese")


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("en", "apprenticeship", "programme_budget/employment"),
        ("en", "employment", "programme_budget/employment"),
        ("zh_CN", "社会保护", "spf/social_protection"),
        # a CPO's title, on a DWCP page (written from its data, not as a document)
        ("en", "Kumasi", "data/dwcp/GHA"),
        ("zh_CN", "库马西", "data/dwcp/GHA"),
        # the region as the Chinese page shows it (its data holds the region's code)
        ("zh_CN", "非洲", "data/dwcp/GHA"),
    ],
)
def test_search_finds_words_in_both_languages(
    page: object, site: str, language: str, query: str, expected: str
) -> None:
    page.goto(f"{site}/{language}/index.html")  # type: ignore[attr-defined]
    search = page.locator("input[name=q]").first  # type: ignore[attr-defined]
    search.fill(query)
    search.press("Enter")

    results = page.locator("#search-results li")  # type: ignore[attr-defined]
    playwright.expect(results.first).to_be_visible(timeout=15000)
    assert results.count() > 0
    hit = page.locator(f"#search-results a[href*='{expected}']")  # type: ignore[attr-defined]
    playwright.expect(hit.first).to_be_attached()
    # each result's excerpt is the page's own text, never the language switcher's
    found = page.locator(f"#search-results li:has(a[href*='{expected}'])").first  # type: ignore[attr-defined]
    excerpt = found.locator("p.context")
    playwright.expect(excerpt).to_be_attached(timeout=15000)
    assert query.lower() in excerpt.inner_text().lower()
    excerpts = page.locator("#search-results p.context").all_inner_texts()  # type: ignore[attr-defined]
    assert not [text for text in excerpts if "English | 中文" in text]
    _shot(page, f"05-search-{language}-{query}")


def test_the_coverage_page_is_one_click_from_home(page: object, site: str) -> None:
    page.goto(f"{site}/en/index.html")  # type: ignore[attr-defined]
    page.locator("a", has_text="Traceability report").first.click()  # type: ignore[attr-defined]

    page.wait_for_url("**/en/traceability.html")  # type: ignore[attr-defined]
    charts = page.locator("svg.rbmdocs-chart")  # type: ignore[attr-defined]
    playwright.expect(charts).to_have_count(3)
    playwright.expect(charts.first).to_be_visible()
    playwright.expect(page.locator("table.rbmdocs-matrix-africa")).to_be_visible()  # type: ignore[attr-defined]
    _shot(page, "06-coverage")


def test_a_reviewer_follows_a_reported_result_to_the_country_and_its_target(
    page: object, site: str
) -> None:
    """From the results table of an outcome to the result, its CPO's country and its target."""
    page.goto(f"{site}/en/implementation_report/employment.html")  # type: ignore[attr-defined]
    results = page.locator("table.rbmdocs-outcome-results").first  # type: ignore[attr-defined]
    playwright.expect(results).to_contain_text("Indicator 1.1")  # by name, not by ID
    _shot(page, "07-outcome-results")

    results.locator("a[href$='#RES_1_1']").first.click()
    page.wait_for_url("**/implementation_report/employment.html#RES_1_1")  # type: ignore[attr-defined]
    result_box = page.locator("div.rbmdocs-need#RES_1_1")  # type: ignore[attr-defined]
    playwright.expect(result_box).to_be_in_viewport()

    # the first country the table counts is the DWCP of a CPO the result names
    country = results.locator("td").nth(3).locator("a").first
    country_name = country.inner_text()
    country.click()
    page.wait_for_url("**/data/dwcp/*.html*")  # type: ignore[attr-defined]
    playwright.expect(page.locator("h1").first).to_contain_text(country_name)  # type: ignore[attr-defined]
    _shot(page, "08-result-country")

    page.go_back()  # type: ignore[attr-defined]
    _follow(page, "RES_1_1", "up", "TGT_1_1")
    assert page.url.endswith("/en/programme_budget/employment.html#TGT_1_1")  # type: ignore[attr-defined]
    _shot(page, "09-result-target")


def test_the_trace_shows_on_a_page_opened_from_disk(page: object, bilingual_sample: Path) -> None:
    """Opened as a file (no web server), the trace script loads the graph as a script."""
    path = bilingual_sample / "_build/html/en/data/dwcp/KEN.html"
    page.goto(path.as_uri() + "#PRI_KEN_1")  # type: ignore[attr-defined]
    trace = _trace(page, "PRI_KEN_1")
    playwright.expect(trace.locator("a.rbmdocs-trace-need", has_text="SO_1").first).to_be_attached()  # type: ignore[attr-defined]
    _shot(page, "10-trace-from-disk")


class _CachingHandler(QuietFiles):
    """A web server as sites are often set up: pages checked each time, assets kept an hour."""

    def end_headers(self) -> None:
        keep = "/_static/" in self.path
        self.send_header("Cache-Control", "max-age=3600" if keep else "no-cache")
        super().end_headers()


def test_a_page_not_written_again_shows_the_new_trace(
    browser: object, copy_root: Callable[[str], Path]
) -> None:
    """After an edit elsewhere, a page the build did not rewrite still traces the new graph.

    The framework page lists PRI_GHA_1 in the trace of IO_1 (down through CPO_GHA_101)
    with its title; retitling the priority in its DWCP file rewrites the DWCP page, not the
    framework page, whose own text names the CPO but not the priority.
    """
    root = copy_root("minimal")
    build = [sys.executable, "-m", "rbmdocs", "build", "--source", str(root), "--format", "html"]
    subprocess.run(build, check=True, capture_output=True)
    site = root / "_build/html/en"
    with served_folder(site, _CachingHandler) as base:
        url = f"{base}/framework.html"
        context = browser.new_context()  # type: ignore[attr-defined]
        try:
            page = context.new_page()
            trace = page.locator("div.rbmdocs-need#IO_1 nav.rbmdocs-trace")
            page.goto(url)
            playwright.expect(trace).to_contain_text("Jobs for young people")
            framework_before = (site / "framework.html").read_bytes()

            cpo_file = root / "data/dwcp/GHA.yaml"
            edited = cpo_file.read_text("utf-8").replace("Jobs for young", "Work for young")
            cpo_file.write_text(edited, "utf-8")
            subprocess.run(build, check=True, capture_output=True)
            assert (site / "framework.html").read_bytes() == framework_before  # not rewritten

            page.goto(url)
            playwright.expect(trace).to_contain_text("Work for young people")
            _shot(page, "11-trace-after-an-edit")
        finally:
            context.close()


def test_an_objective_traces_only_down_and_an_outcome_reads_as_a_document(
    page: object, site: str
) -> None:
    """Nothing is above a strategic objective: its panel has no "Up" list saying "nothing".

    An outcome's page opens with its statement, not with a list of option lines and IDs:
    the panel that holds them is closed until a reviewer opens it.
    """
    page.goto(f"{site}/en/spf/objectives.html#SO_1")  # type: ignore[attr-defined]
    trace = _trace(page, "SO_1")
    playwright.expect(trace.locator("details.rbmdocs-trace-down")).to_have_count(1)
    playwright.expect(trace.locator("details.rbmdocs-trace-up")).to_have_count(0)
    playwright.expect(trace).not_to_contain_text("nothing")
    _shot(page, "12-objective-down-only")

    page.goto(f"{site}/en/spf/employment.html#IO_1")  # type: ignore[attr-defined]
    view = page.locator("div.rbmdocs-need#IO_1")  # type: ignore[attr-defined]
    heading = view.locator(":scope > p.rbmdocs-need-heading")
    playwright.expect(heading).to_be_visible()
    panel = view.locator(":scope > details.rbmdocs-need-panel")
    playwright.expect(panel).not_to_have_attribute("open", "")
    playwright.expect(panel.locator("nav.rbmdocs-trace")).to_be_hidden()
    countries = view.locator("div.rbmdocs-countries")
    playwright.expect(countries).to_be_visible()
    playwright.expect(countries).not_to_contain_text("CPO_")
    _shot(page, "13-outcome-as-a-document")
