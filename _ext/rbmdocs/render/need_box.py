"""Need boxes drawn straight from the resolved needs, without sphinx-needs' layout engine.

sphinx-needs draws a box by parsing every line of its layout (``<<meta("region",
prefix="Region: ")>>``, one per option) with docutils' inline parser and calling a function
per placeholder, for every need on every page: at 5,314 needs that was a third of the whole
HTML build (cProfile, ``format_need_nodes``). Our two layouts are fixed, so the boxes they
describe are built here directly, node for node the same tree sphinx-needs builds (the same
classes, rows, lines and link nodes, so the stylesheet, the trace script, the LaTeX writer
and sphinx-needs' own link resolution see no difference), with two differences a reader
only gains from:

* lines for options a need does not have are never made (sphinx-needs makes them empty and
  ``drop_empty_meta_lines`` removed them afterwards);
* choice values are shown by their label in the build language straight away (what
  ``label_choice_values`` did afterwards), and the box's anchor ID is derived from the need
  ID, so two builds of the same sources give the same HTML.

A box of any other layout (a project's own) is left to sphinx-needs, and so is every box
when the project configures string links, which only sphinx-needs knows how to apply.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.nodes import make_refnode
from sphinx_needs.data import NeedsCoreFields, SphinxNeedsData
from sphinx_needs.functions.functions import find_and_replace_node_content
from sphinx_needs.need_item import NeedItem
from sphinx_needs.nodes import Need
from sphinx_needs.roles.need_incoming import NeedIncoming
from sphinx_needs.roles.need_outgoing import NeedOutgoing

from rbmdocs.render.labels import label
from rbmdocs.render.need_box_html import (
    HtmlLines,
    LinkWriter,
    escape,
    has_value,
    prerendered_html,
    value_html,
)
from rbmdocs.schema import NEED_TYPES_BY_NAME, ValueFormat

#: The doctree attribute that tells the later clean-up passes every box here was drawn by
#: us, so they need not walk the page looking for sphinx-needs' empty lines.
ALL_BOXES_DRAWN = "rbmdocs_all_need_boxes_drawn"


class BoxLayout:
    """What one of our layouts shows: the labelled options, in order, and what it hides.

    Made from the same declaration as the layout given to sphinx-needs
    (``needs_config.drawn_layouts``), so the two can never show different things.
    """

    def __init__(
        self,
        name: str,
        labelled_options: list[tuple[str, str]],
        hidden_from_rest: Iterable[str],
        language: str,
    ) -> None:
        self.name = name
        self.labelled_options = labelled_options
        self.hidden_from_rest = frozenset(hidden_from_rest)
        self.language = language


class BoxDrawer:
    """Draws the boxes of one page, with the facts that are the same for every box."""

    def __init__(self, app: Sphinx, fromdocname: str) -> None:
        self.app = app
        self.fromdocname = fromdocname
        self.needs_config_default_style: str = app.config.needs_default_style or ""
        self.table_classes: list[str] = list(app.config.needs_table_classes)
        #: In a PDF a table row cannot break across pages: a box whose description ran
        #: longer than what was left of its page moved whole to the next one, leaving
        #: half-empty pages throughout the Programme and Budget. There the box holds the
        #: heading, the options and the links, and the description follows as running text.
        self.content_after_box = app.builder.format == "latex"
        if app.builder.format == "latex":
            # every box the full width of the text, not as wide as its longest line
            self.table_classes.append("colwidths-given")
        schema = SphinxNeedsData(app.env).get_schema()
        self.links = [
            (link.name, link.display.outgoing, link.display.incoming)
            for link in schema.iter_link_fields()
        ]
        link_names = [name for name, _, _ in self.links]
        self.link_names = link_names + [f"{name}_back" for name in link_names]
        #: set in an HTML build whose link display sphinx-needs leaves at its default
        self.html_links: LinkWriter | None = None
        if app.builder.format == "html" and not (
            app.config.needs_show_link_title or app.config.needs_show_link_type
        ):
            self.html_links = LinkWriter(
                app,
                fromdocname,
                SphinxNeedsData(app.env).get_needs_view(),
                {link.name: bool(link.allow_dead_links) for link in schema.iter_link_fields()},
            )
        self.not_in_rest = (
            frozenset(
                name for name, props in NeedsCoreFields.items() if not props.get("show_in_layout")
            )
            | frozenset(link_names)
            | frozenset(f"{name}_back" for name in link_names)
        )
        self.choice_options = frozenset(
            field.name
            for spec in NEED_TYPES_BY_NAME.values()
            for field in spec.fields
            if field.value_format is ValueFormat.CHOICE
        )
        self.amount_options = frozenset(
            field.name
            for spec in NEED_TYPES_BY_NAME.values()
            for field in spec.fields
            if field.value_format is ValueFormat.AMOUNT
        )

    def box(self, need_node: Need, need: NeedItem, layout: BoxLayout) -> nodes.container:
        """The container sphinx-needs' ``build_need_repr`` would give, for one need."""
        style = need["style"] or self.needs_config_default_style
        classes = ["need", "needs_grid_simple", f"needs_layout_{layout.name}", *self.table_classes]
        if style:
            classes += [f"needs_style_{part.strip()}" for part in style.strip().split(",")]
        else:
            classes.append("needs_style_none")
        classes.append("needs_type_" + "".join(need["type"].split()))
        table = nodes.table(classes=classes, ids=[need["id"]])
        tgroup = nodes.tgroup(cols=0)
        tgroup += nodes.colspec(colwidth=100)
        body = nodes.tbody()
        head_entry = nodes.entry(classes=["need", "head"])
        meta_entry = nodes.entry(classes=["need", "meta"])
        plan = self._meta_plan(need, layout)
        if self.html_links is not None and self.html_links.can_write(need, self.link_names):
            head_entry += self._head_html(need, plan.separator)
            if plan.has_lines():
                meta_entry += self._meta_html(need, plan, self.html_links)
        else:
            head_entry += self._head(need, plan.separator)
            meta_lines = self._meta_lines(need, plan)
            if meta_lines:
                meta_entry += nodes.line_block("", *meta_lines, classes=["needs_meta"])
        rows = [("head", head_entry), ("meta", meta_entry)]
        content_entry = nodes.entry(classes=["need", "content"], morecols=0)
        if not self.content_after_box:
            content_entry.extend(need_node.children)
            rows.append(("content", content_entry))
        for row_class, entry in rows:
            row = nodes.row(classes=["need", row_class])
            row += entry
            body += row
        tgroup += body
        table += tgroup
        digest = hashlib.sha1(need["id"].encode("utf-8")).hexdigest()[:8]
        container = nodes.container(ids=[f"SNCB-{digest}"], classes=["need_container"])
        container += table
        if self.content_after_box and need_node.children:
            container += nodes.container(
                "", *need_node.children, classes=["need", "content", "rbmdocs-after-box"]
            )
        return container

    def _head(self, need: NeedItem, separator: str) -> nodes.line_block:
        """``type name: **title** ID``, the ID a link to the need's own anchor."""
        id_container = nodes.inline(classes=["needs-id"])
        if self.fromdocname and need["docname"]:
            id_container += make_refnode(
                self.app.builder,
                fromdocname=self.fromdocname,
                todocname=need["docname"],
                targetid=need["id"],
                child=nodes.Text(need["id"]),
                title=need["id"],
            )
        line = nodes.line()
        line += nodes.inline(
            "", "", *_value_box("type_name", need["type_name"]), nodes.Text(separator)
        )
        line += nodes.strong("", "", nodes.inline("", "", *_value_box("title", need["title"])))
        line += nodes.inline("", "", nodes.Text(" "), id_container)
        return nodes.line_block("", line, classes=["needs_head"])

    def _head_html(self, need: NeedItem, separator: str) -> prerendered_html:
        """``_head`` as the HTML the writer would give it."""
        out = HtmlLines()
        out.tag('<div class="needs_head line-block">\n<div class="line"><span>')
        value_html(out, "type_name", need["type_name"])
        out.text(separator)
        out.tag("</span><strong><span>")
        value_html(out, "title", need["title"])
        out.tag("</span></strong><span>")
        out.text(" ")
        out.tag('<span class="needs-id">')
        if self.html_links is not None and self.fromdocname and need["docname"]:
            self.html_links.reference(out, need["docname"], need["id"], need["id"], need["id"])
        out.tag("</span></span></div>\n</div>\n")
        return out.node()

    def _meta_plan(self, need: NeedItem, layout: BoxLayout) -> MetaPlan:
        """What the option and link lines show: options with a value, other fields, links."""
        plan = MetaPlan()
        plan.separator = label("option.separator", layout.language)
        for name, prefix in layout.labelled_options:
            value = need.get(name)
            if not has_value(value):
                continue
            if name in self.choice_options and isinstance(value, str):
                shown = label(f"{name}.{value}", layout.language)
                value = value if shown == f"{name}.{value}" else shown
            elif name in self.amount_options and isinstance(value, str) and value.isdigit():
                value = f"{int(value):,}"  # as the tables show amounts: 69,200,000
            plan.options.append((name, value, prefix))
        for name in need:
            if name in self.not_in_rest or name in layout.hidden_from_rest:
                continue
            value = need[name]
            if has_value(value):
                plan.rest.append((name, value, f"{name}: "))
        for name, outgoing, incoming in self.links:
            if need[name]:
                plan.links.append((outgoing, name, False))
            if need[f"{name}_back"]:
                plan.links.append((incoming, name, True))
        return plan

    def _meta_lines(self, need: NeedItem, plan: MetaPlan) -> list[nodes.line]:
        """The planned lines as nodes, as sphinx-needs' layout functions make them."""
        lines: list[nodes.line] = [
            nodes.line("", "", nodes.inline("", "", *_value_box(name, value, prefix)))
            for name, value, prefix in plan.options
        ]
        if plan.rest:
            rest = nodes.inline()
            for name, value, prefix in plan.rest:
                rest += nodes.line("", "", *_value_box(name, value, prefix))
            lines.append(nodes.line("", "", nodes.inline("", "", rest)))
        if plan.links:
            link_lines = [
                _link_line(text, name, need["id"], incoming=incoming, separator=plan.separator)
                for text, name, incoming in plan.links
            ]
            lines.append(nodes.line("", "", nodes.inline("", "", *link_lines)))
        return lines

    def _meta_html(self, need: NeedItem, plan: MetaPlan, links: LinkWriter) -> prerendered_html:
        """``_meta_lines`` as the HTML the writer would give them, links resolved."""
        out = HtmlLines()
        out.tag('<div class="needs_meta line-block">\n')
        for name, value, prefix in plan.options:
            out.tag('<div class="line"><span>')
            value_html(out, name, value, prefix)
            out.tag("</span></div>\n")
        if plan.rest:
            out.tag('<div class="line"><span><span>')
            for name, value, prefix in plan.rest:
                out.tag('<div class="line">')
                value_html(out, name, value, prefix)
                out.tag("</div>\n")
            out.tag("</span></span></div>\n")
        if plan.links:
            out.tag('<div class="line"><span>')
            for text, name, incoming in plan.links:
                out.tag('<div class="line">')
                out.text(f"{text}{plan.separator}")
                out.tag(f'<span class="{escape(name)}">')
                links.links(out, need, name, incoming=incoming)
                out.tag("</span></div>\n")
            out.tag("</span></div>\n")
        out.tag("</div>\n")
        return out.node()


