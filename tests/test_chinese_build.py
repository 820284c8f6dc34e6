"""What a Chinese build pays once instead of per page or per build: the pinyin keys of
the names it sorts (kept for the next build), the words of each distinct text in the
search index (split once)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rbmdocs.render.collation import sort_key
from rbmdocs.sphinx.languages import CHINESE_SORT_KEYS_FILE, ZH_SEARCH_DICTIONARY

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
