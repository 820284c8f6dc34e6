"""What a one-file rebuild keeps of the DWCP pages: their search content and parsed data.

Each programme's page is fed to Sphinx's search index on every build (the index drops
every page that is no document as it is written); what a page gives the index is kept
beside the doctrees and made again only when the page's data changed. The parsed DWCP
files are kept in shards, so an edit rewrites one. Each test builds a real project with
the CLI (the minimal root, Kenya beside Ghana) and reads the search index it writes.
"""

from __future__ import annotations

import json
import marshal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rbmdocs.cli import main
from rbmdocs.sphinx.dwcp_data import CACHE_FOLDER, cache_shard
from rbmdocs.sphinx.dwcp_pages import SEARCH_CACHE_FILE
from test_dwcp_pages import _project

pytestmark = pytest.mark.sphinx


def _build(root: Path, language: str = "en", *extra: str) -> None:
    command = ["build", "--source", str(root), "--lang", language, "--format", "html"]
    assert main([*command, *extra]) == 0


def _index(root: Path, language: str = "en") -> dict[str, Any]:
    """The site's search index, as the search page reads it."""
    text = (root / f"_build/html/{language}/searchindex.js").read_text("utf-8")
    found: dict[str, Any] = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return found


def _as_searched(index: dict[str, Any]) -> dict[str, Any]:
    """The index without the words no page holds any more.

    Sphinx's index, built incrementally, keeps each word a page lost as an empty list of
    pages (it prunes the pages, not the words): for Markdown documents as for these pages,
    and before this cache as now. The search page finds nothing for such a word, as for
    a word the index lacks; anything else must be equal.
    """
    found = dict(index)
    for key in ("terms", "titleterms"):
        found[key] = {word: pages for word, pages in index[key].items() if pages != []}
    return found


def _pages_with(index: dict[str, Any], term: str, where: str = "terms") -> set[str]:
    """The pages the index gives for a word (as stemmed), in their texts or ``titleterms``."""
    found = index[where].get(term, [])
    numbers = found if isinstance(found, list) else [found]
    return {index["docnames"][number] for number in numbers}


def _edit_kenya(root: Path, old: str, new: str) -> None:
    time.sleep(0.05)  # a new modification time, whatever the file system's resolution
    kenya = root / "data/dwcp/KEN.yaml"
    text = kenya.read_text("utf-8")
    assert old in text
    kenya.write_text(text.replace(old, new), "utf-8")


