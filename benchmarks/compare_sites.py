"""Compare two built HTML sites page by page: what a reader sees, where each link goes.

    python benchmarks/compare_sites.py OLD_SITE NEW_SITE [--ignore-asset-hashes] [--json out]
    python benchmarks/compare_sites.py old/_build/html/en new/_build/html/en --words "child labour"

A change of how pages are made (a template instead of the document pipeline, a faster
translation step) must leave the site reading the same; this lists every difference
between two builds, grouped by kind, each difference once with the pages it occurs on
(a sidebar line that changed on 2,000 pages is one difference, not 2,000), so that a
person can go through them and say which are intended.

What it compares, for every page present in both sites (parsed with lxml's HTML parser):

- ``head``: the ``<title>``, the page's language, its ``prev``/``next`` links;
- ``text:<region>``: the visible text, one line per block (paragraph, list item, heading,
  table row, ...), whitespace normalised, in each region of the page: ``main`` (the
  article), ``sidebar`` (the navigation tree), ``toc`` ("on this page"), ``footer``,
  ``header`` (masthead, language switcher) and ``other`` (the rest of the chrome);
- ``headings``: level, text and anchor of every heading;
- ``ids:<region>``: the element IDs, the anchors a link can point at;
- ``links:<region>``: every ``<a href>``, resolved against the page to ``page#anchor``
  (external ones as written), with its text; a link whose text stayed and target moved is
  one "target changed" difference, not a removal and an addition;
- ``assets``: stylesheets, scripts and images a page loads (``--ignore-asset-hashes``
  drops Sphinx's ``?v=`` checksums and the hashes in generated file names);
- ``dangling links``: internal links whose page or anchor is missing from their own
  site, listed where one site has them and the other not;

and across the site: ``pages`` (only in one site) and the search index ``searchindex.js``
(``search:documents``, ``search:titles``, ``search:section titles``, ``search:objects``,
``search:terms``: for each indexed term, the pages it finds), plus a lookup of a handful
of words (``--words``) the way the search page does it (the language's own splitting and
stemming, every word must match), printed for both sites.

Exit status: 0 when the sites read the same, 1 when they differ, 2 on bad input.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import posixpath
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

#: Elements whose text a reader never sees.
_INVISIBLE = frozenset({"script", "style", "svg", "template", "noscript", "head", "title"})
#: Elements that start a new line of text (the rest are inline).
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "caption", "dd", "details"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "label", "li", "main", "nav", "ol", "p"),
        *("pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"),
    }
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_CELLS = frozenset({"td", "th"})
#: Sphinx's ``?v=<checksum>`` on the assets it links, and hashes in generated file names:
#: ``_downloads/<md5>/``, ``graphviz-<sha1>.svg``, ``plantuml-<sha1>.png``, ``math/<sha1>.png``.
_ASSET_QUERY = re.compile(r"\?v=[0-9a-f]+$")
_HASHED_NAME = re.compile(r"(?<=[/-])[0-9a-f]{16,64}(?=[./])")
_HTML_PARSER = etree.HTMLParser()
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")

Difference = tuple[str, str]  # (kind, description)


def region_of(element: etree._Element, inherited: str) -> str:
    """The region an element's subtree belongs to, or the one it inherits.

    Furo's layout first (``article[role=main]``, ``.sidebar-tree``, ``.toc-tree``,
    ``footer``), then the basic and alabaster themes' (``div.body``, ``div.sphinxsidebar``,
    ``div.footer``, ``div.related``), so that any Sphinx site is split somehow.
    """
    tag = element.tag
    classes = (element.get("class") or "").split()
    if (tag in ("article", "div", "main") and element.get("role") == "main") or (
        tag == "div" and "body" in classes
    ):
        return "main"
    if "sidebar-tree" in classes or "sphinxsidebar" in classes:
        return "sidebar"
    if "toc-tree" in classes or "toc-drawer" in classes:
        return "toc"
    if tag == "footer" or "footer" in classes:
        return "footer"
    if tag == "header" or "related" in classes:
        return "header"
    return inherited


@dataclass
class Page:
    """What one page shows and links, as read from its HTML."""

    head: list[str] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    headings: list[str] = field(default_factory=list)
    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    links: list[tuple[str, str, str]] = field(default_factory=list)  # region, target, text
    assets: list[str] = field(default_factory=list)

    def all_ids(self) -> set[str]:
        return set().union(*self.ids.values()) if self.ids else set()


def normalise(text: str) -> str:
    return " ".join(text.split())


def visible_text(element: etree._Element) -> str:
    """The text of an element as a reader sees it, on one line, without permalink marks."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or node.tag in _INVISIBLE or _is_permalink(node):
            return
        separator = " " if node.tag in _BLOCKS or node.tag in _CELLS else ""
        parts.append(separator)
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        parts.append(separator)

    walk(element)
    return normalise("".join(parts))


