"""The PDFs as Governing Body papers: masthead, parts, numbered paragraphs, tables, metadata.

The sample is built once per session (``bilingual_sample``); the PDFs are read with
poppler (``pdftotext -layout`` and ``-bbox``, ``pdfinfo``) and pypdf, the HTML with
BeautifulSoup. What a test expects comes from the sample's own conf.py and catalogues,
never from a copy of the output.
"""

from __future__ import annotations

import io
import re
import runpy
import subprocess
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from pypdf import PdfReader
from rbmdocs.documents import check_documents
from rbmdocs.render.labels import label
from rbmdocs.sphinx.latex import (
    BUILDER_NAME,
    DocumentLaTeXBuilder,
    DocumentLaTeXTranslator,
)
from rbmdocs.sphinx.table_kit import latex_colspec
from sphinx.builders.latex import LaTeXBuilder
from sphinx.testing.util import SphinxTestApp
from sphinx.writers.latex import LaTeXTranslator

LANGUAGES = ("en", "zh_CN")
DOCUMENTS = ("spf", "programme_budget", "implementation_report")


# --- reading the sample's settings and the PDFs -------------------------------------------


def _settings(sample: Path) -> dict[str, Any]:
    return runpy.run_path(str(sample / "conf.py"))


def _entry(sample: Path, document: str, language: str) -> dict[str, str]:
    """The document's conf.py entry with its texts in ``language`` (from the catalogue)."""
    settings = _settings(sample)
    entry = next(e for e in settings["rbmdocs_documents"] if e["name"] == document)
    translated = dict(entry)
    translated["author"] = settings["author"]
    if language != "en":
        domain = entry["start"].split("/")[0]
        path = sample / "locales" / language / "LC_MESSAGES" / f"{domain}.po"
        with path.open("rb") as stream:
            catalogue = {m.id: m.string for m in read_po(stream) if m.id and m.string}
        translated = {key: catalogue.get(value, value) for key, value in translated.items()}
    return translated


def _pdf(sample: Path, language: str, document: str) -> Path:
    return sample / "_build/pdf" / language / f"{document}.pdf"


def _layout(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]

    def body(self) -> list[Word]:
        """The words between the running header and the bottom margin."""
        return [
            word for word in self.words if 0.075 * self.height < word.y_min < 0.92 * self.height
        ]


@cache
def _pages(pdf: Path) -> tuple[Page, ...]:
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    html = re.sub(r"<!DOCTYPE[^>]*>", "", boxes).replace(
        ' xmlns="http://www.w3.org/1999/xhtml"', ""
    )
    pages = []
    for number, page in enumerate(ElementTree.fromstring(html).iter("page"), start=1):
        words = tuple(
            Word(
                word.text or "",
                float(word.get("xMin", "0")),
                float(word.get("yMin", "0")),
                float(word.get("xMax", "0")),
                float(word.get("yMax", "0")),
            )
            for word in page.iter("word")
        )
        pages.append(
            Page(number, float(page.get("width", "0")), float(page.get("height", "0")), words)
        )
    return tuple(pages)


def _packed(text: str) -> str:
    """Text without white space: xeCJK spaces Chinese from Latin letters and digits."""
    return "".join(text.split())


def _html(sample: Path, language: str, page: str) -> BeautifulSoup:
    return BeautifulSoup(
        (sample / "_build/html" / language / page).read_text("utf-8"), "html.parser"
    )


def _toctree_pages(sample: Path, start: str) -> list[str]:
    """A document's pages in the order of its table of contents (depth first)."""
    order: list[str] = []

    def visit(docname: str) -> None:
        order.append(docname)
        source = (sample / f"{docname}.md").read_text("utf-8")
        block = re.search(r"```\{toctree\}(.*?)```", source, re.S)
        if not block:
            return
        folder = docname.rsplit("/", 1)[0] + "/" if "/" in docname else ""
        for line in block.group(1).splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                visit(folder + line)

    visit(start)
    return order


_PARAGRAPH_NUMBER = re.compile(r"^(\d+)\.$")


def _paragraph_numbers(pdf: Path) -> list[int]:
    """Numbers standing at the left edge of the text block: the numbered paragraphs."""
    pages = _pages(pdf)
    # the left edge of the text block: where most lines start (a Chinese line opening with
    # a bracket hangs it a little to the left)
    starts = Counter(round(word.x_min) for page in pages for word in page.body())
    left = float(starts.most_common(1)[0][0])
    numbers = []
    for page in pages:
        for word in sorted(page.body(), key=lambda w: (w.y_min, w.x_min)):
            match = _PARAGRAPH_NUMBER.match(word.text)
            if match and abs(word.x_min - left) < 1.5:
                numbers.append(int(match.group(1)))
    return numbers


