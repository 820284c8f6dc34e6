"""The side-by-side edition (issue 20 item 7): ``rbmdocs build --edition parallel``.

Built with the CLI from ``tests/roots/test-bienniums``, whose Chinese catalogue translates
every paragraph but one. The oracle is the catalogue itself: every translated paragraph
(a message of a page, a sentence of five words or more) must face its translation — in
one row of the HTML, and starting on the same page and at the same height in the PDF
(pdftotext ``-bbox``) — and the untranslated one must be marked, not left blank.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup, Tag
from rbmdocs.cli import main
from rbmdocs.render.labels import label
from web import chromium, served_folder

pytestmark = pytest.mark.sphinx

MARK = label("parallel.untranslated", "zh_CN")
UNTRANSLATED = "The Office reports on every indicator of every immediate outcome."


@dataclass(frozen=True)
class Message:
    """A paragraph of a page and its Chinese translation ("" when there is none)."""

    page: str
    english: str
    chinese: str


def _paragraph_messages(root: Path) -> list[Message]:
    """The sentences of the pages (not titles, values or conf.py texts) in the catalogues."""
    found: list[Message] = []
    for path in sorted((root / "locales/zh_CN/LC_MESSAGES").glob("*.po")):
        with path.open("rb") as stream:
            catalogue = read_po(stream, locale="zh_CN")
        for message in catalogue:
            text = str(message.id)
            pages = [where for where, _line in message.locations if where.endswith(".md")]
            if pages and text.endswith(".") and len(text.split()) >= 5:
                found.append(Message(pages[0].removesuffix(".md"), text, str(message.string)))
    return found


def _packed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test root with its parallel edition built in HTML (and PDF when TeX is there)."""
    root = tmp_path_factory.mktemp("parallel") / "bienniums"
    shutil.copytree(Path(__file__).parent / "roots" / "test-bienniums", root)
    formats = "all" if shutil.which("xelatex") else "html"
    assert main(["build", "--source", str(root), "--edition", "parallel", "--format", formats]) == 0
    return root


def _pairs(root: Path, page: str) -> list[Tag]:
    html = (root / "_build/html/parallel" / f"{page}.html").read_text("utf-8")
    return BeautifulSoup(html, "html.parser").select("div.rbmdocs-pair")


def _sides(pair: Tag) -> tuple[Tag, Tag]:
    left, right = pair.select(":scope > div.rbmdocs-side")
    return left, right


def test_the_catalogue_is_a_fair_oracle(edition: Path) -> None:
    messages = _paragraph_messages(edition)
    assert len(messages) >= 8
    assert [m.english for m in messages if not m.chinese] == [UNTRANSLATED]


def test_each_paragraph_faces_its_translation_in_one_html_row(edition: Path) -> None:
    for message in _paragraph_messages(edition):
        if not message.chinese:
            continue
        rows = [
            pair
            for pair in _pairs(edition, message.page)
            if _packed(message.english) in _packed(_sides(pair)[0].get_text())
        ]
        assert len(rows) == 1, message.english
        left, right = _sides(rows[0])
        assert left["lang"] == "en" and right["lang"] == "zh-CN"
        assert _packed(message.chinese) in _packed(right.get_text()), message.english
        assert MARK not in right.get_text()


def test_headings_pair_inside_their_title(edition: Path) -> None:
    soup = BeautifulSoup(
        (edition / "_build/html/parallel/framework.html").read_text("utf-8"), "html.parser"
    )
    headings = [
        [side.get_text(strip=True) for side in heading.select(".rbmdocs-title-side")]
        for heading in soup.select("h1, h2")
    ]
    assert ["Framework", "框架"] in headings
    assert ["Outcome 1: Employment policies", "成果1：就业政策"] in headings


def test_need_presentations_and_tables_are_aligned(edition: Path) -> None:
    # a need: its box in each language, in one row
    needs = [
        pair
        for pair in _pairs(edition, "framework")
        if "Employment policies adopted" in _sides(pair)[0].get_text()
    ]
    assert needs and "通过就业政策" in _sides(needs[0])[1].get_text()
    # a table: one language above the other, both in the pair
    tables = [pair for pair in _pairs(edition, "across") if pair.select("table")]
    assert tables and all("rbmdocs-pair-stacked" in pair["class"] for pair in tables)
    left, right = _sides(tables[0])
    assert "Indicator" in left.get_text() and "指标" in right.get_text()


def test_an_untranslated_paragraph_is_marked(edition: Path) -> None:
    rows = [pair for pair in _pairs(edition, "index") if UNTRANSLATED in _sides(pair)[0].get_text()]
    assert len(rows) == 1
    right = _sides(rows[0])[1]
    mark = right.select_one(".rbmdocs-untranslated-mark")
    assert mark is not None and mark.get_text() == MARK
    assert right.select_one("p.rbmdocs-untranslated") is not None
    # translated paragraphs carry no mark
    assert sum(MARK in _sides(p)[1].get_text() for p in _pairs(edition, "index")) == 1


# --- the PDF ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    page: int
    x: float
    y: float
    text: str


def _words(pdf: Path) -> list[Word]:
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words: list[Word] = []
    for page, body in enumerate(xml.split("<page ")[1:], start=1):
        for x, y, text in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', body):
            words.append(Word(page, float(x), float(y), text))
    return words


def _english_start(words: list[Word], text: str, middle: float) -> Word:
    """The first word of the paragraph whose first three words follow each other."""
    first = text.split()[:3]
    for index in range(len(words) - 2):
        run = words[index : index + 3]
        if [w.text for w in run] == first and run[0].x < middle:
            return run[0]
    raise AssertionError(f"not in the PDF: {text}")


