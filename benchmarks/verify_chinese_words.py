"""Check that the Chinese search's words, as kept and as split without jieba's dictionary,
are Sphinx's own, on every text a Chinese build indexed.

    python benchmarks/verify_chinese_words.py PROJECT [PROJECT ...]

Each PROJECT must have been built in Chinese (``rbmdocs build --lang zh_CN --format
html``): its ``_build/.doctrees/zh_CN/rbmdocs-chinese-search-words.json`` holds every text
the search index split. For each text, Sphinx's ``SearchChinese.split`` (jieba with its
full dictionary and the search dictionary) is compared with the kept words and, for a text
without a Chinese character, with ``ChineseSearch.split_without_dictionary``; so are the
Latin terms each notes, and the index words (stemmed and filtered as Sphinx's
``IndexBuilder.feed`` does). Prints the counts and every difference. Not part of the tests
(``tests/test_chinese_build.py`` does the same on a test project).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from rbmdocs.sphinx.chinese_search import WORDS_FILE, ChineseSearch, expect_words_file
from rbmdocs.sphinx.languages import ZH_SEARCH_DICTIONARY
from sphinx.search.zh import SearchChinese


def index_words(search: SearchChinese, words: list[str]) -> set[str]:
    """The words ``IndexBuilder.feed`` would index for ``words`` (its stem and filter)."""
    kept = set()
    for word in words:
        stemmed = search.stem(word).lower()
        if not search.word_filter(stemmed) and search.word_filter(word):
            stemmed = word
        if search.word_filter(stemmed):
            kept.add(stemmed)
    return kept


def main(projects: list[str]) -> int:
    options = {"dict": str(ZH_SEARCH_DICTIONARY)}
    differences = 0
    for project in projects:
        stored = json.loads(
            (Path(project) / "_build/.doctrees/zh_CN" / WORDS_FILE).read_text("utf-8")
        )
        texts: dict[str, list[list[str]]] = stored["texts"]
        sphinx_own = SearchChinese(options)
        with tempfile.TemporaryDirectory() as scratch:
            expect_words_file(Path(scratch) / WORDS_FILE)
            ours = ChineseSearch(options)
            ours.split("就业")  # loads the dictionaries, as the first Chinese text of a build
            without_dictionary = 0
            for text, (words, latin) in texts.items():
                before = set(sphinx_own.latin_terms)
                expected = sphinx_own.split(text)
                sphinx_own.latin_terms = before | set(sphinx_own.latin_terms)
                expected_latin = {t.strip() for t in sphinx_own.latin1_letters.findall(text)}
                if words != expected or set(latin) != expected_latin:
                    differences += 1
                    print(f"kept differs: {text!r}: {words} {latin} vs {expected}")
                split = ours.split_without_dictionary(text)
                if split is None:
                    continue
                without_dictionary += 1
                if list(split[0]) != expected or set(split[1]) != expected_latin:
                    differences += 1
                    print(f"without dictionary differs: {text!r}: {split} vs {expected}")
                if index_words(sphinx_own, list(split[0])) != index_words(sphinx_own, expected):
                    print(f"index words differ: {text!r}")
        print(
            f"{project}: {len(texts)} texts, {without_dictionary} without a Chinese character "
            f"split without the dictionary; non-Chinese dictionary words: "
            f"{stored['non_chinese_words']}"
        )
    print(f"differences: {differences}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