def _search_cache(root: Path, language: str = "en") -> Path:
    return root / "_build/.doctrees" / language / SEARCH_CACHE_FILE


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_search_index_after_an_edit_is_that_of_a_fresh_build(
    copy_root: Callable[[str], Path], language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(copy_root)
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('rbmdocs_languages = ["en", "zh_CN"]\n')
    _build(root, language)
    _edit_kenya(root, "title: Youth employment", "title: Apprenticeships for youth")
    _edit_kenya(root, "region: africa", "region: asia-pacific")
    _build(root, language)
    index = _index(root, language)
    _build(root, language, "--fresh")
    assert _as_searched(index) == _as_searched(_index(root, language))
    assert "Traceback" not in capsys.readouterr().err

    kenya = index["docnames"].index("data/dwcp/KEN")
    titles = [title for title, _anchor in index["alltitles"]["Apprenticeships for youth"]]
    assert titles == [kenya]
    if language == "en":
        assert "data/dwcp/KEN" in _pages_with(index, "asia")  # its region as the page shows it
        assert "data/dwcp/KEN" not in _pages_with(index, "africa")


def test_an_unchanged_page_s_search_content_is_kept_until_its_file_changes(
    copy_root: Callable[[str], Path],
) -> None:
    """The kept content serves an unchanged page; an edit of its file makes it again."""
    root = _project(copy_root)
    _build(root)
    cache = _search_cache(root)
    stamp, entries = marshal.loads(cache.read_bytes())
    digest, (title, section_id, headings, words) = entries["data/dwcp/KEN"]
    entries["data/dwcp/KEN"] = (digest, (title, section_id, headings, f"{words} quokka"))
    cache.write_bytes(marshal.dumps((stamp, entries)))

    _build(root)  # nothing changed: the page's words are read from the cache
    assert _pages_with(_index(root), "quokka") == {"data/dwcp/KEN"}

    _edit_kenya(root, "title: Youth employment", "title: Jobs for youth")
    _build(root)  # the page changed: its words are made again
    index = _index(root)
    assert _pages_with(index, "quokka") == set()
    assert "data/dwcp/KEN" in _pages_with(index, "job", "titleterms")


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda _stored: b"\x00 not a cache", id="unreadable"),
        pytest.param(lambda _stored: marshal.dumps(("another tool", {})), id="foreign"),
        pytest.param(
            lambda stored: marshal.dumps(
                (stored[0], {page: (digest, ("?",)) for page, (digest, _) in stored[1].items()})
            ),
            id="entries-of-another-shape",
        ),
    ],
)
def test_a_spoilt_search_cache_is_made_again_without_a_word(
    copy_root: Callable[[str], Path],
    spoil: Callable[[Any], bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = _project(copy_root)
    _build(root)
    fresh = (root / "_build/html/en/searchindex.js").read_bytes()
    cache = _search_cache(root)
    cache.write_bytes(spoil(marshal.loads(cache.read_bytes())))
    capsys.readouterr()

    _build(root)
    output = capsys.readouterr()
    assert "Traceback" not in output.err + output.out
    assert "0 warnings" in output.err + output.out
    assert (root / "_build/html/en/searchindex.js").read_bytes() == fresh
    assert "data/dwcp/KEN" in _pages_with(_index(root), "apprenticeship")
    _stamp, entries = marshal.loads(cache.read_bytes())  # written again, whole
    assert set(entries) == {"data/dwcp/GHA", "data/dwcp/KEN"}


def _shards(root: Path) -> dict[str, int]:
    folder = root / "_build/.doctrees/en" / CACHE_FOLDER
    return {path.name: path.stat().st_mtime_ns for path in folder.glob("*.marshal")}


def test_a_one_file_edit_rewrites_one_shard_of_the_dwcp_cache(
    copy_root: Callable[[str], Path],
) -> None:
    root = _project(copy_root)
    _build(root)
    before = _shards(root)
    assert f"{cache_shard('data/dwcp/KEN.yaml'):02d}.marshal" in before

    _edit_kenya(root, "title: Youth employment", "title: Jobs for youth")
    _build(root)
    after = _shards(root)
    rewritten = {name for name, stamp in after.items() if before.get(name) != stamp}
    assert rewritten == {f"{cache_shard('data/dwcp/KEN.yaml'):02d}.marshal"}
    assert "Jobs for youth" in (root / "_build/html/en/data/dwcp/KEN.html").read_text("utf-8")

    _build(root)  # unchanged: no shard written
    assert _shards(root) == after


def test_a_spoilt_dwcp_cache_shard_is_read_again_from_the_files(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(copy_root)
    _build(root)
    for name in _shards(root):
        (root / "_build/.doctrees/en" / CACHE_FOLDER / name).write_bytes(b"\xff spoilt")
    _edit_kenya(root, "title: Youth employment", "title: Jobs for youth")
    capsys.readouterr()

    _build(root)
    output = capsys.readouterr()
    assert "Traceback" not in output.err + output.out
    assert "Jobs for youth" in (root / "_build/html/en/data/dwcp/KEN.html").read_text("utf-8")
    assert "data/dwcp/GHA" in _index(root)["docnames"]
    written = _shards(root)
    _build(root)  # the shards were written again, readable: nothing to write now
    assert _shards(root) == written


def test_a_translated_label_changed_in_the_catalogue_reaches_the_search_index(
    copy_root: Callable[[str], Path],
) -> None:
    """The summary's labels come from the project's ``rbmdocs`` catalogue, not the data."""
    root = copy_root("i18n")
    _build(root, "fr")
    assert "data/dwcp/GHA" in _pages_with(_index(root, "fr"), "région")

    time.sleep(0.05)
    catalogue = root / "locales/fr/LC_MESSAGES/rbmdocs.po"
    text = catalogue.read_text("utf-8")
    assert 'msgid "Region"\nmsgstr "Région"' in text
    catalogue.write_text(text.replace('msgstr "Région"', 'msgstr "Xqzterritoire"'), "utf-8")
    _build(root, "fr")
    index = _index(root, "fr")
    new_words = [term for term in index["terms"] if term.startswith("xqz")]
    assert len(new_words) == 1
    assert "data/dwcp/GHA" in _pages_with(index, new_words[0])
    assert "data/dwcp/GHA" not in _pages_with(index, "région")
