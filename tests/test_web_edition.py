"""The web edition as an official site: what a reader sees in Chromium, and the built HTML.

The organisation's masthead and copyright, nothing wider than the text column at a
laptop's and a telephone's width, a Chinese page without the theme's English, the
language switcher keeping the reader's place, a printed page without the site's
navigation, and the DWCPs in the order of their names in each language. The browser tests
reuse the served site and Debian's Chromium of ``test_browser``; each leaves screenshots in
``tests/_artifacts/web/``.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import playwright.sync_api as playwright
import pytest
from bs4 import BeautifulSoup
from conftest import country_name
from jinja2.ext import babel_extract
from rbmdocs.render.collation import sort_key
from web import chromium, served_folder

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]

ARTIFACTS = Path(__file__).parent / "_artifacts" / "web"
REPO = Path(__file__).parent.parent
LANGUAGES = ("en", "zh_CN")
#: A page of each kind a reader opens: a table page, an outcome, an index, a country.
PAGES = (
    "programme_budget/resources.html",
    "spf/employment.html",
    "dwcps.html",
    "data/dwcp/KEN.html",
)
ORGANISATION = {"en": "International Labour Organization", "zh_CN": "国际劳工组织"}
COPYRIGHT = {
    "en": "Copyright © 2010, International Labour Office",
    "zh_CN": "版权所有 © 2010年，国际劳工局",
}
#: What furo and Sphinx show in English unless translated.
THEME_WORDS = (
    "On this page",
    "Skip to content",
    "Back to top",
    "Next",
    "Previous",
    "Made with",
    "Search",
    "Contents",
    "Copyright",
    "Home",
    "Menu",
    "Expand",
)
#: Latin words a Chinese page may show: names and abbreviations the Chinese text itself
#: uses (the US dollar, the RBSA, HIV/AIDS), and the name of the other language.
LATIN_ALLOWED = {"English", "RBSA", "US", "HIV", "AIDS", "DWCP", "ILO", "PDF", "HTML"}


def _html(sample: Path, language: str, page: str) -> BeautifulSoup:
    return BeautifulSoup(
        (sample / "_build/html" / language / page).read_text("utf-8"), "html.parser"
    )


# --- the built HTML -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_masthead_names_the_organisation_with_its_emblem(
    bilingual_sample: Path, language: str
) -> None:
    page_file = bilingual_sample / "_build/html" / language / "spf/employment.html"
    page = _html(bilingual_sample, language, "spf/employment.html")
    masthead = page.select_one("header.rbmdocs-masthead")
    assert masthead is not None
    assert (
        masthead.select_one(".rbmdocs-organisation").get_text(strip=True)
        == (ORGANISATION[language])
    )
    emblem = masthead.select_one("img.rbmdocs-emblem")
    assert (page_file.parent / emblem["src"]).resolve().read_bytes() == (
        REPO / "_static/emblem.svg"
    ).read_bytes()
    home = masthead.select_one("a.rbmdocs-masthead-home")["href"]
    assert (page_file.parent / home).resolve() == page_file.parent.parent / "index.html"
    # the switcher is in the masthead, once, and no longer in the text
    assert len(page.select("nav.rbmdocs-languages")) == 1
    assert masthead.select_one("nav.rbmdocs-languages") is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_has_the_copyright_and_no_generator_credit(
    bilingual_sample: Path, language: str
) -> None:
    for name in ("index.html", "spf/employment.html", "search.html"):
        footer = _html(bilingual_sample, language, name).select_one("footer")
        text = " ".join(footer.get_text(" ", strip=True).split())
        assert COPYRIGHT[language] in text, text
        for credit in ("Made with", "Sphinx", "Furo", "pradyunsg", "本网站由"):
            assert credit not in text, (name, credit)


def _country_names(language: str) -> dict[str, str]:
    """DWCP page (``data/dwcp/KEN``) → its country's name in ``language``, from the data."""
    names = {}
    for path in sorted((REPO / "data/dwcp").glob("*.yaml")):
        names[f"data/dwcp/{path.stem}"] = country_name(REPO, path, language)
    return names


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dwcp_navigation_is_in_the_order_of_the_countries_names(
    bilingual_sample: Path, language: str
) -> None:
    names = _country_names(language)
    expected = sorted(names.values(), key=lambda name: sort_key(name, language))
    # the DWCP pages are in no table of contents: "next" leads from the index through
    # every programme, in the order of the countries' names
    shown: list[str] = []
    page_name = "dwcps.html"
    while True:
        page_soup = _html(bilingual_sample, language, page_name)
        following = page_soup.select_one("a.next-page")
        if page_name != "dwcps.html" and not page_name.startswith("data/dwcp/"):
            break
        if page_name.startswith("data/dwcp/"):
            # titles with typographic apostrophes, as a document's ("Lao People’s …")
            title = page_soup.select_one("h1")
            assert title is not None
            shown.append(title.get_text(strip=True).rstrip("¶").replace("\u2019", "'"))
        assert following is not None
        page_name = posixpath.normpath(
            posixpath.join(posixpath.dirname(page_name), str(following["href"]))
        )
    assert shown == expected
    page = _html(bilingual_sample, language, "dwcps.html")
    # and each region's table of the DWCP index
    for table in page.select("table.rbmdocs-dwcp-index"):
        column = [row.select_one("td").get_text(strip=True) for row in table.select("tbody tr")]
        assert column == sorted(column, key=lambda name: sort_key(name, language))
        assert set(column) <= set(names.values())


