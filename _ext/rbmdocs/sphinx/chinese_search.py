"""The search index of a Chinese build.

A module of its own because importing Sphinx's Chinese search imports jieba (when it is
installed), which only a Chinese build needs: ``languages.configure_chinese_search``
imports this module for such a build alone.
"""

from __future__ import annotations

from sphinx.search.zh import SearchChinese

from rbmdocs.sphinx.languages import RememberingStemmer


class ChineseSearch(SearchChinese):
    """Sphinx's Chinese search, with a stemmer its search page can find.

    Sphinx 9.0 writes ``window.Stemmer = ChineseStemmer;`` into the Chinese
    ``language_data.js``, but ships only the English stemmer it uses for Latin words, so
    the search page stops with "ChineseStemmer is not defined" and finds nothing. Naming
    the stemmer's language after the one actually shipped makes the page work; the index
    is built exactly as before (jieba for Chinese words, English stems for Latin ones).
    """

    language_name = "English"

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self.stemmer = RememberingStemmer(self.stemmer)
        self._words_of: dict[str, tuple[str, ...]] = {}

    def split(self, input: str) -> list[str]:
        """The words of ``input``, split by Sphinx's Chinese search the first time only.

        The index splits every text node of every page, and the pages of a results
        framework repeat their texts (punctuation between links, 促进实现 "contributes
        to", 基线 "baseline", the labels of every need), so most of what jieba would cut
        has been cut before on an earlier page. The words are the same: jieba's cut
        depends on the text and the dictionary alone, and the Latin words Sphinx notes on
        the way are noted the first time (they form a set).
        """
        words = self._words_of.get(input)
        if words is None:
            words = self._words_of[input] = tuple(super().split(input))
        return list(words)
