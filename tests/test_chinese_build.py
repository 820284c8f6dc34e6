"""What a Chinese build pays once instead of per page or per build: the pinyin keys of
the names it sorts (kept for the next build), the words of each distinct text in the
search index (split once, and kept for the next build, which loads jieba's dictionary only
for a Chinese text it has not split before), the check of the catalogues (again only when
one changed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rbmdocs.render.collation import sort_key
from rbmdocs.sphinx.chinese_search import WORDS_FILE
from rbmdocs.sphinx.languages import CHINESE_SORT_KEYS_FILE, ZH_SEARCH_DICTIONARY
from rbmdocs.sphinx.run import CATALOGUES_CHECKED_FILE

pytestmark = pytest.mark.sphinx

_BUILD_AND_SAY_IF_PYPINYIN_LOADED = (
    "import sys\n"
    "from rbmdocs.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(code, 'pypinyin' in sys.modules)\n"
)


def _build_zh(root: Path) -> str:
    """A Chinese HTML build of ``root`` in its own process: "0 True" if it loaded pypinyin."""
    arguments = ["build", "--source", str(root), "--lang", "zh_CN", "--format", "html"]
    command = [sys.executable, "-c", _BUILD_AND_SAY_IF_PYPINYIN_LOADED, *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return output.strip().splitlines()[-1]


def _pages(root: Path) -> dict[str, str]:
    folder = root / "_build/html/zh_CN"
    return {
        path.relative_to(folder).as_posix(): path.read_text("utf-8")
        for path in sorted(folder.rglob("*.html"))
    }


def test_an_incremental_chinese_build_sorts_with_the_keys_of_the_last_one(
    copy_root: Callable[[str], Path], tmp_path: Path
) -> None:
    """The keys of the names a build sorted are kept; the next build sorts with them,
    without pypinyin, into the same pages as a build that computes them afresh."""
    root = copy_root("i18n")
    assert _build_zh(root) == "0 True"
    kept = json.loads((root / "_build/.doctrees/zh_CN" / CHINESE_SORT_KEYS_FILE).read_text())
    assert kept["keys"]["加纳"] == [["jia", "na"], [1, 4]]
    assert tuple(tuple(part) for part in kept["keys"]["加纳"]) == sort_key("加纳", "zh_CN")[:2]

    # the same edit of the DWCP (a new priority title, which its pages and the tables
    # by country show), built with the kept keys and without them
    with_keys, without_keys = tmp_path / "with", tmp_path / "without"
    for copy in (with_keys, without_keys):
        shutil.copytree(root, copy)
        dwcp = copy / "data/dwcp/GHA.yaml"
        dwcp.write_text(dwcp.read_text("utf-8").replace("青年就业}", "青年体面就业}"), "utf-8")
    (without_keys / "_build/.doctrees/zh_CN" / CHINESE_SORT_KEYS_FILE).unlink()

    assert _build_zh(with_keys) == "0 False"
    assert _build_zh(without_keys) == "0 True"
    pages = _pages(with_keys)
    assert "青年体面就业" in pages["data/dwcp/GHA.html"]
    assert pages == _pages(without_keys)


def test_keys_of_another_pypinyin_or_a_broken_file_are_computed_again(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("i18n")
    assert _build_zh(root) == "0 True"
    keys_file = root / "_build/.doctrees/zh_CN" / CHINESE_SORT_KEYS_FILE
    kept = json.loads(keys_file.read_text())
    dwcp = root / "data/dwcp/GHA.yaml"
    for round_number, content in enumerate(
        (json.dumps({**kept, "pypinyin": "0.0.1"}), '{"pypinyin": "', "[]")
    ):
        keys_file.write_text(content, "utf-8")
        # an edit, so that the DWCP's pages and the tables by country are made again
        dwcp.write_text(dwcp.read_text("utf-8") + f"# edit {round_number}\n", "utf-8")
        assert _build_zh(root) == "0 True", content
        assert json.loads(keys_file.read_text()) == kept


def test_the_chinese_search_splits_a_text_seen_before_into_the_same_words() -> None:
    from rbmdocs.sphinx.chinese_search import ChineseSearch
    from sphinx.search.zh import SearchChinese

    options = {"dict": str(ZH_SEARCH_DICTIONARY)}
    ours, sphinx_own = ChineseSearch(options), SearchChinese(options)
    texts = [
        "促进实现 IO_1 baseline",
        "：",
        "青年就业政策 Youth employment",
        "促进实现 IO_1 baseline",
    ]
    for text in texts * 2:
        assert ours.split(text) == sphinx_own.split(text)
    assert ours.latin_terms == sphinx_own.latin_terms
    words = ours.split(texts[0])
    words.append("changed by a caller")  # what one caller does to its list stays its own
    assert ours.split(texts[0]) == sphinx_own.split(texts[0])


# --- the search index's words kept across builds --------------------------------------

_BUILD_AND_SAY_IF_JIEBA_LOADED_ITS_DICTIONARY = (
    "import sys\n"
    "from rbmdocs.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "import jieba\n"
    "print(code, jieba.dt.initialized)\n"
)


def _build_zh_jieba(root: Path, *options: str) -> str:
    """A Chinese HTML build of ``root`` in its own process: "0 True" if jieba loaded its
    dictionary."""
    arguments = ["build", "--source", str(root), "--lang", "zh_CN", "--format", "html", *options]
    command = [sys.executable, "-c", _BUILD_AND_SAY_IF_JIEBA_LOADED_ITS_DICTIONARY, *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return output.strip().splitlines()[-1]


def _search_index(root: Path) -> dict[str, object]:
    """The Chinese site's search index, without the words no page has any more.

    Sphinx leaves a word whose pages were all written again without it in the index of an
    incremental build, with no page (``[]``); a fresh build has no such entry. Search
    finds nothing with either, so they are left out of the comparison.
    """
    text = (root / "_build/html/zh_CN/searchindex.js").read_text("utf-8")
    index: dict[str, object] = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    for key in ("terms", "titleterms"):
        terms = index[key]
        assert isinstance(terms, dict)
        index[key] = {word: pages for word, pages in terms.items() if pages != []}
    return index


def _edit_in_english(root: Path, number: int) -> None:
    """What a drafter does: a paragraph and a DWCP title reworded, in English, which the
    Chinese build shows untranslated."""
    page = root / "budget.md"
    page.write_text(page.read_text("utf-8") + f"\nA new paragraph (draft {number}).\n", "utf-8")
    dwcp = root / "data/dwcp/GHA.yaml"
    dwcp.write_text(
        dwcp.read_text("utf-8").replace(
            "title: {en: Jobs for young people, zh_CN: 青年就业}",
            f"title: Decent jobs for young people, round {number}",
        ),
        "utf-8",
    )


def test_a_chinese_build_after_an_english_edit_does_not_load_jiebas_dictionary(
    copy_root: Callable[[str], Path], tmp_path: Path
) -> None:
    root = copy_root("i18n")
    assert _build_zh_jieba(root) == "0 True"
    kept = json.loads((root / "_build/.doctrees/zh_CN" / WORDS_FILE).read_text("utf-8"))
    assert kept["texts"]["通过青年就业政策"][0] == ["通过", "青年", "就业", "政策"]

    _edit_in_english(root, 1)
    assert _build_zh_jieba(root) == "0 False"  # every new text without Chinese
    assert "Decent jobs for young people, round 1" in _pages(root)["data/dwcp/GHA.html"]

    # the same sources built afresh: the same pages, the same search index
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("_build"))
    assert _build_zh_jieba(fresh) == "0 True"
    assert _pages(root) == _pages(fresh)
    assert _search_index(root) == _search_index(fresh)
    assert "draft" in _search_index(root)["terms"]  # type: ignore[operator]

    # a Chinese text the last build did not split needs the dictionary
    dwcp = root / "data/dwcp/GHA.yaml"
    dwcp.write_text(dwcp.read_text("utf-8").replace("round 1", "第二轮"), "utf-8")
    assert _build_zh_jieba(root) == "0 True"
    assert _build_zh_jieba(root) == "0 False"
    # --fresh leaves what the last build kept aside, as it does the rest of the cache
    assert _build_zh_jieba(root, "--fresh") == "0 True"


@pytest.mark.parametrize(
    "content",
    ['{"stamp": ', "[]", "null", '{"stamp": {}, "texts": {}}', "STAMP OF ANOTHER JIEBA"],
)
def test_kept_words_of_another_jieba_or_a_broken_file_are_split_again(
    content: str, copy_root: Callable[[str], Path]
) -> None:
    root = copy_root("i18n")
    assert _build_zh_jieba(root) == "0 True"
    words_file = root / "_build/.doctrees/zh_CN" / WORDS_FILE
    kept = json.loads(words_file.read_text("utf-8"))
    if content == "STAMP OF ANOTHER JIEBA":
        content = json.dumps({**kept, "stamp": {**kept["stamp"], "jieba": "0.0.1"}})
    words_file.write_text(content, "utf-8")
    before = _pages(root)

    _edit_in_english(root, 1)
    arguments = ["build", "--source", str(root), "--lang", "zh_CN", "--format", "html"]
    result = subprocess.run(
        [sys.executable, "-c", _BUILD_AND_SAY_IF_JIEBA_LOADED_ITS_DICTIONARY, *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == "0 True"
    assert "Traceback" not in result.stderr
    assert WORDS_FILE not in result.stderr + result.stdout
    rewritten = json.loads(words_file.read_text("utf-8"))
    assert rewritten["stamp"] == kept["stamp"]
    assert "Decent jobs for young people, round 1" in rewritten["texts"]
    assert _pages(root)["index.html"] == before["index.html"]


#: Texts without a Chinese character that jieba might cut otherwise than by Latin runs:
#: decimals, percentages, ``_`` and ``-`` inside words, its dictionary's ``C++`` and
#: ``AT&T``, accents, full-width and curly punctuation, line ends, digits alone.
_TEXTS_WITHOUT_CHINESE = [
    "IO_1 contributes to CPO_GHA_101",
    "Coverage rose from 2.5% to 10.75% in 2016-17 (target: 50 %).",
    "People’s well-being — “decent work” for all; Côte d’Ivoire, São Tomé",
    "C++ and C# programmers at AT&T",
    "c++",
    "ABC.DEF...GHI -- x-y_z #1 & 100%% 3.14.15",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ，１２３。",
    "line one\r\nline two\n\ttabbed",
    "2016",
    "a",
    "",
    "ひらがな カタカナ only kana",  # kana: no character of jieba's Chinese range
]


def test_texts_without_chinese_are_split_as_sphinx_splits_them(tmp_path: Path) -> None:
    """``split_without_dictionary`` gives Sphinx's own words, or declines."""
    from rbmdocs.sphinx.chinese_search import ChineseSearch, expect_words_file
    from sphinx.search.zh import SearchChinese

    options = {"dict": str(ZH_SEARCH_DICTIONARY)}
    sphinx_own = SearchChinese(options)
    expect_words_file(tmp_path / WORDS_FILE)
    ours = ChineseSearch(options)
    assert ours.split_without_dictionary("IO_1") is None  # the dictionary is not known yet
    ours.split("体面劳动")
    compared = 0
    for text in _TEXTS_WITHOUT_CHINESE:
        split = ours.split_without_dictionary(text)
        if "C++" in text or "c++" in text or "AT&T" in text:
            assert split is None, text
            continue
        assert split is not None, text
        assert list(split[0]) == sphinx_own.split(text), text
        assert set(split[1]) == {term.strip() for term in sphinx_own.latin1_letters.findall(text)}
        compared += 1
    assert compared == len(_TEXTS_WITHOUT_CHINESE) - 2
    assert ours.split_without_dictionary("促进实现 IO_1") is None