class MetaPlan:
    """The lines of a box's option cell, before they are drawn as nodes or as HTML."""

    def __init__(self) -> None:
        #: (option, value as shown, label) for each labelled option with a value
        self.options: list[tuple[str, Any, str]] = []
        #: the same for any other field the layout does not hide
        self.rest: list[tuple[str, Any, str]] = []
        #: (label, link type, incoming) for each link type the need has links of
        self.links: list[tuple[str, str, bool]] = []
        #: between a label and its value: ": ", or "：" in Chinese
        self.separator = ": "

    def has_lines(self) -> bool:
        """Whether the cell shows anything."""
        return bool(self.options or self.rest or self.links)


def _value_box(name: str, value: Any, prefix: str | None = None) -> list[nodes.inline]:
    """What sphinx-needs' ``meta`` gives for one field: one box, or none without a value."""
    if not has_value(value):
        return []
    container = nodes.inline(classes=[f"needs_{name}"])
    if prefix:
        container += nodes.inline("", "", nodes.Text(prefix), classes=["needs_label"])
    if isinstance(value, str):
        container += nodes.inline("", "", nodes.Text(value), classes=["needs_data"])
    elif isinstance(value, list):
        items = nodes.inline(classes=["needs_data_container"])
        for index, element in enumerate(value):
            if index:
                items += nodes.inline("", "", nodes.Text(", "), classes=["needs_spacer"])
            items += nodes.inline("", "", nodes.Text(str(element)), classes=["needs_data"])
        container += items
    else:
        container += nodes.Text(str(value))
    return [container]