@pytest.fixture(scope="module")
def sample(bilingual_sample: Path) -> Path:
    """The sample, built in every language and format (once per test session)."""
    return bilingual_sample


# --- the masthead --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.sphinx
@pytest.mark.slow
def test_the_first_page_carries_the_masthead_in_order(
    sample: Path, language: str, document: str
) -> None:
    entry = _entry(sample, document, language)
    pdf = _pdf(sample, language, document)
    first_page = _packed(_layout(pdf, 1, 1))
    expected = [
        entry["author"].upper(),
        entry["symbol"],
        entry["body"],
        entry["session"],
        entry["place"],
        entry["date"],
        entry["committee"],
        entry["committee_abbreviation"],
        entry["purpose"].upper(),
        entry["item"].upper(),
        entry["title"],
        *([entry["subtitle"]] if "subtitle" in entry else []),
        "目录" if language == "zh_CN" else "Contents",
    ]
    positions = []
    start = 0
    for text in expected:
        found = first_page.find(_packed(text), start)
        assert found >= 0, f"{text!r} missing, or out of order, on page 1 of {pdf.name}"
        positions.append(found)
        start = found + len(_packed(text))
    # the symbol stands at the top right, on the line of the organisation
    page = _pages(pdf)[0]
    symbol = [word for word in page.words if word.text == entry["symbol"]]
    assert symbol, [word.text for word in page.words[:10]]
    top = min(word.y_min for word in page.words)
    assert symbol[0].y_min - top < 2 and symbol[0].x_max > 0.85 * page.width
    # no running header on the masthead page: nothing above the organisation's line
    assert all(word.y_min >= top - 0.5 for word in page.words)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.sphinx
@pytest.mark.slow
def test_the_pdf_information_names_the_document(sample: Path, language: str, document: str) -> None:
    entry = _entry(sample, document, language)
    reader = PdfReader(_pdf(sample, language, document))
    metadata = reader.metadata
    assert metadata is not None
    title = entry["title"]
    if "subtitle" in entry:
        title = label("masthead.title_subtitle", language, title=title, subtitle=entry["subtitle"])
    assert metadata.title == title
    assert metadata.author == entry["author"]
    assert metadata.subject and entry["session"] in metadata.subject
    assert metadata.get("/Keywords") == entry["keywords"]
    assert reader.trailer["/Root"].get("/Lang") == language.replace("_", "-")


# --- parts, headers, bookmarks -------------------------------------------------------------

