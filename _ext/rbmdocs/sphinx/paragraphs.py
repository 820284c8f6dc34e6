"""Numbered paragraphs: 1, 2, 3 … through each document, the same in HTML and PDF.

Governing Body documents number every paragraph of body text through the whole
document, so that a member can cite "paragraph 12". Headings, tables, need metadata,
captions, list items and rubrics are not numbered; the prose of a need (an outcome
strategy's text) is body text and is.

The numbers are decided in Python, never by LaTeX, so that HTML and PDF agree:

- at ``doctree-read`` each body paragraph of a page gets its place on that page (an
  attribute of the paragraph node itself, so that it survives the node being moved, as the
  need view moves a need's prose into its own container);
- after reading (``env-get-updated``) the pages of each document are put in the order of
  its table of contents from its start page (``rbmdocs_documents[*].start``), and each
  page gets the count of paragraphs before it; pages whose numbers moved are written
  again, so an incremental build renumbers every page after an edited one;
- when a page (or a PDF's merged tree) is resolved, each paragraph gets its number as a
  first child (an inline of class ``rbmdocs-para-number``, set in the margin by the
  stylesheet and by ``\\DUrole{rbmdocs-para-number}`` in LaTeX).

A paragraph is cited by a label: ``(para-youth)=`` before it, and
``{para}`para-youth``` anywhere prints "paragraph 12" ("第12段" in Chinese), a link where
the format allows one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxRole
from sphinx.util.fileutil import copy_asset_file
from sphinx.util.nodes import make_refnode
from sphinx_needs.nodes import Need

from rbmdocs.config import settings
from rbmdocs.render.labels import label

DOMAIN = "rbmdocs_paragraphs"
#: The paragraph's place on its page (1, 2, …), set at read time.
PLACE = "rbmdocs_paragraph"
#: The page the paragraph was read from (a PDF's merged tree holds many pages).
PAGE = "rbmdocs_page"
NUMBER_CLASS = "rbmdocs-para-number"
STYLESHEET = "rbmdocs-paragraphs.css"
_STATIC = Path(__file__).parent.parent / "render" / "static"

#: Containers whose direct paragraphs are body text.
_BODY_PARENTS = (nodes.section, nodes.document, Need)


def body_paragraphs(doctree: nodes.Node) -> Iterator[nodes.paragraph]:
    """The paragraphs of body text, in reading order.

    A paragraph is body text when it stands directly in a section (or the page itself)
    or directly in a need, whose prose it is; paragraphs in lists, tables, admonitions,
    footnotes, captions and the like are not.
    """
    for paragraph in doctree.findall(nodes.paragraph):
        if isinstance(paragraph.parent, _BODY_PARENTS) and paragraph.astext().strip():
            yield paragraph


class ParagraphDomain(Domain):
    """What numbering needs across pages: paragraphs per page, labels, who cites what.

    Kept in a domain so that Sphinx pickles, purges and merges it per page; the numbers
    derived from it (``offsets``) are recomputed after every read.
    """

    name = DOMAIN
    label = "Numbered paragraphs"
    data_version = 2
    initial_data: ClassVar[dict[str, Any]] = {
        "counts": {},  # docname -> body paragraphs before its first toctree, and after
        "labels": {},  # label -> (docname, place on the page, anchor)
        "cites": {},  # docname -> labels the page cites
        "offsets": {},  # docname -> (document name, offset of its head, of its tail)
        "numbers": {},  # label -> number, as last written
    }
    dangling_warnings: ClassVar[dict[str, str]] = {
        "para": "no paragraph is labelled %(target)r; put (%(target)s)= before one"
    }

    @property
    def counts(self) -> dict[str, tuple[int, int]]:
        """Body paragraphs per page: before its first table of contents, and after it."""
        return self.data["counts"]  # type: ignore[no-any-return]

    @property
    def labels(self) -> dict[str, tuple[str, int, str]]:
        """Each label's page, place on the page and anchor."""
        return self.data["labels"]  # type: ignore[no-any-return]

    @property
    def cites(self) -> dict[str, set[str]]:
        """The labels each page cites."""
        return self.data["cites"]  # type: ignore[no-any-return]

    @property
    def offsets(self) -> dict[str, tuple[str, int, int]]:
        """Each numbered page's document and what to add to a place on it.

        One offset for the paragraphs before its table of contents, one for those after
        it: the pages it includes come in between.
        """
        return self.data["offsets"]  # type: ignore[no-any-return]

    def clear_doc(self, docname: str) -> None:
        """Forget what a page held (it is being read again or was removed)."""
        self.counts.pop(docname, None)
        self.cites.pop(docname, None)
        for name in [name for name, place in self.labels.items() if place[0] == docname]:
            del self.labels[name]

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        """Take the pages a parallel reader read."""
        for docname in docnames:
            if docname in otherdata["counts"]:
                self.counts[docname] = otherdata["counts"][docname]
            if docname in otherdata["cites"]:
                self.cites[docname] = otherdata["cites"][docname]
        for name, place in otherdata["labels"].items():
            if place[0] in docnames:
                self.labels[name] = place

    def number(self, docname: str, place: int) -> int | None:
        """The number of the ``place``-th paragraph of ``docname``, if it is in a document."""
        offset = self.offsets.get(docname)
        if offset is None:
            return None
        head = self.counts.get(docname, (0, 0))[0]
        return (offset[1] if place <= head else offset[2]) + place

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        """``{para}`label```: "paragraph 12", linked to the paragraph."""
        found = self.labels.get(target.lower())
        if typ != "para" or found is None:
            return None
        docname, place, anchor = found
        number = self.number(docname, place)
        if number is None:
            return None
        text = label("paragraph.cite", env.config.language, number=str(number))
        shown = nodes.inline(text, text, classes=["rbmdocs-para-ref"])
        return make_refnode(builder, fromdocname, docname, anchor, shown, text)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        """Paragraph labels are cited with ``{para}`` alone, not through ``{any}``."""
        return []


