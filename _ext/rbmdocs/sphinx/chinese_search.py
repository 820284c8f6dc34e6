"""The search index of a Chinese build.

A module of its own because importing Sphinx's Chinese search imports jieba (when it is
installed), which only a Chinese build needs: ``languages.configure_chinese_search``
imports this module for such a build alone.

jieba's dictionary (about 350,000 words) takes a noticeable part of an incremental
Chinese build to load, and the build splits the same texts as the build before it did:
the pages written again after an edit are the same pages, with the edited text the only
new one. So the words of every text split are kept beside the doctrees
(``WORDS_FILE``), and a build that meets only texts split before never loads jieba's
dictionary. The new text after a drafter's edit is English (the catalogue has no
translation for it yet); a text without a Chinese character in which none of the
dictionary's non-Chinese words occurs is split by jieba with a dictionary of no words,
which gives exactly the words the full dictionary would (see
``ChineseSearch.split_without_dictionary``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jieba
import sphinx
from sphinx.search.zh import JIEBA_DEFAULT_DICT, SearchChinese

from rbmdocs.files import keep_for_next_build
from rbmdocs.sphinx.languages import CHINESE_SEARCH_WORDS_FILE, RememberingStemmer

#: Beside the language's doctrees: the words of each text the search index split, kept
#: for the next build (``--fresh`` removes it).
WORDS_FILE = CHINESE_SEARCH_WORDS_FILE
#: Beside it: jieba's dictionary of no words (one word, which no text without a Chinese
#: character can contain: jieba needs a total frequency above zero).
NO_WORDS_DICTIONARY = "rbmdocs-jieba-no-words.txt"
#: Bumped when what ``WORDS_FILE`` holds changes meaning.
_WORDS_FORMAT = 1
#: jieba's own range of Chinese characters (``re_han_default``): a text without any is
#: cut by jieba into runs of Latin letters and digits and single other characters,
#: looking in its dictionary only for words without a Chinese character.
_CHINESE_CHARACTER = re.compile("[\u4e00-\u9fd5]")

#: The words file the next ``ChineseSearch`` made in this process reads and writes, set
#: by ``expect_words_file`` when a Chinese build starts (the search language is made by
#: Sphinx's index builder, which passes it no more than the search options).
_expected_words_file: list[Path] = []

#: (words of a text, the Latin terms Sphinx noted while splitting it)
Split = tuple[tuple[str, ...], tuple[str, ...]]


def expect_words_file(path: Path | None) -> None:
    """``builder-inited`` of a Chinese build: where the search index keeps its words.

    None at ``build-finished``, so that nothing made later takes it by mistake.
    """
    _expected_words_file[:] = [path] if path is not None else []


def _file_stamp(path: str) -> list[Any]:
    """Path, size and modification time of a dictionary ("" for none)."""
    if not path:
        return [""]
    try:
        stat = Path(path).stat()
    except OSError:
        return [path]
    return [path, stat.st_size, stat.st_mtime_ns]


class ChineseSearch(SearchChinese):
    """Sphinx's Chinese search: a stemmer its page can find, each text split once.

    Once in this build and across builds (``split``).

    Sphinx 9.0 writes ``window.Stemmer = ChineseStemmer;`` into the Chinese
    ``language_data.js``, but ships only the English stemmer it uses for Latin words, so
    the search page stops with "ChineseStemmer is not defined" and finds nothing. Naming
    the stemmer's language after the one actually shipped makes the page work; the index
    is built exactly as before (jieba for Chinese words, English stems for Latin ones).

    Sphinx loads the search dictionary (``html_search_options["dict"]``) into jieba when
    the search language is made, which makes jieba load its own dictionary first; here
    both wait for the first text that needs them.
    """

    language_name = "English"

    def __init__(self, options: dict[str, str]) -> None:
        # the search dictionary waits for the first text jieba must split
        self._search_dictionary = options.get("dict", JIEBA_DEFAULT_DICT)
        super().__init__({**options, "dict": ""})
        self.options = options
        self.stemmer = RememberingStemmer(self.stemmer)
        self._words_of: dict[str, Split] = {}
        self._texts_in_file = 0
        #: the dictionaries' words without a Chinese character (None: not known yet)
        self._non_chinese_words: tuple[str, ...] | None = None
        self._dictionary_loaded = False
        self._no_words_tokenizer: Any = None
        self._words_file = _expected_words_file.pop() if _expected_words_file else None
        if self._words_file is not None:
            self._read_words(self._words_file)

    def split(self, input: str) -> list[str]:
        """The words of ``input``, split by Sphinx's Chinese search the first time only.

        The index splits every text node of every page, and the pages of a results
        framework repeat their texts (punctuation between links, 促进实现 "contributes
        to", 基线 "baseline", the labels of every need), so most of what jieba would cut
        has been cut before, on an earlier page or in the build before. The words are the
        same: jieba's cut depends on the text and the dictionaries alone (the file of
        kept words names both, with jieba's and Sphinx's versions), and the Latin terms
        Sphinx notes on the way (which decide how a short word is stemmed) are noted again
        for every text, split or kept.
        """
        split = self._words_of.get(input)
        if split is None:
            split = self._words_of[input] = self._split_anew(input)
        else:
            self.latin_terms.update(split[1])
        return list(split[0])

    def _split_anew(self, text: str) -> Split:
        without = self.split_without_dictionary(text)
        if without is not None:
            return without
        self._load_dictionary()
        # the Latin terms Sphinx notes for this text alone, kept with its words
        noted = self.latin_terms
        self.latin_terms = set()
        try:
            words = super().split(text)
        finally:
            latin = self.latin_terms
            noted.update(latin)
            self.latin_terms = noted
        return tuple(words), tuple(sorted(latin))

    def split_without_dictionary(self, text: str) -> Split | None:
        """``text`` split by jieba with a dictionary of no words, if the full one agrees.

        None when the full dictionary may split it otherwise, or is not known yet.

        jieba cuts a text in runs of its word characters (Chinese, Latin letters, digits,
        ``+#&._%-``), looks each run up in its dictionary and, where no word is found,
        leaves a Chinese-free run to its rules for Latin letters and digits; everything
        else becomes single characters. In a text without a Chinese character, the only
        dictionary words that can be found are words without one (a handful: ``C++``,
        ``AT&T``, and those of the search dictionary); if none of them occurs in the text
        the dictionary plays no part, and jieba with a dictionary of no words splits it
        the same. The Latin terms are Sphinx's own (``latin1_letters``), added as Sphinx's
        ``split`` adds them. ``tests/test_chinese_build.py`` compares the two on every text
        of a build.
        """
        if (
            self._non_chinese_words is None
            or self._words_file is None
            or _CHINESE_CHARACTER.search(text)
            or any(word in text for word in self._non_chinese_words)
        ):
            return None
        tokenizer = self._tokenizer_of_no_words(self._words_file.parent)
        chinese = list(tokenizer.cut_for_search(text))
        latin = [term.strip() for term in self.latin1_letters.findall(text)]
        self.latin_terms.update(latin)
        return tuple(chinese + latin), tuple(sorted(set(latin)))

    def _tokenizer_of_no_words(self, folder: Path) -> Any:
        if self._no_words_tokenizer is None:
            dictionary = folder / NO_WORDS_DICTIONARY
            folder.mkdir(parents=True, exist_ok=True)
            if not dictionary.is_file():
                dictionary.write_text("一 1\n", "utf-8")
            tokenizer = jieba.Tokenizer(str(dictionary))
            tokenizer.tmp_dir = str(folder)  # its cache beside it, not in /tmp
            self._no_words_tokenizer = tokenizer
        return self._no_words_tokenizer

    def _load_dictionary(self) -> None:
        """Load the search dictionary into jieba, as Sphinx would have when made."""
        if self._dictionary_loaded:
            return
        self._dictionary_loaded = True
        if self._search_dictionary and Path(self._search_dictionary).is_file():
            jieba.load_userdict(str(self._search_dictionary))
        jieba.dt.check_initialized()
        # words added with a frequency of 0 are jieba's prefixes, not words; most words
        # start with a Chinese character, which is the quick test
        self._non_chinese_words = tuple(
            sorted(
                word
                for word, frequency in jieba.dt.FREQ.items()
                if frequency
                and word
                and not "\u4e00" <= word[0] <= "\u9fd5"
                and not _CHINESE_CHARACTER.search(word)
            )
        )

    def _stamp(self) -> dict[str, Any]:
        """What the words of a text depend on besides the text."""
        main_dictionary = jieba.dt.dictionary or str(
            Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
        )
        return {
            "format": _WORDS_FORMAT,
            "sphinx": sphinx.__version__,
            "jieba": str(jieba.__version__),
            "dictionary": _file_stamp(str(main_dictionary)),
            "search_dictionary": _file_stamp(str(self._search_dictionary or "")),
        }

    def _read_words(self, path: Path) -> None:
        """The words kept by the last build, unless they were split otherwise.

        A file of another jieba, Sphinx or dictionary, or one that cannot be read, is
        left aside: every text is split again, and the file written anew.
        """
        try:
            stored: Any = json.loads(path.read_text("utf-8"))
            if not isinstance(stored, dict) or stored.get("stamp") != self._stamp():
                return
            words_of: dict[str, Split] = {
                str(text): (tuple(map(str, words)), tuple(map(str, latin)))
                for text, (words, latin) in stored["texts"].items()
            }
            non_chinese = tuple(map(str, stored["non_chinese_words"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return
        self._words_of.update(words_of)
        self._texts_in_file = len(words_of)
        self._non_chinese_words = non_chinese

    def keep_words(self) -> None:
        """Write the words of every text known to this build, if it split new ones.

        Whole or not at all: a temporary file, then renamed.

        The texts of the last build are kept with this build's: pages not written again
        keep their texts, which an edit of one of them will meet again.
        """
        path = self._words_file
        if (
            path is None
            or self._non_chinese_words is None
            or len(self._words_of) <= self._texts_in_file
        ):
            return
        stored = {
            "stamp": self._stamp(),
            "non_chinese_words": list(self._non_chinese_words),
            "texts": self._words_of,  # tuples are written as JSON arrays
        }
        keep_for_next_build(path, json.dumps(stored, ensure_ascii=False))
        self._texts_in_file = len(self._words_of)