_CHAPTER_WORDS = re.compile(r"\bCHAPTER\b|\bChapter\b|第\s*\d+\s*章")
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"]
_CHINESE = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.sphinx
@pytest.mark.slow
def test_parts_are_numbered_the_governing_body_way_and_bookmarked(
    sample: Path, language: str, document: str
) -> None:
    pdf = _pdf(sample, language, document)
    text = _layout(pdf)
    assert not _CHAPTER_WORDS.search(text), _CHAPTER_WORDS.search(text)
    reader = PdfReader(pdf)
    parts = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(parts) >= 3
    body = "\n".join(_layout(pdf, 2).splitlines())
    lines = [_packed(line) for line in body.splitlines()]
    for index, title in enumerate(parts):
        heading = (
            f"{_CHINESE[index]}、{title}" if language == "zh_CN" else f"{_ROMAN[index]}.{title}"
        )
        assert _packed(heading) in lines, f"no heading {heading!r} in {pdf.name}"
    # the first part is the start page's own text: the introduction
    assert parts[0] == label("document.introduction", language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.sphinx
@pytest.mark.slow
def test_running_headers_carry_the_symbol_and_page_number_after_the_contents(
    sample: Path, language: str
) -> None:
    for document in DOCUMENTS:
        entry = _entry(sample, document, language)
        pages = _pages(_pdf(sample, language, document))
        with_header = []
        for page in pages:
            top = [word for word in page.words if word.y_max < 0.075 * page.height]
            texts = [word.text for word in top]
            if texts:
                assert texts[0] == entry["symbol"] and texts[-1] == str(page.number), texts
                with_header.append(page.number)
        # every page from the first part on has one, and no page of the masthead or contents
        introduction = label("document.introduction", language)
        heading = f"一、{introduction}" if language == "zh_CN" else f"I.{introduction}"
        first_part = next(
            page.number
            for page in pages
            if _packed(heading) in _packed(" ".join(word.text for word in page.words))
            and page.number > 1
        )
        assert with_header == list(range(first_part, len(pages) + 1))


# --- numbered paragraphs -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.sphinx
@pytest.mark.slow
def test_paragraphs_are_numbered_through_the_document_as_in_html(
    sample: Path, language: str, document: str
) -> None:
    numbers = _paragraph_numbers(_pdf(sample, language, document))
    assert len(numbers) > 20
    assert numbers == list(range(1, len(numbers) + 1))
    # the HTML pages of the document, in its order, carry the same numbers
    entry = _entry(sample, document, "en")
    html_numbers = []
    for docname in _toctree_pages(sample, entry["start"]):
        page = _html(sample, language, f"{docname}.html")
        for number in page.select(".rbmdocs-para-number"):
            html_numbers.append(int(number.get_text().rstrip(".")))
    # (a page's paragraphs after its table of contents come after the pages it includes)
    assert sorted(html_numbers) == numbers


@pytest.mark.sphinx
@pytest.mark.slow
def test_headings_tables_lists_and_captions_are_not_numbered(sample: Path) -> None:
    found_in_needs = 0
    for page in (sample / "_build/html/en/programme_budget").glob("*.html"):
        html = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for number in html.select(".rbmdocs-para-number"):
            paragraph = number.parent
            assert paragraph.name == "p"
            assert not paragraph.find_parent(["li", "td", "th", "caption", "dt", "dd"])
            if paragraph.find_parent(class_=re.compile(r"^(need|rbmdocs-need)")):
                found_in_needs += 1
        for heading in html.select("h1, h2, h3, h4, .rubric, caption"):
            assert not heading.select(".rbmdocs-para-number"), heading
    # the prose of the outcome strategies is body text
    assert found_in_needs > 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.sphinx
@pytest.mark.slow
def test_a_labelled_paragraph_is_cited_by_its_number(sample: Path, language: str) -> None:
    target = _html(sample, language, "spf/vision.html").select_one("#para-living-document")
    assert target is not None
    number = int(target.select_one(".rbmdocs-para-number").get_text().rstrip("."))
    cited = label("paragraph.cite", language, number=str(number))
    link = next(
        a for a in _html(sample, language, "spf/index.html").select("a") if a.get_text() == cited
    )
    assert link["href"].endswith("vision.html#para-living-document")
    pdf = _pdf(sample, language, "spf")
    assert _packed(cited) in _packed(_layout(pdf))
    # and in the PDF that number stands before that paragraph
    assert number in _paragraph_numbers(pdf)
    layout = _layout(pdf)
    opening = {"en": "The framework is not fixed", "zh_CN": "本框架在六年期间并非一成不变"}[
        language
    ]
    line = next(line for line in layout.splitlines() if _packed(opening) in _packed(line))
    assert line.strip().startswith(f"{number}.")


# --- tables --------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})+$")


def _amount_rows(page: Page) -> list[list[Word]]:
    rows: dict[int, list[Word]] = defaultdict(list)
    for word in page.body():
        if _AMOUNT.match(word.text):
            rows[round(word.y_min)].append(word)
    return [sorted(row, key=lambda w: w.x_min) for row in rows.values() if len(row) >= 3]


def _blocks(rows: list[list[Word]]) -> list[list[list[Word]]]:
    """Rows of amounts one under the other with as many amounts each: one table's body."""
    blocks: list[list[list[Word]]] = []
    for row in sorted(rows, key=lambda r: r[0].y_min):
        last = blocks[-1][-1] if blocks else None
        if last and len(last) == len(row) and row[0].y_min - last[0].y_min < 100:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    return blocks


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", ["programme_budget", "implementation_report"])
@pytest.mark.sphinx
@pytest.mark.slow
def test_amounts_are_right_aligned_with_thousands_separators(
    sample: Path, language: str, document: str
) -> None:
    checked = 0
    for page in _pages(_pdf(sample, language, document)):
        for rows in _blocks(_amount_rows(page)):
            if len(rows) < 3:
                continue
            for column in zip(*rows, strict=True):
                right_edges = [word.x_max for word in column]
                assert max(right_edges) - min(right_edges) < 0.6, [w.text for w in column]
                checked += 1
    assert checked >= 4


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("document", "header_label"),
    [("programme_budget", "table.extra_budgetary"), ("implementation_report", "table.all_sources")],
)
@pytest.mark.sphinx
@pytest.mark.slow
def test_a_table_broken_across_pages_repeats_its_header(
    sample: Path, language: str, document: str, header_label: str
) -> None:
    """Every page holding rows of the resource (or expenditure) table shows its header."""
    pages = _pages(_pdf(sample, language, document))
    # the header's words before the bracket: a narrow cell may wrap "(US$)" to a line below
    header = _packed(re.split(r"[(（]", label(header_label, language))[0])

    def text(page: Page) -> str:
        return _packed(" ".join(word.text for word in page.words))

    first = next(page for page in pages if header in text(page) and len(_amount_rows(page)) >= 3)
    # the pages the table runs over: the first, and each next page that goes on with rows
    # of amounts at the top of its text
    table_pages = [first]
    for page in pages[first.number :]:
        rows = _amount_rows(page)
        body = page.body()
        if len(rows) < 3 or not body:
            break
        top_of_text = min(word.y_min for word in body)
        if min(row[0].y_min for row in rows) - top_of_text > 80:
            break  # rows of another table further down the page
        table_pages.append(page)
    for page in table_pages:
        assert header in text(page), f"page {page.number} of {document}.pdf lacks the header"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.sphinx