def _link_line(
    text: str, link_type: str, need_id: str, *, incoming: bool, separator: str
) -> nodes.line:
    """``contributes to: IO_2``: sphinx-needs' own link node, which it resolves later."""
    link_node: nodes.Element
    if incoming:
        link_node = NeedIncoming(reftarget=need_id, link_type=f"{link_type}_back")
    else:
        link_node = NeedOutgoing(reftarget=need_id, link_type=link_type)
    link_node.append(nodes.inline(need_id, need_id))
    return nodes.line(
        "",
        "",
        nodes.Text(f"{text}{separator}"),
        nodes.inline("", "", link_node, classes=[link_type]),
    )


def draw_need_boxes(
    app: Sphinx, doctree: nodes.document, fromdocname: str, layouts: dict[str, BoxLayout]
) -> None:
    """Draw the boxes of ``layouts`` on one page, before sphinx-needs draws the others.

    Mirrors what sphinx-needs does to a need node before drawing it: a node whose need
    was recorded on another document (two workers of ``-j N`` read the same ID) and a
    hidden need are removed, and dynamic functions in the body are replaced.
    """
    need_nodes = list(doctree.findall(Need))
    if not layouts or not need_nodes:
        doctree[ALL_BOXES_DRAWN] = bool(layouts)
        return
    needs = SphinxNeedsData(app.env).get_needs_view()
    default_layout = app.config.needs_default_layout
    drawer = BoxDrawer(app, fromdocname)
    all_drawn = True
    for need_node in need_nodes:
        need = needs.get(need_node["ids"][0])
        layout = layouts.get((need["layout"] or default_layout) if need else "")
        if need is None or layout is None:
            all_drawn = False
            continue
        node_docname = need_node.get("docname")
        if (node_docname and node_docname != need["docname"]) or need["hide"]:
            need_node.parent.remove(need_node)
            continue
        find_and_replace_node_content(need_node, app.env, need)
        need_node.parent.replace(need_node, drawer.box(need_node, need, layout))
    doctree[ALL_BOXES_DRAWN] = all_drawn