def test_sort_key_orders_names_as_their_readers_look_them_up() -> None:
    english = ["Burkina Faso", "bulgaria", "Côte d'Ivoire", "Bangladesh", "Croatia", "Congo"]
    assert sorted(english, key=lambda name: sort_key(name, "en")) == [
        "Bangladesh",
        "bulgaria",
        "Burkina Faso",
        "Congo",
        "Côte d'Ivoire",
        "Croatia",
    ]
    chinese = ["孟加拉国", "布基纳法索", "保加利亚", "阿富汗", "中国", "埃及"]
    # a fu, ai ji, bao jia, bu ji, meng jia, zhong guo
    assert sorted(chinese, key=lambda name: sort_key(name, "zh_CN")) == [
        "阿富汗",
        "埃及",
        "保加利亚",
        "布基纳法索",
        "孟加拉国",
        "中国",
    ]


def test_the_trace_lists_use_the_punctuation_of_the_language(bilingual_sample: Path) -> None:
    for language, separator, see_above in (
        ("en", ": ", " (see above)"),
        ("zh_CN", "：", "（见上文）"),
    ):
        raw = (bilingual_sample / "_build/html" / language / "_static/rbmdocs-graph.js").read_text(
            "utf-8"
        )
        assert f'"separator":"{separator}"' in raw
        assert f'"seeAbove":"{see_above}"' in raw
        graph = json.loads(raw[raw.index("{") : raw.rindex("}") + 1])
        # each label opens a line of the list: one capitalisation, as every label
        for labels in graph["linkLabels"].values():
            assert all(text[:1] == text[:1].upper() for text in labels), labels


def test_every_word_of_the_theme_has_a_chinese_translation(bilingual_sample: Path) -> None:
    """Each message of furo's templates and ours is translated by Sphinx's or our catalogue.

    A furo release that adds a string fails here until ``sphinx.po`` translates it.
    """
    import gettext

    import furo
    import sphinx
    from rbmdocs.sphinx.site import THEME_DIR

    ours = bilingual_sample / "locales"  # compiled by the build
    theirs = Path(sphinx.__file__).parent / "locale"
    translations = gettext.translation("sphinx", str(ours), ["zh_CN"])
    translations.add_fallback(gettext.translation("sphinx", str(theirs), ["zh_CN"]))
    untranslated = []
    for folder in (Path(furo.__file__).parent / "theme/furo", THEME_DIR):
        for template in sorted(folder.rglob("*.html")):
            with template.open("rb") as stream:
                for _line, _function, message, _comments in babel_extract(
                    stream, ["_", "gettext"], [], {}
                ):
                    text = message if isinstance(message, str) else message[0]
                    shown = re.sub(r"<[^>]+>", "", text).strip()
                    if shown in {"Furo", ""}:  # the theme's own name
                        continue
                    if translations.gettext(text) == text:
                        untranslated.append(f"{template.name}: {text!r}")
    assert not untranslated


