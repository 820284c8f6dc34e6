"""The language switcher on every HTML page, and Chinese words in the search index.

Each language is built into its own folder (``_build/html/<lang>/``), with the same page
names, so the same page in another language is always ``../<lang>/<page>.html`` relative
to the root of this language. The switcher names each language in that language. The
rbmdocs theme shows it in its masthead; with any other theme it is put at the top of the
page body. A small script (``rbmdocs-languages.js``) gives its links the ``#anchor`` of
the place the reader is at, so that a reviewer reading IO_4 in English lands on IO_4 in
Chinese: IDs are the same in every language.
"""

from __future__ import annotations

import logging as std_logging
import posixpath
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.search.en import SearchEnglish
from sphinx.util.osutil import relative_uri

from rbmdocs.config import settings
from rbmdocs.render.collation import read_chinese_keys, write_chinese_keys
from rbmdocs.render.labels import label

#: Terms of the results framework that the Chinese search must find as whole words.
ZH_SEARCH_DICTIONARY = Path(__file__).parent.parent / "render" / "static" / "zh_search_terms.txt"
#: The search page's script that keeps the switcher out of the excerpts of its results
#: (in ``static/``, copied with our other assets).
SEARCH_SCRIPT = "rbmdocs-search.js"
#: The script that carries the reader's ``#anchor`` over to the other language.
SWITCHER_SCRIPT = "rbmdocs-languages.js"
#: The theme that shows the switcher in its masthead instead of the page body.
MASTHEAD_THEME = "rbmdocs"
#: The pinyin sort keys of the names a Chinese build sorted, kept for the next build
#: (in the language's doctree folder, which ``--fresh`` removes with the rest).
CHINESE_SORT_KEYS_FILE = "rbmdocs-chinese-sort-keys.json"
#: The words of each text the Chinese search index split, kept for the next build (in the
#: language's doctree folder; ``chinese_search``).
CHINESE_SEARCH_WORDS_FILE = "rbmdocs-chinese-search-words.json"


def language_links(app: Sphinx, pagename: str) -> list[tuple[str, str, str | None]]:
    """(language, name shown, link or None for this page's own language), in build order."""
    current = app.config.language or "en"
    languages = list(settings(app.config).languages) or [current]
    if len(languages) < 2:
        return []
    target = app.builder.get_target_uri(pagename)
    # from this page up to the folder that holds every language's folder
    to_root = relative_uri(app.builder.get_target_uri(pagename), "")
    links: list[tuple[str, str, str | None]] = []
    for language in languages:
        name = label(f"language.{language}", language)
        if name == f"language.{language}":
            name = language
        href = (
            None
            if language == current
            else posixpath.normpath(posixpath.join(to_root, "..", language, target))
        )
        links.append((language, name, href))
    return links


def switcher_html(app: Sphinx, pagename: str) -> str:
    """The switcher, "English | 中文": this page in each language, its own not a link."""
    links = language_links(app, pagename)
    if not links:
        return ""
    items = []
    for language, name, href in links:
        lang_attr = language.replace("_", "-")
        if href is None:
            items.append(f'<span class="rbmdocs-language-current" lang="{lang_attr}">{name}</span>')
        else:
            items.append(
                f'<a class="rbmdocs-language-link" href="{href}" hreflang="{lang_attr}" '
                f'lang="{lang_attr}">{name}</a>'
            )
    title = label("language.switch", app.config.language or "en")
    return f'<nav class="rbmdocs-languages" aria-label="{title}">{" | ".join(items)}</nav>'