def _is_permalink(element: etree._Element) -> bool:
    """Sphinx's ``¶`` after headings and captions: same on every build, noise in the text."""
    return element.tag == "a" and "headerlink" in (element.get("class") or "").split()


class Options:
    """How targets and assets are normalised (shared by the worker processes)."""

    def __init__(self, ignore_asset_hashes: bool) -> None:
        self.ignore_asset_hashes = ignore_asset_hashes

    def asset(self, url: str) -> str:
        if self.ignore_asset_hashes:
            url = _HASHED_NAME.sub("#", _ASSET_QUERY.sub("", url))
        return url


def resolve(page_path: str, href: str, options: Options) -> str:
    """A link's target as ``page#anchor`` relative to the site root (external: as written).

    A link to the page itself is ``#anchor`` (``#`` without one); ``dir/`` is
    ``dir/index.html`` (the dirhtml builder); a target outside the site (the other
    language's pages) keeps its leading ``../``.
    """
    href = href.strip()
    if _EXTERNAL.match(href):
        return href
    parts = urlsplit(href)
    path = unquote(parts.path)
    if not path:
        target = page_path
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), path))
        if path.endswith("/") or target == ".":
            target = posixpath.join("" if target == "." else target, "index.html")
    fragment = unquote(parts.fragment)
    if target == page_path and not parts.query:
        # the page itself: the same "#anchor" on every page, so one difference groups them
        return f"#{fragment}"
    target = options.asset(target + (f"?{parts.query}" if parts.query else ""))
    return f"{target}#{fragment}" if fragment else target


def read_page(path: Path, page_path: str, options: Options) -> Page:
    """Parse one page and collect its text by region, headings, IDs, links and assets."""
    # lxml's HTML parser with its plain elements (lxml.html's own classes cost a lookup
    # per element visited)
    document = etree.fromstring(path.read_bytes(), _HTML_PARSER)
    page = Page()
    if document is None:  # an empty file: a page with nothing on it
        return page
    title = document.find(".//title")
    page.head.append(f"title: {normalise(''.join(title.itertext())) if title is not None else ''}")
    page.head.append(f"lang: {document.get('lang', '')}")
    for element in document.iter("link", "script", "img", "source", "iframe"):
        relation = element.get("rel") or ""
        if element.tag == "link" and relation in ("prev", "next", "up", "index", "search"):
            # the head's own navigation: where "next" and "previous" lead
            target = resolve(page_path, element.get("href") or "", options)
            page.head.append(f"link {relation}: {target}")
            continue
        stylesheet = element.tag == "link" and relation == "stylesheet"
        source = element.get("src") or (element.get("href") if stylesheet else None)
        if source:
            alt = f" alt={normalise(element.get('alt') or '')!r}" if element.tag == "img" else ""
            kind = str(element.tag)
            page.assets.append(f"{kind} {resolve(page_path, source, options)}{alt}")
    buffers: dict[str, list[str]] = defaultdict(list)

    def flush(region: str) -> None:
        if not buffers[region]:
            return
        text = normalise("".join(buffers[region]))
        if text:
            page.lines[region].append(text)
        buffers[region].clear()

    def walk(element: etree._Element, region: str, in_cell: bool = False) -> None:
        """Collect an element's text; a table row is one line, its cells joined by `` | ``."""
        tag = element.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            return
        element_id = element.get("id")
        own = region_of(element, region)
        if element_id:
            page.ids[own].add(element_id)
        if tag in _INVISIBLE or _is_permalink(element):
            return
        if tag in _HEADINGS:
            anchor = _heading_anchor(element)
            page.headings.append(f"h{_HEADINGS[tag]} {visible_text(element)} #{anchor}")
        href = element.get("href") if tag == "a" else None
        if href is not None:
            page.links.append((own, resolve(page_path, href, options), visible_text(element)))
        block = (tag in _BLOCKS and not in_cell) or own != region
        if block:
            flush(region)
            flush(own)
        elif tag in _BLOCKS:  # a paragraph in a cell: a space, not a new line
            buffers[own].append(" ")
        if tag in _CELLS and normalise("".join(buffers[own])):
            buffers[own].append(" | ")
        if element.text:
            buffers[own].append(element.text)
        for child in element:
            walk(child, own, in_cell or tag in _CELLS)
            if child.tail:
                buffers[own].append(child.tail)
        if block:
            flush(own)
        elif tag in _CELLS or tag in _BLOCKS:
            buffers[own].append(" ")

    body = document.find(".//body")
    walk(body if body is not None else document, "other")
    for region in list(buffers):
        flush(region)
    return page