def test_every_text_of_a_build_is_split_as_sphinx_splits_it(
    copy_root: Callable[[str], Path], tmp_path: Path
) -> None:
    """The words kept by a build, and those split without the dictionary, are Sphinx's."""
    from rbmdocs.sphinx.chinese_search import ChineseSearch, expect_words_file
    from sphinx.search.zh import SearchChinese

    root = copy_root("i18n")
    _edit_in_english(root, 1)
    assert _build_zh_jieba(root) == "0 True"
    texts = json.loads((root / "_build/.doctrees/zh_CN" / WORDS_FILE).read_text("utf-8"))["texts"]
    options = {"dict": str(ZH_SEARCH_DICTIONARY)}
    sphinx_own = SearchChinese(options)
    expect_words_file(tmp_path / WORDS_FILE)
    ours = ChineseSearch(options)
    ours.split("体面劳动")
    without_dictionary = 0
    for text, (words, _latin) in texts.items():
        expected = sphinx_own.split(text)
        assert words == expected, text
        split = ours.split_without_dictionary(text)
        if split is not None:
            assert list(split[0]) == expected, text
            without_dictionary += 1
    assert without_dictionary > 20
    assert any("round 1" in text for text in texts)


# --- the catalogues checked once --------------------------------------------------------


def _build_fr(root: Path) -> subprocess.CompletedProcess[str]:
    arguments = ["build", "--source", str(root), "--lang", "fr", "--format", "html"]
    return subprocess.run(
        [sys.executable, "-m", "rbmdocs", *arguments], capture_output=True, text=True, check=False
    )


