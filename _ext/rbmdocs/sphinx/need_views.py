"""Our presentation of every need, in place of sphinx-needs' box, through public Sphinx API.

sphinx-needs draws a need as a box of ``option: ID`` lines; a Governing Body document
presents an outcome as its statement, its indicators, its strategy and its resources, and
names what it links to. ``render/need_view_model.py`` decides what each need shows; this
module makes docutils nodes of it:

* a post-transform (``SphinxPostTransform``, the way Sphinx resolves a page before
  writing) replaces each need node of our types with our view, the need's own text moved
  in unchanged. sphinx-needs keeps every need in its data, resolves ``{need}``
  references and writes ``needs.json`` as before; it is left nothing of ours to draw, and
  still draws the needs of any type a project adds itself;
* two nodes of our own with a visitor per writer: the view (an anchor in every format)
  and, in HTML, the traceability panel (``<details>``: every link by name, the IDs, the
  trace lists and the diagram);
* the read phase notes what a view shows beyond the need's record (an indicator's
  wording, the heading a need stands under), per document, where Sphinx purges and
  merges it;
* ``env-get-updated`` returns the pages whose views now show something else, because a
  view shows other needs (an outcome names the countries behind it): without it, a page
  not read again would keep the old names.
"""

from __future__ import annotations

import hashlib
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.html5 import HTML5Translator
from sphinx.writers.latex import LaTeXTranslator
from sphinx_needs.api import get_needs_view
from sphinx_needs.nodes import Need

from rbmdocs.config import settings
from rbmdocs.graph import NeedGraph
from rbmdocs.render.need_view_model import (
    CountryGroup,
    Fact,
    LinkGroup,
    NeedRef,
    NeedTexts,
    NeedView,
    ViewMaker,
)
from rbmdocs.schema import NEED_TYPES_BY_NAME
from rbmdocs.sphinx.checking import check_result, graph_as_read
from rbmdocs.sphinx.dwcp_data import dwcp_data
from rbmdocs.sphinx.env_data import need_texts, notes_for
from rbmdocs.sphinx.table_kit import need_link, table


class need_view(nodes.General, nodes.Element):
    """One need as we present it; its ``ids`` are the need's ID, the anchor of every link."""


class need_panel(nodes.General, nodes.Element):
    """The traceability panel of a need (HTML): its links by name, its ID, its trace."""


# -- the read phase: what a view shows beyond the record --------------------------------


