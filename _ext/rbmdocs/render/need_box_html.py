"""The head and option lines of a need box, written as HTML text in an HTML build.

Even drawn directly (``need_box.py``), a need box is some forty docutils nodes, and every
page of a large build holds hundreds of boxes: the nodes were made, then walked by
sphinx-needs' link pass, by the search indexer and by the HTML writer (at 5,314 needs,
cProfile: 4.1 s drawing them and 8.7 s in the writer's walk, of a 47 s build). In an HTML
build the box's table, rows and cells stay nodes
(the body of the need is ordinary content inside them, and the diagrams find the box by
its table), but the two cells sphinx-needs fills with lines (the head and the options and
links) become one ``prerendered_html`` node each: the exact HTML the docutils writer would
have written for those lines, with the links resolved as sphinx-needs resolves them.

The node keeps the words of the lines as its text, so the search index finds the same
words as before; the HTML writer writes the prepared text and skips the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator
from sphinx_needs.need_item import NeedItem

#: Characters the docutils HTML writer replaces in text and attribute values.
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", '"': "&quot;", ">": "&gt;", "@": "&#64;"})


def escape(text: str) -> str:
    """Text as the docutils HTML writer encodes it (``@`` included)."""
    return text.translate(_HTML_ESCAPES)


class prerendered_html(nodes.General, nodes.Element):
    """HTML prepared at resolve time; its text child holds the words, for the search."""


def visit_prerendered_html(translator: HTML5Translator, node: prerendered_html) -> None:
    """Write the prepared HTML, and nothing of the text child."""
    translator.body.append(node["html"])
    raise nodes.SkipNode


def _skip(_translator: Any, _node: prerendered_html) -> None:
    raise nodes.SkipNode


def prerendered(html: str, words: Iterable[str]) -> prerendered_html:
    """A node that writes ``html`` and is searched by ``words``."""
    return prerendered_html("", nodes.Text(" ".join(words)), html=html)


class HtmlLines:
    """Collects one cell's HTML and the words a reader sees in it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.words: list[str] = []

    def text(self, text: str) -> None:
        """Visible text."""
        self.parts.append(escape(text))
        self.words.append(text)

    def tag(self, html: str) -> None:
        """Markup only."""
        self.parts.append(html)

    def node(self) -> prerendered_html:
        """The cell's content as one node."""
        return prerendered("".join(self.parts), self.words)


def has_value(value: Any) -> bool:
    """Whether sphinx-needs' ``meta`` shows a field: not None, not empty text, not ``[]``."""
    return not (value is None or value == "" or value == [])


def value_html(out: HtmlLines, name: str, value: Any, prefix: str | None = None) -> bool:
    """What sphinx-needs' ``meta`` gives for one field, as HTML; False when it gives nothing."""
    if not has_value(value):
        return False
    out.tag(f'<span class="needs_{escape(name)}">')
    if prefix:
        out.tag('<span class="needs_label">')
        out.text(prefix)
        out.tag("</span>")
    if isinstance(value, str):
        out.tag('<span class="needs_data">')
        out.text(value)
        out.tag("</span>")
    elif isinstance(value, list):
        out.tag('<span class="needs_data_container">')
        for index, element in enumerate(value):
            if index:
                out.tag('<span class="needs_spacer">')
                out.text(", ")
                out.tag("</span>")
            out.tag('<span class="needs_data">')
            out.text(str(element))
            out.tag("</span>")
        out.tag("</span>")
    else:
        out.text(str(value))
    out.tag("</span>")
    return True


class LinkWriter:
    """Links to other needs as sphinx-needs resolves its link nodes, for one page."""

    def __init__(
        self, app: Sphinx, fromdocname: str, needs: Any, allows_dead: dict[str, bool]
    ) -> None:
        self.builder = app.builder
        self.fromdocname = fromdocname
        self.needs = needs
        self.allows_dead = allows_dead
        self._uris: dict[str, str] = {}

    def can_write(self, need: NeedItem, link_names: Iterable[str]) -> bool:
        """Whether every link of ``need`` goes to a need on a page (not external, no part)."""
        for name in link_names:
            for target_id in need[name] or ():
                if "." in str(target_id):
                    return False
                target = self.needs.get(str(target_id))
                if target is not None and (target["is_external"] or not target["docname"]):
                    return False
        return True

    def href(self, docname: str, anchor: str) -> str:
        """``make_refnode``'s link from this page to ``anchor`` on ``docname``."""
        if docname == self.fromdocname:
            return f"#{anchor}"
        uri = self._uris.get(docname)
        if uri is None:
            uri = self._uris[docname] = self.builder.get_relative_uri(self.fromdocname, docname)
        return f"{uri}#{anchor}"

    def reference(self, out: HtmlLines, docname: str, anchor: str, text: str, title: str) -> None:
        """An internal reference, attributes in the writer's (alphabetical) order."""
        out.tag(
            f'<a class="reference internal" href="{escape(self.href(docname, anchor))}" '
            f'title="{escape(title)}">'
        )
        out.text(text)
        out.tag("</a>")

    def links(self, out: HtmlLines, need: NeedItem, link_type: str, *, incoming: bool) -> None:
        """The resolved list of one link type, as ``process_need_outgoing``/``incoming``."""
        out.tag("<span>")
        written = False
        targets = [str(target) for target in need[f"{link_type}_back" if incoming else link_type]]
        for index, target_id in enumerate(targets):
            target = self.needs.get(target_id)
            if target is None:
                if incoming:
                    continue  # sphinx-needs warns and writes nothing for it
                classes = "needs_dead_link"
                if not self.allows_dead.get(link_type, True):
                    classes += " forbidden"
                out.tag(f'<span class="{classes}">')
                out.text(target_id)
                out.tag("</span>")
            else:
                anchor = target["id_parent"] if incoming else target["id"]
                self.reference(out, target["docname"], anchor, target["id"], need["id"])
            written = True
            if index + 1 < len(targets):
                out.text(", ")
        if not written:
            out.text("None")
        out.tag("</span>")


def setup_prerendered_html(app: Sphinx) -> None:
    """Register the node: written by HTML writers, skipped by any other."""
    app.add_node(
        prerendered_html,
        html=(visit_prerendered_html, _skip),
        latex=(_skip, _skip),
        text=(_skip, _skip),
        man=(_skip, _skip),
        texinfo=(_skip, _skip),
    )