@pytest.mark.slow
def test_tables_are_captioned_headers_unhyphenated_and_inside_the_text_block(
    sample: Path, language: str
) -> None:
    for document in DOCUMENTS:
        pdf = _pdf(sample, language, document)
        log = pdf.parent.parent.parent / ".work/pdf" / language / f"{document}.log"
        log_text = log.read_text("utf-8", "replace")
        assert "Overfull \\hbox" not in log_text
        tex = (log.with_suffix(".tex")).read_text("utf-8")
        # every generated table takes our column spec, adding up to the text block
        for spec in re.findall(r"\\begin\{longtable\}(?:\[[^\]]*\])?\{(.*)\}\n", tex):
            shares = re.findall(r"\\X\{(\d+)\}\{1000\}", spec)
            if shares:
                assert sum(map(int, shares)) == 1000
    # captions are numbered through each document from 1, only the captioned tables
    for document in ("programme_budget", "implementation_report"):
        text = _layout(_pdf(sample, language, document))
        caption = r"表 ?(\d+)\s+(?![–\s])" if language == "zh_CN" else r"Table (\d+)\. "
        numbers = [int(n) for n in re.findall(caption, text)]
        assert numbers and numbers == list(range(1, len(numbers) + 1)), numbers
        # a table with no caption has no number on the page it continues on either
        continued = r"(?:表|Table) ?(\d+) – "
        assert {int(n) for n in re.findall(continued, text)} <= set(numbers)
    # no header of a generated table breaks a word with a hyphen
    for page in _pages(_pdf(sample, language, "programme_budget")):
        for word in page.words:
            assert not re.fullmatch(r"(Regu|Bud|Extra-bud|Re-|To-|Eu-|Cen-)\S*-", word.text)


# --- page fill and IDs ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.sphinx
@pytest.mark.slow
def test_no_page_is_less_than_a_third_full_but_the_last(
    sample: Path, language: str, document: str
) -> None:
    """Parts run on, so only the last page (and at most one other) may end early."""
    pages = _pages(_pdf(sample, language, document))
    top, bottom = 0.084, 0.916  # the text block: 2.5 cm margins on A4
    short = []
    for page in pages[:-1]:
        body = page.body()
        reach = max((word.y_max for word in body), default=0.0) / page.height
        if (reach - top) / (bottom - top) < 1 / 3:
            short.append(page.number)
    assert len(short) <= 1, short


_ID = re.compile(r"\b[A-Z]{2,5}(?:_[A-Z0-9]+)+\b")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.sphinx
@pytest.mark.slow
def test_no_line_is_a_wall_of_ids(sample: Path, language: str, document: str) -> None:
    for line in _layout(_pdf(sample, language, document)).splitlines():
        assert len(_ID.findall(line)) <= 5, line


# --- fast checks of the pieces ---------------------------------------------------------------


