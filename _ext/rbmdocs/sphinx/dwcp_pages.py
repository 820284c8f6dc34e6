"""The DWCP pages, written from the records through ``html-collect-pages``.

Sphinx writes pages that are no documents (its general index) through the public
``html-collect-pages`` event: a page name, a template context and a template. Each
programme's page is one such page, at the name its YAML file had as a document
(``data/dwcp/GHA``), with the theme's ``page.html``, so the masthead, the sidebar, the
language switcher and the footer are those of every page. Its body is the programme's
title, its summary, and each priority with its CPOs, every need drawn with the nodes of
our need views (``need_views.ViewWriter``) and rendered by the builder's public
``render_partial``, as Sphinx renders a title or a table of contents.

What a document gets from Sphinx on the way, these pages get here:

* **the theme's context**: ``title``, ``toc`` (the priorities, for furo's "On this
  page"), ``prev``/``next`` (the neighbouring programmes in the order of their countries'
  names, the first after the DWCP index's page);
* **the sidebar**: furo makes its navigation tree afresh for every page, from the whole
  table of contents. No table of contents lists these pages, so the tree is the same for
  every page of the folder: it is made once per folder here, and furo is handed a page
  context without ``toctree`` (it then makes an empty tree at no cost) and given the
  tree made once afterwards (``hand_furo_no_toctree``, ``give_furo_the_folder_tree``);
* **search**: Sphinx's index keeps documents only (it drops every other page as it
  writes the index), so once the index is written the pages are fed to it through its
  public ``feed`` and it is written again (``add_pages_to_search``);
* **incremental builds**: a page is written again only when what it was made from
  changed (its file, the views on it, its neighbours, the sidebar, the site's settings);
  the output folder keeps what each page was made from (``WRITTEN_FILE``).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import inspect
import json
import marshal
import os
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docutils
from docutils import nodes
from docutils.utils import normalize_language_tag, smartquotes
from sphinx import __version__ as sphinx_version
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment.adapters.toctree import global_toctree_for_doc
from sphinx.locale import _
from sphinx.util.docutils import new_document

from rbmdocs.files import keep_for_next_build
from rbmdocs.render.labels import label, region_label
from rbmdocs.render.need_view_model import ViewMaker
from rbmdocs.sphinx.checking import check_result
from rbmdocs.sphinx.code_stamp import site_stamp
from rbmdocs.sphinx.dwcp_data import DwcpPage, dwcp_data
from rbmdocs.sphinx.env_data import all_notes
from rbmdocs.sphinx.need_views import ViewWriter, changed_view_pages, view_maker
from rbmdocs.sphinx.parallel import in_parallel_edition, pair_page_without_document

#: In the HTML output folder: each DWCP page written, with what it was made from.
WRITTEN_FILE = ".rbmdocs-dwcp-pages.json"
#: Beside the doctrees: each DWCP page's search content, kept across builds.
SEARCH_CACHE_FILE = "rbmdocs-dwcp-search.marshal"
#: Bumped whenever what the search cache holds changes shape or meaning.
_SEARCH_CACHE_FORMAT = 1
#: What docutils' HTML writer gives every document's page as ``metatags``.
_DOCUMENT_METATAGS = '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
#: The page context's key where furo's ``toctree`` waits while furo's listener runs.
_TOCTREE_KEPT = "rbmdocs_toctree_kept"


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _is_html(app: Sphinx) -> bool:
    return isinstance(app.builder, StandaloneHTMLBuilder) and app.builder.format == "html"


def is_dwcp_page(app: Sphinx, pagename: str) -> bool:
    """Whether ``pagename`` is a programme's page of this build (no document)."""
    return pagename in dwcp_data(app.env).pages and pagename not in app.env.all_docs


def dwcp_pagenames(app: Sphinx) -> set[str]:
    """Every programme's page of this build, written now or kept from an earlier build."""
    return {name for name in dwcp_data(app.env).pages if name not in app.env.all_docs}