#: The environment attribute holding, per page, the signature of what its boxes show of
#: other needs (kept with the pickled environment, for the next build to compare).
_BOX_SIGNATURES = "rbmdocs_box_signatures"


def _box_signatures(env: BuildEnvironment) -> dict[str, frozenset[tuple[str, ...]]]:
    """Page → what its need boxes show of *other* needs.

    A box lists the needs linking to it ("contributed to by CPO_KEN_101"), and every link
    in it points at the page of the need at its other end, or shows a dead link. Those
    change when another page changes, while the box's own page is not re-read. Computed
    from the needs as read (before sphinx-needs builds its back links), in one pass over
    the links; kept as sets, which compare without sorting.
    """
    needs = SphinxNeedsData(env).get_needs_mutable()
    link_names = [link.name for link in SphinxNeedsData(env).get_schema().iter_link_fields()]
    page_of = {need_id: need["docname"] or "" for need_id, need in needs.items()}
    seen: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for need_id, need in needs.items():
        source_page = page_of[need_id]
        for name, targets in _written_links(need, link_names):
            for target in targets:
                target_id = str(target)
                target_page = page_of.get(target_id)
                dead_or_page = "-" if target_page is None else target_page
                seen[source_page].add((need_id, name, target_id, dead_or_page))
                if target_page is not None:
                    seen[target_page].add((target_id, name, need_id, source_page, "<"))
    return {page: frozenset(facts) for page, facts in seen.items()}


def _written_links(need: Any, link_names: list[str]) -> Iterable[tuple[str, list[str]]]:
    """Each link option of a need with its targets, in one call when sphinx-needs can.

    Asking ``need.get`` for each of the 14 link options of 20,000 needs was a third of a
    one-file rebuild's page comparisons.
    """
    try:
        return need.iter_links_items()  # type: ignore[no-any-return]
    except AttributeError:
        return ((name, need.get(name) or []) for name in link_names)


def pages_with_changed_boxes(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: pages not re-read whose boxes now show other links.

    Without it, an edit that moves a CPO from one immediate outcome to another leaves both
    outcomes' pages listing the old link (the stale pages of sphinx-needs' issue 354).
    Only HTML builds compare and keep the signatures: ``rbmdocs check`` and the PDF build
    share the environment, and must not make the next HTML build think its pages are
    up to date.
    """
    if app.builder.format != "html":
        return []
    before: dict[str, frozenset[tuple[str, ...]]] = getattr(env, _BOX_SIGNATURES, {})
    now = _box_signatures(env)
    setattr(env, _BOX_SIGNATURES, now)
    if not before:
        return []  # a first build writes every page anyway
    changed = {
        docname for docname in now.keys() | before.keys() if now.get(docname) != before.get(docname)
    }
    return sorted(docname for docname in changed if docname in env.all_docs)