def test_document_entries_are_checked_one_message_per_problem() -> None:
    good = {"name": "spf", "start": "spf/index", "title": "SPF", "symbol": "GB.1/1"}
    assert check_documents([good]) == []
    problems = check_documents(
        [
            {**good, "comittee": "PFA"},
            {**good, "name": "pb", "committee_abbreviation": "PFA"},
            {**good, "name": "ir", "purpose": ""},
            {**good, "title": 3},
            "spf",
        ]
    )
    assert problems == [
        "rbmdocs_documents[1] has an unknown key 'comittee' (known: name, start, symbol, "
        "committee_abbreviation, title, subtitle, body, session, date, place, committee, "
        "purpose, item, subject, keywords)",
        "rbmdocs_documents[2] has 'committee_abbreviation' but no 'committee'; the masthead "
        "prints them together",
        "rbmdocs_documents[3]['purpose'] must be a non-empty text, not ''",
        "rbmdocs_documents[4] needs a text 'title'",
        "rbmdocs_documents[4]: name 'spf' is also the name of rbmdocs_documents[1]; each PDF "
        "needs its own",
        "rbmdocs_documents[5] must be a dict, not 'spf'",
    ]


def test_table_columns_fill_the_text_block_and_hold_their_header_words() -> None:
    headers = ["Immediate outcome", "Africa", "Americas", "Total resources (US$)"]
    spec = latex_colspec(headers, 1, [12, 1, 1, 2])
    shares = [int(share) for share in re.findall(r"\\X\{(\d+)\}\{1000\}", spec)]
    assert sum(shares) == 1000
    assert spec.count(r"\raggedleft") == 3 and spec.count(r"\raggedright") == 1
    # "Americas" gets more than its 1/16 of the width: it is never hyphenated
    assert shares[2] > 1000 / 16
    assert shares[0] > shares[2]


def test_a_table_set_small_needs_less_room_for_its_header_words() -> None:
    usual = latex_colspec(["Region", "Americas"], None, [15, 1])
    small = latex_colspec(["Region", "Americas"], None, [15, 1], wide=True)
    assert usual != small


@pytest.mark.sphinx
def test_an_edit_renumbers_the_pages_after_it(copy_root: Callable[[str], Path]) -> None:
    """Adding a paragraph to one page moves the numbers of the next page, not read again."""
    root = copy_root("i18n")
    budget = root / "budget.md"
    budget.write_text(
        budget.read_text("utf-8").replace("# Budget\n", "# Budget\n\nThe budget.\n", 1), "utf-8"
    )

    def build() -> list[int]:
        app = SphinxTestApp("html", srcdir=root, status=io.StringIO(), warning=io.StringIO())
        try:
            app.build()
        finally:
            app.cleanup()
        page = BeautifulSoup((root / "_build/html/budget.html").read_text("utf-8"), "html.parser")
        return [int(n.get_text().rstrip(".")) for n in page.select(".rbmdocs-para-number")]

    before = build()
    assert before
    framework = root / "framework.md"
    text = framework.read_text("utf-8")
    framework.write_text(
        text.replace("# Framework\n", "# Framework\n\nA new first paragraph.\n", 1)
    )
    assert build() == [number + 1 for number in before]


@pytest.mark.sphinx
def test_paragraphs_after_a_table_of_contents_come_after_the_pages_it_includes(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("i18n")
    index = root / "index.md"
    index.write_text(
        index.read_text("utf-8").replace("# Minimal results framework\n", "# Minimal\n\nOpening.\n")
        + "\nClosing.\n",
        "utf-8",
    )
    app = SphinxTestApp("html", srcdir=root, status=io.StringIO(), warning=io.StringIO())
    try:
        app.build()
    finally:
        app.cleanup()

    def numbers(page: str) -> dict[str, int]:
        html = BeautifulSoup((root / "_build/html" / page).read_text("utf-8"), "html.parser")
        return {
            number.parent.get_text()[len(number.get_text()) :].strip(): int(
                number.get_text().rstrip(".")
            )
            for number in html.select(".rbmdocs-para-number")
        }

    start, framework = numbers("index.html"), numbers("framework.html")
    assert start["Opening."] == 1
    assert sorted(framework.values()) == list(range(2, 2 + len(framework)))
    assert start["Closing."] == 2 + len(framework)


@pytest.mark.sphinx
def test_our_pdf_builder_has_its_own_name_and_latex_stays_sphinx_s(
    copy_root: Callable[[str], Path],
) -> None:
    """Issue 19: no global override of Sphinx's latex builder or its translator."""
    root = copy_root("i18n")
    expected = {
        "latex": (LaTeXBuilder, LaTeXTranslator),
        BUILDER_NAME: (DocumentLaTeXBuilder, DocumentLaTeXTranslator),
    }
    for name, (builder_class, translator_class) in expected.items():
        app = SphinxTestApp(name, srcdir=root, status=io.StringIO(), warning=io.StringIO())
        try:
            assert type(app.builder) is builder_class
            assert app.builder.get_translator_class() is translator_class
        finally:
            app.cleanup()