# --- in Chromium ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(bilingual_sample: Path) -> Iterator[str]:
    """The built HTML of both languages, served on a free localhost port."""
    with served_folder(bilingual_sample / "_build/html") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright.Browser]:
    """Debian's Chromium, never a downloaded browser."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as launched:
        yield launched


def _open(browser: playwright.Browser, url: str, width: int) -> playwright.Page:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return page


#: Elements of the text column that reach beyond it, unless inside a box that scrolls.
_OVERFLOWING = """() => {
  const column = document.querySelector("article[role=main]");
  const edge = column.getBoundingClientRect();
  const scrolls = (element) => {
    for (let box = element.parentElement; box && box !== column; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
    }
    return false;
  };
  const found = [];
  column.querySelectorAll("*").forEach((element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || scrolls(element)) return;
    // wider than the column, or reaching past its right edge (paragraph numbers stand in
    // the margin on the left, as in the printed documents, but inside the window)
    if (box.width > edge.width + 0.5 || box.right > edge.right + 0.5 || box.left < 0) {
      found.push(`${element.tagName}.${element.className} ${Math.round(box.width)}px`);
    }
  });
  return {column: Math.round(edge.width), found: found,
          page: document.documentElement.scrollWidth, window: window.innerWidth};
}"""


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_is_wider_than_the_text_column(
    browser: playwright.Browser, site: str, language: str, width: int
) -> None:
    for name in PAGES:
        page = _open(browser, f"{site}/{language}/{name}", width)
        try:
            measured = page.evaluate(_OVERFLOWING)
            stem = name.replace("/", "-").removesuffix(".html")
            page.screenshot(path=str(ARTIFACTS / f"column-{language}-{stem}-{width}.png"))
        finally:
            page.context.close()
        assert measured["found"] == [], (name, measured)
        assert measured["page"] <= measured["window"], (name, measured)  # no sideways scroll


_TEXT_NODES = """() => {
  const skipped =
    "script, style, noscript, code, pre, .rbmdocs-id, .needs-id, nav.rbmdocs-languages, " +
    "#search-results p.context";  // excerpts of other pages, cut mid-word (…PAK_101)
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(skipped) || !node.textContent.trim()) continue;
    texts.push(node.textContent.trim());
  }
  // and what a screen reader reads instead of text: names of buttons, images, fields
  document.querySelectorAll("[aria-label], [alt], [title], [placeholder]").forEach((el) => {
    if (el.closest(skipped) || el.matches("html, head *")) return;
    ["aria-label", "alt", "title", "placeholder"].forEach((name) => {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    });
  });
  return texts;
}"""
#: An ID (IO_1, CPO_KEN_101), also where Chinese follows it directly ("IO_1的追溯图")
_ID = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9_])")
_LATIN = re.compile(r"[A-Za-z]+")


@pytest.mark.parametrize("name", ["index.html", *PAGES, "search.html"])
def test_a_chinese_page_shows_no_english(browser: playwright.Browser, site: str, name: str) -> None:
    page = _open(
        browser,
        f"{site}/zh_CN/{name}?q=就业" if name == "search.html" else f"{site}/zh_CN/{name}",
        1366,
    )
    try:
        page.wait_for_timeout(500)  # the trace lists and search results, drawn by scripts
        texts = page.evaluate(_TEXT_NODES)
    finally:
        page.context.close()
    text = "\n".join(texts)
    for word in THEME_WORDS:
        assert word not in text, (name, word)
    latin = {word for word in _LATIN.findall(_ID.sub("", text))} - LATIN_ALLOWED
    assert not latin, (name, sorted(latin))


@pytest.mark.parametrize("opened", ["served", "from disk"])
def test_the_switcher_keeps_the_readers_place(
    browser: playwright.Browser, site: str, bilingual_sample: Path, opened: str
) -> None:
    english = (
        f"{site}/en/spf/social_protection.html"
        if opened == "served"
        else (bilingual_sample / "_build/html/en/spf/social_protection.html").as_uri()
    )
    page = _open(browser, english + "#IO_4", 1366)
    try:
        page.locator("nav.rbmdocs-languages a", has_text="中文").click()
        page.wait_for_url("**/zh_CN/spf/social_protection.html#IO_4")
        playwright.expect(page.locator("#IO_4")).to_be_in_viewport()
        page.screenshot(path=str(ARTIFACTS / f"switched-to-IO_4-{opened.replace(' ', '-')}.png"))
        # a reader who moves on within the page is taken to the new place
        page.evaluate("window.location.hash = '#IO_5'")
        page.locator("nav.rbmdocs-languages a", has_text="English").click()
        page.wait_for_url("**/en/spf/social_protection.html#IO_5")
    finally:
        page.context.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_printed_page_is_the_document_without_the_site(
    browser: playwright.Browser, site: str, language: str, tmp_path: Path
) -> None:
    page = _open(browser, f"{site}/{language}/spf/social_protection.html", 1366)
    try:
        page.wait_for_timeout(500)
        pdf = tmp_path / "printed.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        sidebar = page.locator(".sidebar-tree .toctree-l1 > a").all_inner_texts()
        brand = page.locator(".sidebar-brand-text").inner_text()
        title = page.locator("h1").first.inner_text()
        page.emulate_media(media="print")
        body_font = page.evaluate(
            "getComputedStyle(document.querySelector('article p')).fontFamily"
        )
        hidden = page.evaluate(
            "['.sidebar-drawer', '.toc-drawer', 'nav.rbmdocs-languages', '.related-pages']"
            ".map((s) => getComputedStyle(document.querySelector(s)).display)"
        )
    finally:
        page.context.close()
    shutil.copy(pdf, ARTIFACTS / f"printed-{language}.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert " ".join(title.split()) in flat
    assert ORGANISATION[language] in flat  # the document says whose it is
    words = {"en": ("Search", "On this page", "Back to top", "Previous")}
    navigation = [
        *words.get(language, ("搜索", "本页内容", "返回页首", "下一页", "上一页")),
        "English | 中文",
        brand,  # the site's name at the top of the sidebar
        sidebar[-1],  # its last entry, the traceability report
    ]
    for entry in navigation:
        assert " ".join(entry.split()) not in flat, entry
    size = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in size
    assert "serif" in body_font and "Termes" in body_font  # set in a serif, as the PDF
    assert set(hidden) == {"none"}


def test_the_theme_catalogue_is_left_to_its_translator(
    sample_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rbmdocs i18n update`` and ``status`` work on the pages' catalogues and leave the
    theme's (``sphinx.po``, which Sphinx reads itself) as it is, checked but unchanged."""
    from rbmdocs.cli import main

    theme_catalogue = sample_copy / "locales/zh_CN/LC_MESSAGES/sphinx.po"
    before = theme_catalogue.read_bytes()
    assert main(["i18n", "update", "--source", str(sample_copy)]) == 0
    assert main(["i18n", "status", "--source", str(sample_copy), "--strict"]) == 0
    output = capsys.readouterr().out
    assert "sphinx.po" not in output and "zh_CN/sphinx " not in output
    assert "zh_CN/index" in output  # the copyright and the organisation are messages there
    assert theme_catalogue.read_bytes() == before