# -- the page's body --------------------------------------------------------------------


def _quotes_made_smart(app: Sphinx) -> bool:
    """Whether Sphinx makes a document's quotes typographic in this build (its settings)."""
    config = app.config
    excluded = config.smartquotes_excludes
    if not config.smartquotes or app.builder.name in excluded.get("builders", []):
        return False
    language = config.language or "en"
    return language not in excluded.get("languages", []) and any(
        tag in smartquotes.smartchars.quotes
        for tag in normalize_language_tag(language.replace("_", "-"))
    )


class _PageBody:
    """Lays out one programme's page as nodes: the same nodes its document had."""

    def __init__(self, app: Sphinx, maker: ViewMaker | None) -> None:
        self.app = app
        self.maker = maker
        self.language = app.config.language or "en"
        result = check_result(app.env)
        self.graph = result.graph if result is not None else None
        self.smart = _quotes_made_smart(app)
        self.quotes_action = str(app.config.smartquotes_action)
        self._set: dict[str, str] = {}

    def prose(self, text: str) -> str:
        """Text as Sphinx set it in a document: its quotes and dashes typographic.

        The headings and the summary were text of the document, which Sphinx's
        ``SmartQuotes`` transform sets (an apostrophe curls); the views are made after it.
        """
        if not self.smart or not text:
            return text
        found = self._set.get(text)
        if found is None:
            found = str(smartquotes.smartyPants(text, self.quotes_action, self.language))
            self._set[text] = found
        return found

    def country(self, page: DwcpPage) -> str:
        """The page's title as a document's title read."""
        return self.prose(page.country)

    def heading(self, page: DwcpPage, need_id: str) -> str:
        """A priority's heading as a document's heading read."""
        return self.prose(page.titles.get(need_id, need_id))

    def section(self, page: DwcpPage) -> nodes.section:
        """The page: the programme, then each priority with its CPOs."""
        assert self.maker is not None, "a page's body is made with the build's views"
        writer = ViewWriter(self.app, page.pagename, self.maker)
        dwcp = page.loaded.dwcp
        country = self.country(page)
        section = nodes.section(ids=[nodes.make_id(dwcp.id) or "dwcp"])
        section += self._at(nodes.title(country, country), page, dwcp.line)
        section += self._at(self.summary(page), page, dwcp.line)
        section.extend(self.view(writer, page, dwcp.id))
        for priority in page.loaded.priorities:
            title = self.heading(page, priority.need.id)
            part = nodes.section(ids=[nodes.make_id(priority.need.id)])
            part += self._at(nodes.title(title, title), page, priority.need.line)
            part.extend(self.view(writer, page, priority.need.id))
            for cpo in priority.cpos:
                part.extend(self.view(writer, page, cpo.id))
            section += part
        return section

    def _at(self, node: nodes.Element, page: DwcpPage, line: int) -> nodes.Element:
        """The node at its line of the YAML file, as a document's nodes are at theirs.

        The side-by-side edition pairs each block with its translation by this place.
        """
        node.source, node.line = page.file, line
        return node

    def summary_fields(self, page: DwcpPage) -> list[tuple[str, str]]:
        """Region, status and period: each field's label and its value as the page shows it."""
        fields = page.loaded.dwcp.fields
        region, status = fields.get("region", ""), fields.get("status", "")
        values = (
            ("field.region", region_label(region, self.language) if region else ""),
            ("field.status", label(f"status.{status}", self.language) if status else ""),
            ("field.period", fields.get("period", "")),
        )
        return [(label(key, self.language), self.prose(value)) for key, value in values]

    def summary(self, page: DwcpPage) -> nodes.field_list:
        """Region, status and period, as a field list."""
        field_list = nodes.field_list(classes=["rbmdocs-dwcp-summary"])
        for name, shown in self.summary_fields(page):
            field_list += nodes.field(
                "",
                nodes.field_name("", name),
                nodes.field_body("", nodes.paragraph(shown, shown)),
            )
        return field_list

    def view(self, writer: ViewWriter, page: DwcpPage, need_id: str) -> list[nodes.Node]:
        """The need's view, with the classes sphinx-needs' node gave it on a document.

        None for a need whose ID another need holds (RBM004 reports it).
        """
        record = self.graph.need(need_id) if self.graph is not None else None
        if record is None or record.file != page.file or self.maker is None:
            return []
        view = self.maker.view(need_id)
        if view is None:
            return []
        node = writer.view(view, [])
        node["classes"].extend(["need", f"need-{view.type}"])
        return [self._at(node, page, record.line or 1)]

    def toc(self, page: DwcpPage) -> nodes.bullet_list:
        """The page's own table of contents: its title, then its priorities."""

        def entry(text: str, anchor: str) -> nodes.list_item:
            reference = nodes.reference(
                "", text, internal=True, refuri=f"#{anchor}" if anchor else "#", anchorname=""
            )
            return nodes.list_item("", addnodes.compact_paragraph("", "", reference))

        top = entry(self.country(page), "")
        priorities = nodes.bullet_list()
        for priority in page.loaded.priorities:
            title = self.heading(page, priority.need.id)
            priorities += entry(title, nodes.make_id(priority.need.id))
        if priorities.children:
            top += priorities
        return nodes.bullet_list("", top)

    def search_content(self, page: DwcpPage) -> SearchContent:
        """What the search index reads of the page: its headings, summary and needs' texts.

        The index keeps, for each word, the set of pages it occurs in, never how often nor
        in which section (a section counts for its title only): so the page's words are
        given once for the whole page, each run between spaces once (``_each_once``),
        which the index reads the same, at a fraction of the cost of splitting and
        stemming repeats (the IDs, periods and bienniums of a programme's needs recur on
        every line). The summary is as the page shows it, in its language: a reader
        searching for 非洲 (Africa) must find the African programmes, whose records hold
        the region's code.
        """
        words = [text for field in self.summary_fields(page) for text in field]
        headings: list[tuple[str, str]] = []
        for record in page.records:
            if record.type == "dwcp-priority":
                headings.append((self.heading(page, record.id), nodes.make_id(record.id)))
            words.extend(word for word in (record.id, record.title) if word)
            words.extend(value for value in record.fields.values() if value)
        return SearchContent(
            self.country(page),
            nodes.make_id(page.loaded.dwcp.id) or "dwcp",
            tuple(headings),
            _each_once(words),
        )