def test_a_catalogue_is_checked_again_when_it_or_our_code_changed(
    copy_root: Callable[[str], Path],
) -> None:
    """The catalogues found good are remembered by size and time with a stamp of our code;
    a catalogue broken since, or a record of other code, is read again and stops the build
    at its line."""
    root = copy_root("i18n")
    assert _build_fr(root).returncode == 0
    record_file = root / "_build/.doctrees/fr" / CATALOGUES_CHECKED_FILE
    record = json.loads(record_file.read_text("utf-8"))
    assert sorted(record["files"]) == [
        f"locales/fr/LC_MESSAGES/{name}.po"
        for name in ("budget", "dwcps", "framework", "index", "rbmdocs")
    ]

    po = root / "locales/fr/LC_MESSAGES/budget.po"
    good = po.read_text("utf-8")
    po.write_text(good + '\nmsgid "Unclosed\nmsgstr "x"\n', "utf-8")
    broken = _build_fr(root)
    assert broken.returncode == 2
    assert "locales/fr/LC_MESSAGES/budget.po:" in broken.stderr.splitlines()[0]
    assert "Traceback" not in broken.stderr

    # a record that says the broken file, as it is now, was found good by other code
    status = po.stat()
    record["files"]["locales/fr/LC_MESSAGES/budget.po"] = [status.st_mtime_ns, status.st_size]
    record_file.write_text(json.dumps({**record, "code": "other code"}), "utf-8")
    assert _build_fr(root).returncode == 2

    po.write_text(good, "utf-8")
    record_file.write_text("{broken", "utf-8")
    assert _build_fr(root).returncode == 0
    assert json.loads(record_file.read_text("utf-8"))["code"] == record["code"]