def _chinese_start(words: list[Word], text: str, middle: float) -> Word:
    prefix = ""
    for character in text:
        if not unicodedata.name(character, "").startswith("CJK UNIFIED"):
            break
        prefix += character
    assert len(prefix) >= 4, text
    for word in words:
        if word.x > middle and word.text.startswith(prefix[:6]):
            return word
    raise AssertionError(f"not in the PDF: {text}")


def test_each_paragraph_and_its_translation_start_on_the_same_page(edition: Path) -> None:
    pdf = edition / "_build/pdf/parallel/report.pdf"
    if not pdf.is_file():
        pytest.skip("no TeX: the PDF was not built")
    words = _words(pdf)
    middle = 297.6  # the middle of an A4 page, in points
    compared = 0
    for message in _paragraph_messages(edition):
        if not message.chinese or not unicodedata.name(message.chinese[0], "").startswith("CJK"):
            continue
        english = _english_start(words, message.english, middle)
        chinese = _chinese_start(words, message.chinese, middle)
        assert english.page == chinese.page, message.english
        # and at the same height: the columns start together (CJK type sits a little higher)
        assert abs(english.y - chinese.y) < 4, (message.english, english, chinese)
        compared += 1
    assert compared >= 6
    # the untranslated paragraph: the mark stands in the right column, beside the English
    english = _english_start(words, UNTRANSLATED, middle)
    marks = [w for w in words if w.text == MARK and w.page == english.page and w.x > middle]
    assert marks and abs(marks[0].y - english.y) < 4


def test_the_pdf_has_a_bilingual_title_and_paired_part_headings(edition: Path) -> None:
    pdf = edition / "_build/pdf/parallel/report.pdf"
    if not pdf.is_file():
        pytest.skip("no TeX: the PDF was not built")
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Programme implementation report" in first and "计划执行情况报告" in first
    assert re.search(r"II\.\s+Framework\s+框架", first)  # the contents: one line per part
    # a captioned table and its translation below it share one number, each in its words
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Table 1\. Resources by immediate outcome", text)
    assert re.search(r"表 1\. 2010-11 年按即时成果", text)
    assert "Table 2" not in text and "表 2" not in text
    words = _words(pdf)
    framework = next(w for w in words if w.text == "Framework" and w.page > 1)
    chinese = next(w for w in words if w.text == "框架" and w.page == framework.page)
    assert abs(framework.y - chinese.y) < 4 and chinese.x > 297.6


# --- bad input and the browser ------------------------------------------------------------


def test_a_project_in_one_language_says_what_to_add(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    code = main(["build", "--source", str(root), "--edition", "parallel", "--format", "html"])
    error = capsys.readouterr().err
    assert code == 2
    assert "--edition parallel needs a second language" in error
    assert "rbmdocs_languages" in error and "Traceback" not in error
    assert not (root / "_build/html/parallel").exists()


@pytest.fixture
def served(edition: Path) -> Iterator[str]:
    with served_folder(edition / "_build/html/parallel") as url:
        yield url


@pytest.mark.slow
def test_a_reader_sees_both_languages_in_one_row(served: str) -> None:
    artifacts = Path(__file__).parent / "_artifacts" / "browser"
    artifacts.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        for width, side_by_side in ((1280, True), (420, False)):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{served}/framework.html")
            row = page.locator("div.rbmdocs-pair").filter(has_text="economic planning")
            english = row.locator(":scope > div.rbmdocs-side[lang=en]").bounding_box()
            chinese = row.locator(":scope > div.rbmdocs-side[lang=zh-CN]").bounding_box()
            assert english and chinese
            assert row.locator("text=经济规划中心").is_visible()
            if side_by_side:  # one row: the Chinese beside the English, starting level
                assert chinese["x"] >= english["x"] + english["width"]
                assert abs(chinese["y"] - english["y"]) < 2
                # and the heading's Chinese half stands over the Chinese column
                heading = page.locator("h1 .rbmdocs-title-side[lang=zh-CN]").bounding_box()
                assert heading and abs(heading["x"] - chinese["x"]) < 2
            else:  # a narrow screen: the Chinese right under its English
                assert chinese["y"] >= english["y"] + english["height"] - 1
            page.screenshot(path=str(artifacts / f"parallel-{width}.png"))
            page.close()


def test_bad_data_stops_the_edition_with_one_message(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("bienniums")
    (root / "data/dwcp/GHA.yaml").write_text("id: DWCP_GHA\ncountry: [unclosed\n", "utf-8")
    code = main(["build", "--source", str(root), "--edition", "parallel", "--format", "html"])
    error = capsys.readouterr().err
    assert code == 2
    assert "data/dwcp/GHA.yaml:" in error and "Traceback" not in error
    assert not (root / "_build/html/parallel").exists()


def test_the_summary_counts_what_awaits_translation(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("bienniums")
    code = main(["build", "--source", str(root), "--edition", "parallel", "--format", "html"])
    printed = capsys.readouterr()
    line = printed.out.strip().splitlines()[-1]
    assert code == 0
    assert printed.err == ""  # not one warning from either language's build
    assert line.startswith("html (parallel: en | zh_CN): 28 needs, ")
    # the one paragraph the catalogue leaves untranslated, on the start page
    assert "(1 marked untranslated)" in line
    assert line.endswith("→ _build/html/parallel/index.html")