@dataclass(frozen=True, slots=True)
class SearchContent:
    """What the search index reads of a programme's page, as a few strings.

    Kept across builds (``_SearchCache``), so that an unchanged page's words are neither
    gathered nor set again: its search doctree is made from these strings alone.
    """

    title: str
    """The page's title (its first heading)."""
    section_id: str
    """The id of the page's top section."""
    headings: tuple[tuple[str, str], ...]
    """Each priority's heading and the id of its section, in page order."""
    words: str
    """Every word of the page, each run between spaces once."""

    def plain(self) -> tuple[str, str, list[list[str]], str]:
        """As ``marshal`` writes it."""
        headings = [[heading, section_id] for heading, section_id in self.headings]
        return (self.title, self.section_id, headings, self.words)

    @classmethod
    def from_plain(cls, plain: object) -> SearchContent | None:
        """From what ``plain`` gave, or None for anything of another shape."""
        if not isinstance(plain, tuple) or len(plain) != 4:
            return None
        title, section_id, headings, words = plain
        if not (isinstance(title, str) and isinstance(section_id, str)):
            return None
        if not (isinstance(words, str) and isinstance(headings, list)):
            return None
        pairs: list[tuple[str, str]] = []
        for pair in headings:
            if not (isinstance(pair, list) and len(pair) == 2):
                return None
            heading, heading_id = pair
            if not (isinstance(heading, str) and isinstance(heading_id, str)):
                return None
            pairs.append((heading, heading_id))
        return cls(title, section_id, tuple(pairs), words)

    def doctree(self, source: str, separately: bool) -> nodes.document:
        """The page as the index reads it: its title, its words, each heading's section.

        Sphinx's index takes the first title as the page's and every other with the id of
        its section (for a link to the heading), and the words of every text, titles'
        included, for the page. ``separately`` (Chinese): each run between spaces is a text
        of its own, which jieba splits as it would within the line, and the Chinese search
        keeps the words of each text it split (``chinese_search``), so a page with one
        title changed brings that title alone to split, not the whole page. An English
        split costs too little per text to gain from that.
        """
        document = new_document(source)
        section = nodes.section(ids=[self.section_id])
        section += nodes.title(self.title, self.title)
        runs = self.words.split(" ") if separately else [self.words]
        section += nodes.paragraph("", "", *(nodes.Text(run) for run in runs if run))
        for heading, section_id in self.headings:
            part = nodes.section(ids=[section_id])
            part += nodes.title(heading, heading)
            section += part
        document += section
        return document