def _heading_anchor(heading: etree._Element) -> str:
    """The anchor a heading is reached by: its permalink, its own ID or its section's."""
    for link in heading.iter("a"):
        href = link.get("href") or ""
        if _is_permalink(link) and href.startswith("#"):
            return href[1:]
    own = heading.get("id")
    if own:
        return own
    parent = heading.getparent()
    return (parent.get("id") or "") if parent is not None else ""


def _read_one(job: tuple[str, str, bool]) -> tuple[str, Page]:
    path, page_path, ignore = job
    return page_path, read_page(Path(path), page_path, Options(ignore))


def list_pages(site: Path) -> dict[str, Path]:
    """Every HTML page of a site by its path from the root, without Sphinx's static copies."""
    pages = {}
    for path in site.rglob("*.html"):
        relative = path.relative_to(site).as_posix()
        if relative.split("/", 1)[0] in ("_static", "_sources", "_images", "_downloads"):
            continue
        pages[relative] = path
    return pages


def read_sites(
    old: dict[str, Path], new: dict[str, Path], options: Options, jobs: int
) -> tuple[dict[str, Page], dict[str, Page]]:
    """Parse every page of both sites; a page whose bytes are the same in both is read once."""
    digests: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for label, pages in (("old", old), ("new", new)):
        for page_path, path in pages.items():
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            digests[(page_path, digest)].append((label, str(path)))
    jobs_list = [
        (places[0][1], page_path, options.ignore_asset_hashes)
        for (page_path, _), places in digests.items()
    ]
    if jobs > 1 and len(jobs_list) > 50:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_read_one, jobs_list, chunksize=32))
    else:
        results = [_read_one(job) for job in jobs_list]
    read: dict[str, dict[str, Page]] = {"old": {}, "new": {}}
    for ((_page_path, _), places), (page_path, page) in zip(digests.items(), results, strict=True):
        for label, _path in places:
            read[label][page_path] = page
    return read["old"], read["new"]


#: Beyond this many lines on each side of a changed stretch, lines are compared as
#: multisets (what was removed, what was added) rather than aligned: aligning is quadratic
#: where many lines repeat, as on a traceability page of thousands of rows.
ALIGN_AT_MOST = 3000


def diff_lines(old: list[str], new: list[str]) -> Iterator[str]:
    """Line differences as ``- old``, ``+ new`` and ``old → new`` (a line rewritten in place)."""
    if old == new:
        return
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old, new = old[start : len(old) - end], new[start : len(new) - end]
    if len(old) > ALIGN_AT_MOST and len(new) > ALIGN_AT_MOST:
        before, after = Counter(old), Counter(new)
        yield from (f"- {line!r}" for line in (before - after).elements())
        yield from (f"+ {line!r}" for line in (after - before).elements())
        return
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            continue
        removed, added = old[old_start:old_end], new[new_start:new_end]
        if operation == "replace" and len(removed) == len(added):
            for before_line, after_line in zip(removed, added, strict=True):
                yield f"{before_line!r} → {after_line!r}"
            continue
        for line in removed:
            yield f"- {line!r}"
        for line in added:
            yield f"+ {line!r}"