def note_need_texts(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: each need's first paragraph and the heading it is known by.

    Read from the doctree as read, so in the build language: a Chinese build notes the
    translated wording. An indicator's wording fills its row in the outcome's table on
    another page. A heading names a need ("Outcome 4: Social security") only when it is a
    subsection holding no other need of the same type: a page's title, or a heading over
    three outcomes, names none of them.
    """
    notes = notes_for(app.env, app.env.docname)
    by_section: dict[int, list[tuple[str, str, nodes.section]]] = defaultdict(list)
    for need_node in doctree.findall(Need):
        if not need_node.get("ids"):
            continue
        need_id = need_node["ids"][0]
        first = next(
            (child for child in need_node.children if isinstance(child, nodes.paragraph)), None
        )
        if first is not None:
            notes.statements[need_id] = first.astext().strip()
        section = _enclosing_section(need_node)
        if section is not None and _enclosing_section(section) is not None:
            # sphinx-needs gives the node the class ``need-<type>``
            need_type = next(
                (name[5:] for name in need_node["classes"] if name.startswith("need-")), ""
            )
            by_section[id(section)].append((need_id, need_type, section))
    for members in by_section.values():
        types = Counter(need_type for _, need_type, _ in members)
        for need_id, need_type, section in members:
            if types[need_type] == 1 and section.children and isinstance(section[0], nodes.title):
                notes.sections[need_id] = section[0].astext().strip()


def _enclosing_section(node: nodes.Node) -> nodes.section | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    return parent


def view_maker(app: Sphinx, graph: NeedGraph) -> ViewMaker:
    """The view maker of this build: its graph, texts, language and bienniums."""
    return ViewMaker(
        graph, need_texts(app.env), app.config.language or "en", settings(app.config).bienniums
    )


# -- the write phase: views in place of sphinx-needs' boxes ------------------------------

#: One view maker per environment and build (the graph is the check's, made once).
_makers: weakref.WeakKeyDictionary[BuildEnvironment, tuple[int, ViewMaker]] = (
    weakref.WeakKeyDictionary()
)


#: The application of each environment, noted as its builder starts: a transform's own
#: ``app`` is deprecated in Sphinx 9, and a view needs the builder to link and the app to
#: ask sphinx-needs for its needs.
_app_of: weakref.WeakKeyDictionary[BuildEnvironment, Sphinx] = weakref.WeakKeyDictionary()


def _note_app(app: Sphinx) -> None:
    """``builder-inited``: the app of this environment, for the transform."""
    _app_of[app.env] = app


def app_of(env: BuildEnvironment) -> Sphinx | None:
    """The application building ``env`` (for a transform: its own ``app`` is deprecated)."""
    return _app_of.get(env)


class NeedViewTransform(SphinxPostTransform):
    """Replace each need node of our types with our view of the need."""

    default_priority = 200

    def run(self, **kwargs: Any) -> None:
        """Draw the views of this page (or of this PDF's merged tree)."""
        need_nodes = [node for node in self.document.findall(Need) if node.get("ids")]
        if not need_nodes:
            return
        result = check_result(self.env)
        app = _app_of.get(self.env)
        if result is None or app is None:
            return
        found = _makers.get(self.env)
        if found is None or found[0] != id(result):
            found = (id(result), view_maker(app, result.graph))
            _makers[self.env] = found
        maker = found[1]
        needs = get_needs_view(app)
        writer = ViewWriter(app, self.env.docname, maker)
        for need_node in need_nodes:
            need_id = need_node["ids"][0]
            need = needs.get(need_id)
            if need is None or need["type"] not in NEED_TYPES_BY_NAME:
                continue  # a project's own type: sphinx-needs draws it
            written_on = need_node.get("docname")
            if (written_on and written_on != need["docname"]) or need["hide"]:
                # a second need of this ID (reported as RBM004), or one the author hid
                need_node.parent.remove(need_node)
                continue
            view = maker.view(need_id)
            if view is None:
                continue
            need_node.replace_self(writer.view(view, list(need_node.children)))


class ViewWriter:
    """Turns view models into nodes for one page, in the format of its builder."""

    def __init__(self, app: Sphinx, docname: str, maker: ViewMaker) -> None:
        self.builder: Builder = app.builder
        self.env = app.env
        self.docname = docname
        self.maker = maker
        self.html = app.builder.format == "html"
        #: the words of the build language, as the model words them
        self.text = maker.text

    # -- links --

    def link(self, ref: NeedRef, text: str | None = None) -> nodes.Node:
        """A link to the need by name; in a PDF, text alone when it is in another PDF."""
        shown = ref.name if text is None else text
        return need_link(self.builder, self.env, self.docname, ref.id, ref.file, shown)

    def links(self, refs: Sequence[NeedRef], *, by_id: bool = False) -> list[nodes.Node]:
        """Links separated as a list of the language separates them."""
        separator = self.text("list.separator")
        out: list[nodes.Node] = []
        for index, ref in enumerate(refs):
            if index:
                out.append(nodes.Text(separator))
            if by_id:
                out.append(self.link(ref, ref.id))
            else:
                out.append(self.link(ref))
        return out

    def id_node(self, need_id: str) -> nodes.inline:
        """An ID where one must appear, in the face whose underscores do not widen."""
        return nodes.inline(need_id, need_id, classes=["rbmdocs-id"])

    # -- the view --

    def view(self, view: NeedView, content: list[nodes.Node]) -> need_view:
        """The whole view: heading, indicators, text, facts, resources, countries, panel."""
        classes = ["rbmdocs-need", f"rbmdocs-need-{view.type}"]
        if view.compact:
            classes.append("rbmdocs-need-compact")
        node = need_view(ids=[view.id], classes=classes, need_type=view.type)
        if view.show_heading or not self.html:
            node += self.heading(view)
        if view.indicators:
            node += self.indicator_table(view)
        if content:
            text = nodes.container(classes=["rbmdocs-need-text"])
            if view.strategy_title:
                text += nodes.rubric(view.strategy_title, view.strategy_title)
            if view.lead_facts and content and isinstance(content[0], nodes.paragraph):
                text += content[0]
                text += self.facts(view.lead_facts)
                text.extend(content[1:])
            else:
                text.extend(content)
            node += text
        if view.facts:
            node += self.facts(view.facts)
        if view.resources:
            node += self.resources(view)
        if view.countries:
            node += self.countries(view.countries_label, view.countries)
        if self.html:
            node += self.panel(view)
        return node

    def heading(self, view: NeedView) -> nodes.paragraph:
        """The first line: the statement or title, with the need's reference beside it.

        In a PDF the ID is the reference, in small type; in HTML it heads the panel.
        """
        paragraph = nodes.paragraph(classes=["rbmdocs-need-heading"])
        if not view.show_heading:  # a PDF still gives the reference, under the section's
            paragraph += nodes.inline("", "", self.id_node(view.id), classes=["rbmdocs-need-ref"])
            return paragraph
        if view.statement_ref is not None and view.type != "target":
            paragraph += nodes.strong("", "", self.link(view.statement_ref, view.heading))
        else:
            paragraph += nodes.strong(view.heading, view.heading)
        if not self.html:
            paragraph += nodes.Text(" ")
            paragraph += nodes.inline("", "", self.id_node(view.id), classes=["rbmdocs-need-ref"])
        return paragraph

    def indicator_table(self, view: NeedView) -> nodes.Node:
        """Indicator, measurement, baseline and the target of each biennium."""
        headers = [
            self.text("view.indicator"),
            self.text("option.measurement"),
            self.text("option.baseline"),
            *(self.text("view.target_column", biennium=biennium) for biennium in view.bienniums),
        ]
        rows: list[list[nodes.Node | str]] = []
        for row in view.indicators:
            cell = nodes.container(classes=["rbmdocs-indicator-cell"])
            name = nodes.paragraph()
            name += nodes.strong("", "", self.link(row.indicator))
            cell += name
            if row.statement:
                cell += nodes.paragraph(row.statement, row.statement)
            targets: list[nodes.Node | str] = []
            for _biennium, value, target in row.targets:
                if target is None or not value:
                    targets.append("")
                elif self.html:
                    targets.append(self.link(target, value))
                else:  # in print a cross-reference would set the value in italics
                    targets.append(value)
            rows.append([cell, row.measurement, row.baseline, *targets])
        made = table(headers, rows, classes=["rbmdocs-indicators"], widths=[34, 26, 18, 22])
        return made

    def facts(self, facts: Iterable[Fact]) -> nodes.Element:
        """Labelled values; a value that is a link names its target.

        On the web a grid of labels and values (a field list); in print a line each,
        the label in bold, as a printed document sets such details.
        """
        if not self.html:
            lines = nodes.container(classes=["rbmdocs-need-facts"])
            for fact in facts:
                line = nodes.paragraph()
                shown = f"{fact.label}{self.text('option.separator')}"
                line += nodes.strong(shown, shown)
                line += self.fact_value(fact)
                lines += line
            return lines
        field_list = nodes.field_list(classes=["rbmdocs-need-facts"])
        for fact in facts:
            body = nodes.paragraph()
            body += self.fact_value(fact)
            field_list += nodes.field(
                "", nodes.field_name(fact.label, fact.label), nodes.field_body("", body)
            )
        return field_list

    def fact_value(self, fact: Fact) -> list[nodes.Node]:
        """The value of a fact: text, or the needs it names as links."""
        if not fact.refs:
            return [nodes.Text(fact.value)]
        if len(fact.refs) == 1:
            return [self.link(fact.refs[0], fact.value)]
        return self.links(fact.refs)

    def resources(self, view: NeedView) -> nodes.Node:
        """The amounts in one row of a table, the total last and in bold."""
        headers = [name for name, _ in view.resources]
        cells: list[nodes.Node | str] = [f"{amount:,}" for _, amount in view.resources[:-1]]
        total = f"{view.resources[-1][1]:,}"
        cells.append(nodes.strong(total, total))
        return table(headers, [cells], classes=["rbmdocs-need-resources"], numeric_from=0)

    def countries(self, title: str, groups: Sequence[CountryGroup]) -> nodes.Node:
        """Countries by region, one line a region ("Africa (20): Benin, …"); no ID."""
        container = nodes.container(classes=["rbmdocs-countries"])
        intro = nodes.paragraph(classes=["rbmdocs-countries-title"])
        intro += nodes.strong(title, title)
        container += intro
        container += self.country_list(groups)
        return container

    def country_list(self, groups: Sequence[CountryGroup]) -> nodes.bullet_list:
        """A line a region, as ``ViewMaker.country_lines`` words it."""
        items = nodes.bullet_list(classes=["rbmdocs-country-list"])
        for line in self.maker.country_lines(groups):
            items += nodes.list_item("", nodes.paragraph(line, line))
        return items

    # -- the traceability panel (HTML) --

    def panel(self, view: NeedView) -> need_panel:
        """Every link by name (IDs behind their own expander), then the trace lists."""
        summary = f"{self.text('view.panel')} · {view.type_label} {view.id}"
        panel = need_panel(summary=summary, open=view.panel_open, classes=["rbmdocs-need-panel"])
        for group in view.links:
            panel += self.link_group(group)
        return panel

    def link_group(self, group: LinkGroup) -> nodes.Node:
        """One kind of link: names, or countries by region with the codes behind them."""
        container = nodes.container(classes=["rbmdocs-link-group"])
        head = nodes.paragraph()
        head += nodes.strong(group.label, group.label)
        head += nodes.Text(self.text("option.separator"))
        if not group.countries:
            head.extend(self.links(group.refs))
            container += head
            return container
        container += head
        container += self.country_list(group.countries)
        codes = need_panel(
            summary=f"{self.text('view.codes')} ({len(group.refs)})",
            open=False,
            classes=["rbmdocs-need-codes"],
        )
        line = nodes.paragraph()
        line.extend(self.links(group.refs, by_id=True))
        codes += line
        container += codes
        return container


# -- writers' visitors -------------------------------------------------------------------


def visit_need_view_html(translator: HTML5Translator, node: need_view) -> None:
    """``<div id="IO_1" class="rbmdocs-need …">``."""
    translator.body.append(translator.starttag(node, "div"))


def depart_need_view_html(translator: HTML5Translator, _node: need_view) -> None:
    translator.body.append("</div>\n")


def visit_need_view_latex(translator: LaTeXTranslator, node: need_view) -> None:
    """The need's ID as a label that links in the PDF point to."""
    translator.body.append("\n" + translator.hypertarget_to(node, anchor=True) + "\n")


def visit_need_panel_html(translator: HTML5Translator, node: need_panel) -> None:
    """``<details>`` with the summary line: the panel opens on a click."""
    tag = translator.starttag(node, "details")
    if node.get("open"):
        tag = tag.replace("<details ", "<details open ", 1)
    translator.body.append(tag)
    translator.body.append(f"<summary>{translator.encode(node.get('summary', ''))}</summary>\n")


def depart_need_panel_html(translator: HTML5Translator, _node: need_panel) -> None:
    translator.body.append("</details>\n")


def _pass(_translator: Any, _node: nodes.Element) -> None:
    """Nothing of its own: the children are written as usual."""


def _skip(_translator: Any, _node: nodes.Element) -> None:
    """Not written in this format (the panel is the web edition's)."""
    raise nodes.SkipNode


# -- incremental builds: pages whose views show other needs that changed ------------------

#: Environment attributes, as of the last HTML build: need → (its page, a digest of what
#: its own record contributes to any view, the needs it links to); need → a digest of its
#: view; document → when it was read (``env.all_docs``).
_NEED_INPUTS = "rbmdocs_need_view_inputs"
_NEED_VIEWS = "rbmdocs_need_view_digests"
_READ_WHEN = "rbmdocs_view_docs_read"
#: How far a view reaches along links: a strategy shows its outcome's indicators'
#: targets, an outcome the programmes of the priorities its CPOs realise.
_VIEW_REACH = 3

_NeedInputs = tuple[str, str, tuple[str, ...]]


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _need_inputs(graph: NeedGraph, texts: NeedTexts, page: str, need_id: str) -> _NeedInputs:
    """(page, digest of everything the need's own record contributes to any view, targets)."""
    record = graph.need(need_id)
    assert record is not None
    incoming = sorted((link, sorted(ids)) for link, ids in graph.incoming_links(need_id).items())
    made_of = (
        record.type,
        record.title,
        sorted(record.fields.items()),
        sorted((link, list(targets)) for link, targets in record.links.items()),
        texts.statements.get(need_id, ""),
        texts.sections.get(need_id, ""),
        incoming,
    )
    targets = tuple(sorted({target for found in record.links.values() for target in found}))
    return page, _digest(repr(made_of)), targets


def _within_reach(graph: NeedGraph, start: set[str]) -> set[str]:
    """The needs at most ``_VIEW_REACH`` links away from ``start``, either way."""
    reached = set(start)
    frontier = set(start)
    for _step in range(_VIEW_REACH):
        following: set[str] = set()
        for need_id in frontier:
            record = graph.need(need_id)
            if record is not None:
                for targets in record.links.values():
                    following.update(targets)
            following.update(graph.sources(need_id))
        frontier = following - reached
        reached |= frontier
    return reached


def _pages_read_since(env: BuildEnvironment, read_when: dict[str, float]) -> set[str]:
    """Documents read (or removed) since the last HTML build, by any builder.

    ``rbmdocs check`` and the PDF build share the environment: a document one of them
    read is not read again by the next HTML build, yet its needs may have changed.
    """
    now = env.all_docs
    return {
        docname
        for docname in now.keys() | read_when.keys()
        if now.get(docname) != read_when.get(docname)
    }


def _touched_needs(
    graph: NeedGraph,
    page_of: dict[str, str],
    changed_pages: set[str],
    before: dict[str, _NeedInputs],
) -> set[str]:
    """Needs whose view inputs may differ from the last build's: proportional to the change.

    A need's inputs are its own record (changed only with its file) and its incoming
    links (changed only by the records of changed files, towards their targets before or
    after the change). Needs new or gone, or on no page, count as touched.
    """
    touched: set[str] = set()
    for record in graph:
        page = page_of.get(record.id)
        if page is None or page in changed_pages or record.id not in before:
            touched.add(record.id)
            for found in record.links.values():
                touched.update(found)
    for need_id, (page, _digest_before, targets) in before.items():
        if page in changed_pages or graph.need(need_id) is None:
            touched.add(need_id)
            touched.update(targets)
    return touched


def _view_digest(maker: ViewMaker, need_id: str) -> str:
    return _digest(repr(maker.view(need_id)))


#: Pages of this build, documents or not, whose views show something else than before.
_changed_pages: weakref.WeakKeyDictionary[BuildEnvironment, set[str]] = weakref.WeakKeyDictionary()


def changed_view_pages(env: BuildEnvironment) -> set[str]:
    """Pages whose views changed in this build, the programmes' pages among them."""
    return _changed_pages.get(env, set())


def pages_with_changed_views(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: pages not read again whose views now show something else.

    A view shows other needs (an outcome names the countries behind it), so an edit
    changes pages that were not edited. The work is proportional to the change, not to
    the project: the view inputs (a digest per need) are made again only for the needs
    of the documents read and the DWCP files changed since the last HTML build and for
    the needs they link to or linked to; only the views within a view's reach of the
    needs whose inputs changed are drawn again and compared, need by need, with what
    they showed; a page is written again when one of its views changed.

    Only HTML builds keep the digests: ``rbmdocs check`` and the PDF build share the
    environment and must not make the next HTML build think its pages are up to date.
    """
    _changed_pages.pop(env, None)
    if app.builder.format != "html":
        return []
    graph, locations = graph_as_read(app)
    maker = view_maker(app, graph)
    page_of = {
        record.id: page
        for record in graph
        if (page := locations.docname_of_file.get(record.file)) is not None
    }
    before_inputs: dict[str, _NeedInputs] = getattr(env, _NEED_INPUTS, {})
    before_views: dict[str, str] = getattr(env, _NEED_VIEWS, {})
    read_when: dict[str, float] = getattr(env, _READ_WHEN, {})
    setattr(env, _READ_WHEN, dict(env.all_docs))
    if not before_views:  # a first build writes every page anyway; note what each shows
        texts = maker.texts
        setattr(
            env,
            _NEED_INPUTS,
            {need: _need_inputs(graph, texts, page_of.get(need, ""), need) for need in graph.ids()},
        )
        setattr(env, _NEED_VIEWS, {need: _view_digest(maker, need) for need in page_of})
        return []
    data_pages = dwcp_data(env).page_of_file()
    changed_sources = _pages_read_since(env, read_when) | {
        data_pages.get(file, file.removesuffix(".yaml")) for file in dwcp_data(env).changed_files
    }
    touched = _touched_needs(graph, page_of, changed_sources, before_inputs)
    inputs = dict(before_inputs)
    changed_needs: set[str] = set()
    for need_id in touched:
        if graph.need(need_id) is None:
            if inputs.pop(need_id, None) is not None:
                changed_needs.add(need_id)
            continue
        made = _need_inputs(graph, maker.texts, page_of.get(need_id, ""), need_id)
        if made != inputs.get(need_id):
            inputs[need_id] = made
            changed_needs.add(need_id)
    setattr(env, _NEED_INPUTS, inputs)
    if not changed_needs:
        return []
    views = dict(before_views)
    changed: set[str] = set()
    for need_id in _within_reach(graph, changed_needs):
        page = page_of.get(need_id)
        if page is None:
            views.pop(need_id, None)
            continue
        digest = _view_digest(maker, need_id)
        if views.get(need_id) != digest:
            views[need_id] = digest
            changed.add(page)
    for need_id in changed_needs:  # a need gone or moved: its former page shows it no more
        former = before_inputs.get(need_id)
        if former is not None and former[0] and page_of.get(need_id) != former[0]:
            changed.add(former[0])
    setattr(env, _NEED_VIEWS, views)
    _changed_pages[env] = changed  # the programmes' pages are written by dwcp_pages
    return sorted(page for page in changed if page in env.all_docs)


def setup_need_views(app: Sphinx) -> None:
    """Our nodes with a visitor per writer, the transform, and the read-phase notes."""
    app.add_node(
        need_view,
        html=(visit_need_view_html, depart_need_view_html),
        latex=(visit_need_view_latex, _pass),
        text=(_pass, _pass),
        man=(_pass, _pass),
        texinfo=(_pass, _pass),
    )
    app.add_node(
        need_panel,
        html=(visit_need_panel_html, depart_need_panel_html),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_post_transform(NeedViewTransform)
    app.connect("builder-inited", _note_app)
    # after sphinx-needs has noted where each need stands (doctree-read, priority 500)
    app.connect("doctree-read", note_need_texts, priority=600)
    app.connect("env-get-updated", pages_with_changed_views)