def add_language_switcher(
    app: Sphinx, pagename: str, _templatename: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context``: "English | 中文" in the masthead, or atop the page body."""
    if app.builder.format != "html":
        return
    html = switcher_html(app, pagename)
    if not html:
        return
    if pagename == "search":  # this page alone: the excerpts of its results leave it out
        app.add_js_file(SEARCH_SCRIPT, priority=600, loading_method="defer")
    if app.config.html_theme == MASTHEAD_THEME:
        context["rbmdocs_language_switcher"] = html
    elif "body" in context:
        context["body"] = f"{html}\n" + context["body"]


def configure_chinese_search(app: Sphinx, config: Config) -> None:
    """Set up Sphinx's Chinese search (jieba) for a Chinese build, and only for one.

    jieba (with the ``pkg_resources`` it imports) is slow to import, which every English
    build and every ``rbmdocs check`` paid before the search class was registered here
    instead of in ``setup``. Our terms go into its dictionary, and jieba's console
    chatter is kept out.
    """
    if not (config.language or "").startswith("zh"):
        return
    options = dict(config.html_search_options or {})
    options.setdefault("dict", str(ZH_SEARCH_DICTIONARY))
    config.html_search_options = options
    # jieba sets its own logger to DEBUG when imported: import it first, then quiet it
    from rbmdocs.sphinx.chinese_search import ChineseSearch

    std_logging.getLogger("jieba").setLevel(std_logging.WARNING)
    app.add_search_language(ChineseSearch)


def _is_chinese(app: Sphinx) -> bool:
    return (app.config.language or "").startswith("zh")


def read_last_sort_keys(app: Sphinx) -> None:
    """``builder-inited``: the pinyin keys of the names the last Chinese build sorted.

    An incremental build sorts the same country names again (the DWCP index, the tables
    by country); with their keys at hand it does not import pypinyin at all.
    """
    if _is_chinese(app):
        read_chinese_keys(Path(app.doctreedir) / CHINESE_SORT_KEYS_FILE)


def write_sort_keys(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: keep the pinyin keys of this build for the next one."""
    if exception is None and _is_chinese(app):
        write_chinese_keys(Path(app.doctreedir) / CHINESE_SORT_KEYS_FILE)


def expect_search_words(app: Sphinx) -> None:
    """``builder-inited``: a Chinese HTML build's search reads the last build's words.

    The words of the texts the last build split (``chinese_search``).
    """
    if _is_chinese(app) and app.builder.format == "html":
        from rbmdocs.sphinx.chinese_search import expect_words_file

        expect_words_file(Path(app.doctreedir) / CHINESE_SEARCH_WORDS_FILE)


def keep_search_words(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: keep the words the search index split, for the next build.

    Late, after every page has been fed to the index (the programmes' pages are fed at
    ``build-finished`` too).
    """
    if not _is_chinese(app):
        return
    from rbmdocs.sphinx.chinese_search import ChineseSearch, expect_words_file

    expect_words_file(None)  # a build that never made its search index leaves no trace
    if exception is not None:
        return
    search = getattr(getattr(app.builder, "indexer", None), "lang", None)
    if isinstance(search, ChineseSearch):
        search.keep_words()


class RememberingStemmer:
    """A Snowball stemmer that stems each distinct word once.

    The search index stems every word of every page, and the words of a results framework
    repeat (every CPO says "contributes to", every page "Decent Work Country Programme"),
    so Snowball would stem the same few thousand words again and again. The stems are the
    same; only the repetition goes. (Snowball is now its C build, PyStemmer, so
    remembering matters less.)
    """

    def __init__(self, stemmer: Any) -> None:
        self._stemmer = stemmer
        self._stems: dict[str, str] = {}

    def stemWord(self, word: str) -> str:
        """The stem of ``word`` (Snowball's method name), computed the first time only."""
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = self._stemmer.stemWord(word)
        return stem


class EnglishSearch(SearchEnglish):
    """Sphinx's English search, with a stemmer that remembers."""

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self.stemmer = RememberingStemmer(self.stemmer)


def setup_languages(app: Sphinx) -> None:
    """Register the switcher and the search set-up."""
    app.add_search_language(EnglishSearch)
    app.connect("html-page-context", add_language_switcher)
    app.add_js_file(SWITCHER_SCRIPT, priority=402, loading_method="defer")
    app.connect("config-inited", configure_chinese_search, priority=900)
    app.connect("builder-inited", read_last_sort_keys)
    app.connect("build-finished", write_sort_keys)
    app.connect("builder-inited", expect_search_words)
    app.connect("build-finished", keep_search_words, priority=900)