def diff_links(
    old: list[tuple[str, str, str]], new: list[tuple[str, str, str]]
) -> Iterator[Difference]:
    """Links only in one page, pairing a changed target or a changed text as one difference."""
    old_count, new_count = Counter(old), Counter(new)
    removed = list((old_count - new_count).elements())
    added = list((new_count - old_count).elements())
    if not removed and not added:
        return
    paired: set[int] = set()  # positions in ``added`` already paired with a removed link
    # first the same region and text (the target moved), then the same region and target
    # (the text changed)
    for same, other in ((2, 1), (1, 2)):
        waiting: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, link in enumerate(added):
            if position not in paired:
                waiting[(link[0], link[same])].append(position)
        for key in waiting:
            waiting[key].reverse()  # pop() takes the first
        unpaired = []
        for link in removed:
            positions = waiting.get((link[0], link[same]))
            if not positions:
                unpaired.append(link)
                continue
            position = positions.pop()
            paired.add(position)
            partner = added[position]
            if other == 1:
                yield f"links:{link[0]}", f"{link[2]!r}: {link[1]} → {partner[1]}"
            else:
                yield f"links:{link[0]}", f"{link[1]}: text {link[2]!r} → {partner[2]!r}"
        removed = unpaired
    for link in removed:
        yield f"links:{link[0]}", f"- {link[2]!r} → {link[1]}"
    for position, link in enumerate(added):
        if position not in paired:
            yield f"links:{link[0]}", f"+ {link[2]!r} → {link[1]}"


def compare_page(old: Page, new: Page) -> Iterator[Difference]:
    """Every difference between one page's two builds."""
    if old is new:
        return
    for line in diff_lines(old.head, new.head):
        yield "head", line
    for region in sorted(set(old.lines) | set(new.lines)):
        for line in diff_lines(old.lines.get(region, []), new.lines.get(region, [])):
            yield f"text:{region}", line
    for line in diff_lines(old.headings, new.headings):
        yield "headings", line
    for region in sorted(set(old.ids) | set(new.ids)):
        before, after = old.ids.get(region, set()), new.ids.get(region, set())
        for anchor in sorted(before - after):
            yield f"ids:{region}", f"- #{anchor}"
        for anchor in sorted(after - before):
            yield f"ids:{region}", f"+ #{anchor}"
    yield from diff_links(old.links, new.links)
    for line in diff_lines(sorted(old.assets), sorted(new.assets)):
        yield "assets", line


def dangling_links(site: Path, pages: dict[str, Page]) -> set[tuple[str, str]]:
    """(page, target) of every internal link whose page or anchor is not in the site."""
    anchors = {path: page.all_ids() for path, page in pages.items()}
    found = set()
    for path, page in pages.items():
        for _region, target, _text in page.links:
            if _EXTERNAL.match(target) or target.startswith("../"):
                continue
            target_page, _, anchor = target.partition("#")
            target_page = target_page.partition("?")[0] or path
            if target_page in anchors:
                if anchor and anchor not in anchors[target_page]:
                    found.add((path, target))
            elif not (site / target_page).exists():
                found.add((path, target))
    return found


# -- the search index -------------------------------------------------------------------


def read_search_index(site: Path) -> dict[str, Any] | None:
    """``searchindex.js`` as data (Sphinx writes ``Search.setIndex(<JSON>)``), or None."""
    path = site / "searchindex.js"
    if not path.exists():
        return None
    text = path.read_text("utf-8").strip()
    prefix = "Search.setIndex("
    if not text.startswith(prefix) or not text.endswith(")"):
        raise SystemExit(f"{path}: not a Sphinx search index (expected {prefix}…)")
    try:
        data: dict[str, Any] = json.loads(text[len(prefix) : -1])
    except json.JSONDecodeError as error:
        raise SystemExit(f"{path}: the search index is not JSON ({error})") from None
    return data


def _documents(index: dict[str, Any], postings: object) -> frozenset[str]:
    names = index["docnames"]
    numbers = postings if isinstance(postings, list) else [postings]
    return frozenset(names[number] for number in numbers)