def _domain(env: BuildEnvironment) -> ParagraphDomain:
    domain = env.get_domain(DOMAIN)
    assert isinstance(domain, ParagraphDomain)
    return domain


class ParagraphRole(SphinxRole):
    """``{para}`label```: a reference to a labelled paragraph, by its number."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """A pending reference, resolved by the domain once every page is numbered."""
        target = self.text.strip().lower()
        reference = pending_xref(
            self.rawtext,
            refdomain=DOMAIN,
            reftype="para",
            reftarget=target,
            refexplicit=False,
            refwarn=True,
            refdoc=self.env.docname,
        )
        self.set_source_info(reference)
        reference += nodes.inline(target, target, classes=["xref", "rbmdocs-para-ref"])
        _domain(self.env).cites.setdefault(self.env.docname, set()).add(target)
        return [reference], []


def count_paragraphs(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: give each body paragraph its place on the page; note labels.

    Paragraphs after the page's table of contents are counted apart: in the document (and
    its PDF) they come after the pages it includes.
    """
    docname = app.env.docname
    domain = _domain(app.env)
    body = set(map(id, body_paragraphs(doctree)))
    place = 0
    head: int | None = None
    for node in doctree.findall(lambda n: isinstance(n, nodes.paragraph | addnodes.toctree)):
        if isinstance(node, addnodes.toctree):
            head = place if head is None else head
            continue
        if id(node) not in body or not isinstance(node, nodes.paragraph):
            continue
        place += 1
        node[PLACE] = place
        node[PAGE] = docname
        for name in node["names"]:
            if node["ids"]:
                domain.labels[name] = (docname, place, node["ids"][0])
    domain.counts[docname] = (place, 0) if head is None else (head, place - head)


def compute_offsets(
    env: BuildEnvironment, documents: Iterable[dict[str, Any]]
) -> dict[str, tuple[str, int, int]]:
    """Each page of each document with its offsets, in the PDF's order.

    The order of the document's table of contents from its start page: a page's own
    paragraphs before its table of contents, then the pages it includes, then its
    paragraphs after it.
    """
    counts = _domain(env).counts
    offsets: dict[str, tuple[str, int, int]] = {}
    for entry in documents:
        name = str(entry.get("name", ""))
        before = 0

        def visit(docname: str, name: str = name) -> None:
            nonlocal before
            if docname in offsets or docname not in env.all_docs:
                return  # a page in two documents keeps the numbers of the first
            head, tail = counts.get(docname, (0, 0))
            head_offset = before
            offsets[docname] = (name, head_offset, head_offset)
            before += head
            for included in env.toctree_includes.get(docname, []):
                visit(included)
            offsets[docname] = (name, head_offset, before - head)
            before += tail

        visit(str(entry.get("start", "")))
    return offsets


def renumber(_app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: number the pages again; rewrite those whose numbers moved.

    An edit that adds a paragraph to one page moves the numbers of every later page of
    its document, and of every citation of a paragraph there, though none of them was
    read again.
    """
    domain = _domain(env)
    previous = dict(domain.offsets)
    old_numbers: dict[str, int | None] = dict(domain.data["numbers"])
    domain.data["offsets"] = compute_offsets(env, settings(env.config).documents)
    numbers = {
        name: domain.number(docname, place) for name, (docname, place, _) in domain.labels.items()
    }
    domain.data["numbers"] = numbers
    moved = {
        docname
        for docname in set(previous) | set(domain.offsets)
        if previous.get(docname) != domain.offsets.get(docname)
    }
    changed_labels = {
        name
        for name in set(old_numbers) | set(numbers)
        if old_numbers.get(name) != numbers.get(name)
    }
    moved |= {docname for docname, cited in domain.cites.items() if cited & changed_labels}
    return sorted(docname for docname in moved if docname in env.all_docs)


class NumberParagraphs(SphinxPostTransform):
    """Give each body paragraph of a numbered page its number, as its first child."""

    default_priority = 900

    def run(self, **_kwargs: Any) -> None:
        """Number by the page each paragraph was read from (a PDF merges many pages)."""
        domain = _domain(self.env)
        for paragraph in list(self.document.findall(nodes.paragraph)):
            place = paragraph.get(PLACE)
            if not isinstance(place, int) or paragraph.get("rbmdocs_numbered"):
                continue
            number = domain.number(str(paragraph.get(PAGE, self.env.docname)), place)
            if number is None:
                continue
            text = f"{number}."
            paragraph.insert(0, nodes.inline(text, text, classes=[NUMBER_CLASS]))
            paragraph["classes"].append("rbmdocs-numbered")
            paragraph["rbmdocs_numbered"] = True


def _copy_stylesheet(app: Sphinx, _builder: object) -> None:
    """``write-started``: our stylesheet beside Sphinx's before any page names it."""
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    copy_asset_file(_STATIC / STYLESHEET, static, force=True)


def setup_paragraphs(app: Sphinx) -> None:
    """Register the domain, the role, the numbering and its stylesheet."""
    app.add_domain(ParagraphDomain)
    app.add_role("para", ParagraphRole())
    # after sphinx-needs has read its needs on doctree-read (500)
    app.connect("doctree-read", count_paragraphs, priority=900)
    app.connect("env-get-updated", renumber)
    app.add_post_transform(NumberParagraphs)
    app.add_css_file(STYLESHEET)
    app.connect("write-started", _copy_stylesheet)