def _each_once(texts: list[str]) -> str:
    """The texts as one line, each run of characters between spaces given once.

    Spaces separate words for every language's splitter, Chinese's too (jieba cuts the
    runs of its word characters between them one by one), so a repeated run gives the
    same words again, and a run split alone gives the words it gives within the line.
    """
    return " ".join(dict.fromkeys(" ".join(texts).split()))


# -- which pages to write ---------------------------------------------------------------


def _read_written(outdir: Path) -> dict[str, str]:
    try:
        stored = json.loads((outdir / WRITTEN_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


#: What this build wrote or kept, per builder, saved once the build has ended well.
_written_now: weakref.WeakKeyDictionary[StandaloneHTMLBuilder, dict[str, str]] = (
    weakref.WeakKeyDictionary()
)
#: The navigation tree of each folder's DWCP pages, made once per builder.
_folder_trees: weakref.WeakKeyDictionary[StandaloneHTMLBuilder, dict[str, tuple[str, str]]] = (
    weakref.WeakKeyDictionary()
)


def _folder(builder: StandaloneHTMLBuilder, pagename: str) -> str:
    return os.path.dirname(builder.get_target_uri(pagename).rsplit("#", 1)[0])  # noqa: PTH120


def folder_navigation(app: Sphinx, pagename: str) -> tuple[str, str]:
    """The sidebar's table of contents and furo's navigation tree, once per folder.

    For a page no table of contents lists, both are the same for every page of its
    folder. Made as the page context's own ``toctree()`` makes it (Sphinx's public
    ``global_toctree_for_doc``, rendered by ``render_partial``), with the arguments furo
    asks for.
    """
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    made = _folder_trees.setdefault(builder, {})
    folder = _folder(builder, pagename)
    found = made.get(folder)
    if found is None:
        # furo's arguments; Sphinx 9 asks for the build's tags too, which 8.2 reads itself
        arguments: dict[str, Any] = {
            "collapse": False,
            "titles_only": True,
            "maxdepth": -1,
            "includehidden": True,
        }
        if "tags" in inspect.signature(global_toctree_for_doc).parameters:
            arguments["tags"] = builder.tags
        toctree = global_toctree_for_doc(app.env, pagename, builder, **arguments)
        toctree_html = builder.render_partial(toctree)["fragment"]
        tree = toctree_html
        try:
            from furo.navigation import get_navigation_tree
        except ImportError:  # another theme: the table of contents is all it wants
            pass
        else:
            tree = get_navigation_tree(toctree_html)
        found = made[folder] = (toctree_html, tree)
    return found


def _index_page(app: Sphinx) -> str | None:
    """The document holding the DWCP index (the programmes' way in), if any."""
    holders = sorted(
        docname
        for docname, notes in all_notes(app.env).items()
        if "dwcp-index" in notes.generated_content and docname in app.env.all_docs
    )
    return holders[0] if holders else None


def _relation(body: _PageBody, pagename: str, target: str | None) -> dict[str, str] | None:
    """A ``prev``/``next`` entry of the theme's context: the link and the title."""
    app = body.app
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    if target is None:
        return None
    page = dwcp_data(app.env).pages.get(target)
    if page is not None and target not in app.env.all_docs:
        title = html.escape(body.country(page))
    else:
        title_node = app.env.titles.get(target)
        if title_node is None:
            return None
        title = builder.render_partial(title_node)["title"]
    return {
        "link": builder.get_relative_uri(pagename, target),
        "title": title,
        "pagename": target,
    }


def collect_dwcp_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the programmes' pages whose content changed, or all.

    A page is written when its output is missing or what it was made from differs from
    what the output folder noted: its own data, the views on it (``changed_view_pages``),
    its neighbours, its folder's sidebar, the site's settings, templates and our code.
    """
    if not _is_html(app):
        return
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    data = dwcp_data(app.env)
    result = check_result(app.env)
    if result is None or not data.pages:
        _written_now[builder] = {}
        return
    outdir = Path(app.outdir)
    before = _read_written(outdir)
    changed_views = changed_view_pages(app.env)
    maker = view_maker(app, result.graph)
    body = _PageBody(app, maker)
    stamp = _digest(repr(site_stamp(app)))
    # a document of a programme's page's name wins: Sphinx writes it
    index_page, ordered, after_index = _reading_order(app)
    written: dict[str, str] = {}
    _written_now[builder] = written
    for position, pagename in enumerate(ordered):
        page = data.pages[pagename]
        previous = ordered[position - 1] if position else index_page
        following = ordered[position + 1] if position + 1 < len(ordered) else after_index
        prev_link = _relation(body, pagename, previous)
        next_link = _relation(body, pagename, following)
        toctree_html, _tree = folder_navigation(app, pagename)
        made_of = _digest(
            repr((stamp, page.digest, prev_link, next_link, _digest(toctree_html), index_page))
        )
        written[pagename] = made_of
        target = Path(builder.get_outfilename(pagename))
        unchanged = before.get(pagename) == made_of and pagename not in changed_views
        if unchanged and target.is_file() and not in_parallel_edition(app):
            continue  # (each run of the side-by-side edition makes every page)
        yield pagename, page_context(app, page, body, prev_link, next_link, index_page), "page.html"


def page_context(
    app: Sphinx,
    page: DwcpPage,
    body: _PageBody,
    prev_link: dict[str, str] | None,
    next_link: dict[str, str] | None,
    index_page: str | None,
) -> dict[str, Any]:
    """What ``get_doc_context`` gives a document's page, for a programme's page."""
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    rellinks = list(builder.globalcontext.get("rellinks", []))
    if next_link is not None:
        rellinks.append((next_link["pagename"], next_link["title"], "N", _("next")))
    if prev_link is not None:
        rellinks.append((prev_link["pagename"], prev_link["title"], "P", _("previous")))
    parents = []
    if index_page is not None and (parent := _relation(body, page.pagename, index_page)):
        parents.append(parent)
    return {
        "parents": parents,
        "prev": prev_link,
        "next": next_link,
        "title": html.escape(body.country(page)),
        "meta": {},
        "body": _body_html(app, page, body),
        "metatags": _DOCUMENT_METATAGS,
        "rellinks": rellinks,
        "sourcename": "",
        "toc": builder.render_partial(body.toc(page))["fragment"],
        "display_toc": bool(page.loaded.priorities),
        "page_source_suffix": ".yaml",
    }


def _body_html(app: Sphinx, page: DwcpPage, body: _PageBody) -> str:
    """The page's body as HTML: its nodes, paired with their translation in that edition."""
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    document = new_document(page.file)
    document += body.section(page)
    pair_page_without_document(app, document, page.pagename)
    return _rendered_as_a_page(builder, document[0])


def _rendered_as_a_page(builder: StandaloneHTMLBuilder, node: nodes.Node) -> str:
    """``render_partial`` of a page's body, with the page's section and figure numbers.

    Sphinx's writer looks up a section's number in the builder's numbers of the page being
    written, which ``write_doc`` sets for each document (and which exist only once a
    document was written). A programme's page has none: they are set to none, as
    ``write_doc`` sets them for a page without numbers, and put back afterwards.
    """
    missing = object()
    before = (getattr(builder, "secnumbers", missing), getattr(builder, "fignumbers", missing))
    builder.secnumbers, builder.fignumbers = {}, {}
    try:
        return builder.render_partial(node)["fragment"]
    finally:
        for name, value in zip(("secnumbers", "fignumbers"), before, strict=True):
            if value is missing:
                delattr(builder, name)
            else:
                setattr(builder, name, value)


def _reading_order(app: Sphinx) -> tuple[str | None, list[str], str | None]:
    """The DWCP index's document, the programmes' pages in order, and the document after."""
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    index_page = _index_page(app)
    after_index = builder.relations.get(index_page, [None, None, None])[2] if index_page else None
    data = dwcp_data(app.env)
    ordered = [
        page.pagename
        for page in data.in_country_order(app.config.language or "en")
        if page.pagename not in app.env.all_docs
    ]
    return index_page, ordered, after_index


def lead_through_the_programmes(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context``: "next" from the DWCP index, "previous" after it, via the pages.

    When the programmes' pages were documents, the index's table of contents listed them,
    so a reader going from page to page read them all after the index. They are no
    documents now; the index's "next" leads to the first and the document after it goes
    back to the last, so the site reads in the same order.
    """
    if not _is_html(app) or pagename in dwcp_data(app.env).pages or "next" not in context:
        return
    index_page, ordered, after_index = _reading_order(app)
    if not ordered or pagename not in (index_page, after_index):
        return
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    body = _PageBody(app, None)  # for the titles only
    if pagename == index_page:
        context["next"] = _relation(body, pagename, ordered[0])
        key, text = "N", _("next")
    else:
        context["prev"] = _relation(body, pagename, ordered[-1])
        key, text = "P", _("previous")
    relation = context["next"] if key == "N" else context["prev"]
    rellinks = [link for link in context.get("rellinks", []) if link[2] != key]
    if relation is not None:
        rellinks.append((relation["pagename"], relation["title"], key, text))
    context["rellinks"] = rellinks


# -- furo's navigation tree, once per folder -----------------------------------------------


def hand_furo_no_toctree(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context`` before furo's: a DWCP page's ``toctree`` waits aside.

    furo makes its navigation tree from ``toctree()`` for every page; without it, furo
    makes an empty tree at no cost, and ``give_furo_the_folder_tree`` puts in the one
    made once for the folder.
    """
    if is_dwcp_page(app, pagename) and "toctree" in context:
        context[_TOCTREE_KEPT] = context.pop("toctree")


def give_furo_the_folder_tree(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context`` after furo's: ``toctree`` back, and the folder's tree.

    furo also hides "On this page" for a page that is no document (it looks for its
    table of contents among the documents'); the page's own ``toc`` decides instead.
    """
    if _TOCTREE_KEPT not in context:
        return
    context["toctree"] = context.pop(_TOCTREE_KEPT)
    if "furo_navigation_tree" in context:
        context["furo_navigation_tree"] = folder_navigation(app, pagename)[1]
        if "furo_hide_toc" in context:
            context["furo_hide_toc"] = not context.get("display_toc")


# -- search ------------------------------------------------------------------------------


class _SearchCache:
    """Each page's search content as the last build made it, by page name.

    An entry serves while the page's data digest is the same; the whole file serves only
    for what every page is made with besides its data (``site_stamp``: our code and its
    labels, the language, the settings, the compiled catalogues, a project's translated
    labels among them), the same smart quotes, docutils and Sphinx. Written to a temporary
    file renamed into place; a file that cannot be read, or was written by other code, is
    no cache (the contents are made again).
    """

    def __init__(self, app: Sphinx, body: _PageBody) -> None:
        self.path = Path(app.doctreedir) / SEARCH_CACHE_FILE
        self.stamp = (
            _SEARCH_CACHE_FORMAT,
            _digest(repr(site_stamp(app))),
            body.smart,
            body.quotes_action,
            docutils.__version__,
            sphinx_version,
        )
        self.kept = self._read()
        self.now: dict[str, tuple[str, tuple[str, str, list[list[str]], str]]] = {}
        self.changed = False

    def _read(self) -> dict[str, tuple[str, object]]:
        try:
            stored = marshal.loads(self.path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return {}
        if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != self.stamp:
            return {}
        entries = stored[1]
        return entries if isinstance(entries, dict) else {}

    def content(self, body: _PageBody, page: DwcpPage) -> SearchContent:
        """The page's content: kept, when made from the same data, or made now."""
        kept = self.kept.get(page.pagename)
        content = None
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == page.digest:
            content = SearchContent.from_plain(kept[1])
        if content is None:
            content = body.search_content(page)
            self.changed = True
        self.now[page.pagename] = (page.digest, content.plain())
        return content

    def save(self) -> None:
        """The contents of this build, when any was made or any page went away."""
        if not self.changed and self.now.keys() == self.kept.keys():
            return
        # a value marshal cannot write (ValueError): no cache, as when it cannot be written
        with contextlib.suppress(ValueError):
            keep_for_next_build(self.path, marshal.dumps((self.stamp, self.now)))


def add_pages_to_search(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: every programme's page in the site's search index.

    Sphinx's index holds documents only: as it writes the index it drops every other page
    (``prune`` to the documents). Once it is written, each programme's page, written now
    or kept, is fed to the same index through its public ``feed`` and the index is
    written again, to a temporary file renamed into place. What each page gives the index
    is kept across builds (``_SearchCache``): an unchanged page's is read, not made.
    """
    if exception is not None or not _is_html(app):
        return
    builder = app.builder
    assert isinstance(builder, StandaloneHTMLBuilder)
    written = _written_now.pop(builder, None)
    if written is None:
        return
    outdir = Path(app.outdir)
    indexer = builder.indexer
    data = dwcp_data(app.env)
    if indexer is not None and written and check_result(app.env) is not None:
        body = _PageBody(app, None)  # for the texts only
        cache = _SearchCache(app, body)
        chinese = body.language.startswith("zh")
        for pagename in written:
            page = data.pages[pagename]
            content = cache.content(body, page)
            indexer.feed(pagename, page.file, content.title, content.doctree(page.file, chinese))
        cache.save()
        path = outdir / builder.searchindex_filename
        temporary = path.with_name(f"{path.name}.rbmdocs.tmp")
        if builder.indexer_dumps_unicode:
            with temporary.open("w", encoding="utf-8") as text_stream:
                indexer.dump(text_stream, builder.indexer_format)
        else:
            with temporary.open("wb") as byte_stream:
                indexer.dump(byte_stream, builder.indexer_format)
        temporary.replace(path)
    (outdir / WRITTEN_FILE).write_text(json.dumps(written, sort_keys=True), "utf-8")


def setup_dwcp_pages(app: Sphinx) -> None:
    """The pages, furo's tree once per folder, and the search index."""
    app.connect("html-collect-pages", collect_dwcp_pages)
    # around furo's own listener (priority 500), which makes the tree for every page
    app.connect("html-page-context", hand_furo_no_toctree, priority=400)
    app.connect("html-page-context", give_furo_the_folder_tree, priority=600)
    app.connect("html-page-context", lead_through_the_programmes)
    app.connect("build-finished", add_pages_to_search)