def search_terms(index: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Each term (and each title term, marked ``title:``) with the pages it finds."""
    terms = {term: _documents(index, found) for term, found in index.get("terms", {}).items()}
    for term, found in index.get("titleterms", {}).items():
        terms[f"title:{term}"] = _documents(index, found)
    return terms


def compare_search(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Difference]:
    """Which pages and titles the index holds, its section titles, objects and terms."""
    old_titles = dict(zip(old["docnames"], old["titles"], strict=True))
    new_titles = dict(zip(new["docnames"], new["titles"], strict=True))
    for name in sorted(old_titles.keys() - new_titles.keys()):
        yield "search:documents", f"- {name} ({old_titles[name]!r})"
    for name in sorted(new_titles.keys() - old_titles.keys()):
        yield "search:documents", f"+ {name} ({new_titles[name]!r})"
    for name in sorted(old_titles.keys() & new_titles.keys()):
        if old_titles[name] != new_titles[name]:
            yield "search:titles", f"{name}: {old_titles[name]!r} → {new_titles[name]!r}"

    def section_titles(index: dict[str, Any]) -> set[str]:
        names = index["docnames"]
        return {
            f"{title!r} in {names[number]}#{anchor or ''}"
            for title, places in index.get("alltitles", {}).items()
            for number, anchor in places
        }

    yield from _set_difference("search:section titles", section_titles(old), section_titles(new))

    def objects(index: dict[str, Any]) -> set[str]:
        names = index["docnames"]
        return {
            f"{prefix}{'.' if prefix else ''}{entry[4]} in {names[entry[0]]}#{entry[3]}"
            for prefix, entries in index.get("objects", {}).items()
            for entry in entries
        }

    yield from _set_difference("search:objects", objects(old), objects(new))
    old_terms, new_terms = search_terms(old), search_terms(new)
    for term in sorted(old_terms.keys() | new_terms.keys()):
        before = old_terms.get(term, frozenset())
        after = new_terms.get(term, frozenset())
        if before != after:
            change = [f"-{name}" for name in sorted(before - after)]
            change += [f"+{name}" for name in sorted(after - before)]
            yield "search:terms", f"{term!r}: {' '.join(_shorten(change, 6))}"


def _set_difference(kind: str, old: set[str], new: set[str]) -> Iterator[Difference]:
    for item in sorted(old - new):
        yield kind, f"- {item}"
    for item in sorted(new - old):
        yield kind, f"+ {item}"


def _shorten(items: list[str], most: int) -> list[str]:
    return items if len(items) <= most else [*items[:most], f"(+{len(items) - most} more)"]


def site_language(site: Path) -> str:
    """The language Sphinx built the site in, from ``documentation_options.js``."""
    options = site / "_static" / "documentation_options.js"
    if options.exists():
        found = re.search(r"LANGUAGE:\s*'([^']*)'", options.read_text("utf-8"))
        if found:
            return found.group(1)
    return "en"


def search_words(index: dict[str, Any], query: str, language: str) -> list[str]:
    """The pages the search page finds for a query: every word, split and stemmed as Sphinx does.

    Sphinx's own search language (``sphinx.search.languages``) splits the query (jieba for
    Chinese) and stems each word; a page is found when every word is in its text or titles.
    (Sphinx's page also ranks, and finds partial title matches; this lists the full matches.)
    """
    splitter = _search_language(language)
    words = splitter.split(query) if splitter else query.split()
    found: set[str] | None = None
    for word in words:
        word = word.lower()
        if splitter is not None:
            if word in splitter.stopwords or not splitter.word_filter(word):
                continue
            word = splitter.stem(word)
        pages: set[str] = set()
        for key in ("terms", "titleterms"):
            postings = index.get(key, {}).get(word)
            if postings is not None:
                pages |= _documents(index, postings)
        found = pages if found is None else found & pages
    return sorted(found or ())


_LANGUAGES: dict[str, Any] = {}


def _search_language(language: str) -> Any:
    if language not in _LANGUAGES:
        try:
            from sphinx.search import languages
            from sphinx.util import import_object
        except ImportError:
            _LANGUAGES[language] = None
            return None
        code = language.replace("-", "_")  # Sphinx writes zh-CN, and keys zh
        found = languages.get(code) or languages.get(code.split("_")[0])
        if isinstance(found, str):
            found = import_object(found)
        _LANGUAGES[language] = found({}) if found else None
    return _LANGUAGES[language]


def default_words(
    index: dict[str, Any], pages: dict[str, Page], language: str, count: int = 3
) -> list[str]:
    """A handful of queries when none are given: words of titles and of body text.

    ``count`` page titles spread across the index give a word each (a title is found by
    its title terms), and ``count`` pages spread across the site a word of their article's
    text below the title (found only if the page's text was indexed). Words are split as
    the search splits them (jieba for Chinese).
    """
    splitter = _search_language(language)
    words: list[str] = []

    def take(texts: list[str], shortest: int) -> None:
        for text in texts[:: max(1, len(texts) // count)]:
            split = splitter.split(text) if splitter is not None else text.split()
            candidates = [
                word
                for word in split
                if word.isalpha() and len(word) >= (shortest if word.isascii() else 2)
            ]
            fresh = [word for word in candidates if word.lower() not in map(str.lower, words)]
            if fresh:
                words.append(max(fresh, key=len))

    take(list(index["titles"]), 4)
    titles_found = len(words)
    bodies = [
        " ".join(page.lines["main"][1:4])
        for _, page in sorted(pages.items())
        if len(page.lines.get("main", [])) > 1
    ]
    take(bodies, 7)
    return words[:count] + words[titles_found : titles_found + count]


# -- the report -------------------------------------------------------------------------


@dataclass
class Report:
    """Differences grouped by kind, each difference with the pages it occurs on."""

    old: str
    new: str
    page_counts: dict[str, int] = field(default_factory=dict)
    differences: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    lookups: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, differences: Iterable[Difference], where: str) -> None:
        for kind, description in differences:
            self.differences[kind][description].append(where)

    def same(self) -> bool:
        return not self.differences

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "pages": self.page_counts,
            "same": self.same(),
            "kinds": {
                kind: [
                    {"difference": description, "count": len(where), "where": where}
                    for description, where in found.items()
                ]
                for kind, found in sorted(self.differences.items())
            },
            "search_lookups": self.lookups,
        }

    def print(self, examples: int, pages_per_example: int) -> None:
        counts = self.page_counts
        print(f"# Comparing {self.old} (old) and {self.new} (new)\n")
        print(
            f"{counts['old']:,} pages in old, {counts['new']:,} in new, {counts['both']:,} in "
            f"both ({counts['identical']:,} byte for byte); compared in {self.seconds:.1f} s\n"
        )
        if self.same():
            print("The sites read the same: no difference.")
        else:
            print("| kind | differences | distinct | pages |\n|---|---|---|---|")
            for kind, found in sorted(self.differences.items()):
                total = sum(len(where) for where in found.values())
                on = len({page for where in found.values() for page in where})
                print(f"| {kind} | {total:,} | {len(found):,} | {on:,} |")
            for kind, found in sorted(self.differences.items()):
                print(f"\n## {kind}\n")
                ranked = sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))
                for description, where in ranked[:examples]:
                    pages = list(dict.fromkeys(where))
                    shown = ", ".join(pages[:pages_per_example])
                    more = f", … {len(pages):,} pages" if len(pages) > pages_per_example else ""
                    times = f"{len(where):,} times: " if len(where) > len(pages) else ""
                    print(f"- {description}  [{times}{shown}{more}]")
                if len(ranked) > examples:
                    print(f"- … {len(ranked) - examples:,} more distinct differences (--json)")
        if self.lookups:
            print("\n## search lookups\n\n| words | pages found in old | in new | same |")
            print("|---|---|---|---|")
            for lookup in self.lookups:
                print(
                    f"| {lookup['words']} | {len(lookup['old'])} | {len(lookup['new'])} | "
                    f"{'yes' if lookup['old'] == lookup['new'] else 'NO'} |"
                )


def compare_sites(
    old_site: Path,
    new_site: Path,
    ignore_asset_hashes: bool = False,
    words: list[str] | None = None,
    jobs: int = 1,
) -> Report:
    """Compare two built sites; the report lists every difference."""
    started = time.perf_counter()
    options = Options(ignore_asset_hashes)
    report = Report(str(old_site), str(new_site))
    old_paths, new_paths = list_pages(old_site), list_pages(new_site)
    for site, paths in ((old_site, old_paths), (new_site, new_paths)):
        if not paths:
            raise SystemExit(f"{site}: no HTML page here; give the folder of a built site")
    for page_path in sorted(old_paths.keys() - new_paths.keys()):
        report.add([("pages", f"- {page_path}")], "site")
    for page_path in sorted(new_paths.keys() - old_paths.keys()):
        report.add([("pages", f"+ {page_path}")], "site")
    old_pages, new_pages = read_sites(old_paths, new_paths, options, jobs)
    both = sorted(old_paths.keys() & new_paths.keys())
    identical = 0
    for page_path in both:
        old_page, new_page = old_pages[page_path], new_pages[page_path]
        identical += old_page is new_page
        report.add(compare_page(old_page, new_page), page_path)
    old_dangling = dangling_links(old_site, old_pages)
    new_dangling = dangling_links(new_site, new_pages)
    for page_path, target in sorted(old_dangling - new_dangling):
        report.add([("dangling links", f"- {target} (dangling in old only)")], page_path)
    for page_path, target in sorted(new_dangling - old_dangling):
        report.add([("dangling links", f"+ {target} (dangling in new only)")], page_path)
    old_index, new_index = read_search_index(old_site), read_search_index(new_site)
    if (old_index is None) != (new_index is None):
        report.add([("search:documents", "searchindex.js in one site only")], "site")
    elif old_index is not None and new_index is not None:
        report.add(compare_search(old_index, new_index), "searchindex.js")
        language = site_language(new_site)
        queries = words or default_words(old_index, old_pages, site_language(old_site))
        for query in queries:
            found_old = search_words(old_index, query, site_language(old_site))
            found_new = search_words(new_index, query, language)
            report.lookups.append({"words": query, "old": found_old, "new": found_new})
            if found_old != found_new:
                change = [f"-{name}" for name in sorted(set(found_old) - set(found_new))]
                change += [f"+{name}" for name in sorted(set(found_new) - set(found_old))]
                report.add(
                    [("search:words", f"{query!r}: {' '.join(_shorten(change, 6))}")],
                    "searchindex.js",
                )
    report.page_counts = {
        "old": len(old_paths),
        "new": len(new_paths),
        "both": len(both),
        "identical": identical,
    }
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the first built site (e.g. old/_build/html/en)")
    parser.add_argument("new", type=Path, help="the second built site")
    parser.add_argument(
        "--ignore-asset-hashes",
        action="store_true",
        help="drop ?v=<checksum> and hashes in generated file names from asset URLs",
    )
    parser.add_argument("--json", type=Path, help="write every difference to this JSON file")
    parser.add_argument(
        "--words",
        action="append",
        help="a search query to look up in both indexes (repeat it; default: a few title words)",
    )
    parser.add_argument(
        "--ignore", action="append", default=[], help="leave out a kind (prefix: text, links:…)"
    )
    parser.add_argument("--examples", type=int, default=5, help="distinct differences per kind")
    parser.add_argument("--pages", type=int, default=3, help="example pages per difference")
    parser.add_argument(
        "-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="processes parsing"
    )
    args = parser.parse_args(argv)
    for site in (args.old, args.new):
        if not site.is_dir():
            print(
                f"compare_sites: {site} is not a folder; give a built site's folder",
                file=sys.stderr,
            )
            return 2
    try:
        report = compare_sites(args.old, args.new, args.ignore_asset_hashes, args.words, args.jobs)
    except SystemExit as error:
        print(f"compare_sites: {error}", file=sys.stderr)
        return 2
    for kind in list(report.differences):
        if any(kind.startswith(prefix) for prefix in args.ignore):
            del report.differences[kind]
    try:
        report.print(args.examples, args.pages)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left early (compare_sites … | head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if args.json:
        args.json.write_text(json.dumps(report.as_json(), indent=1, ensure_ascii=False), "utf-8")
    return 0 if report.same() else 1


if __name__ == "__main__":
    sys.exit(main())
