"""The programmes' needs the prose names, given to sphinx-needs as external needs.

sphinx-needs holds the Markdown needs only: the programmes' needs are read by our loader
(``dwcp_data``), and handing it all of them would cost every build the time it takes to
delete, add again, post-process and check each one (it reloads every external need on
each build). What it needs of them is the few a page names in prose (``{need}`CPO_KEN_101```)
or in a need's links, so that its own filters and views (``needtable``…) see those; so
those are written, before sphinx-needs loads its external needs, to a ``needs.json``
beside the doctrees that conf.py's ``needs_external_needs`` is given at start-up, with
each programme's page as the target. The file is written only when what it holds
changes.

Which needs the prose names is known before any page is read: a page not read again
names what it named when it was read (``ReadNotes.references``); a page about to be read
is searched for the programmes' IDs in its text, which can only name more.

A ``{need}`` reference to a programme's need is drawn here, as a link to its page like
any reference to a need of a document, with the need's title or the reference's own
text: sphinx-needs draws a reference to an external need as its bare ID.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.nodes import make_refnode
from sphinx_needs.roles.need_ref import NeedRef

from rbmdocs.config import settings
from rbmdocs.files import write_whole
from rbmdocs.graph.model import NeedRecord
from rbmdocs.sphinx.checking import reference_target
from rbmdocs.sphinx.dwcp_data import dwcp_data
from rbmdocs.sphinx.env_data import all_notes
from rbmdocs.sphinx.need_views import app_of

#: The file sphinx-needs reads the programmes' named needs from, beside the doctrees.
NEEDS_FILE = "rbmdocs-dwcp-needs.json"
#: The class sphinx-needs gives a link to one of them.
CSS_CLASS = "rbmdocs-dwcp-need"
#: What may be a need ID in a page's text.
_WORD = re.compile(r"[A-Za-z0-9_]+")


def needs_file(app: Sphinx) -> Path:
    """Where this build's named programme needs are written (one file per language)."""
    return Path(app.doctreedir) / NEEDS_FILE


def add_external_source(app: Sphinx, config: Config) -> None:
    """``config-inited``: our needs.json among sphinx-needs' external sources.

    The same entry on every build, so Sphinx sees the same configuration and the
    environment stays. Links go to ``<DWCP folder>/<file>.html#<ID>``, relative to the
    site's root; sphinx-needs makes them relative to each page.
    """
    path = str(needs_file(app))
    sources: list[dict[str, Any]] = [dict(source) for source in config.needs_external_needs]
    if any(source.get("json_path") == path for source in sources):
        return
    suffix = config.html_link_suffix
    if suffix is None:
        suffix = config.html_file_suffix or ".html"
    sources.append(
        {
            "base_url": str(settings(config).dwcp_dir).strip("/") or ".",
            "json_path": path,
            "target_url": f"{{{{ need.docname }}}}{suffix}#{{{{ need.id }}}}",
            "css_class": CSS_CLASS,
        }
    )
    config.needs_external_needs = sources


def _named_ids(env: BuildEnvironment, to_read: set[str], ids: set[str]) -> set[str]:
    """The programmes' IDs the pages name: as noted, or in the text of a page to read."""
    named: set[str] = set()
    for docname, notes in all_notes(env).items():
        if docname not in to_read and docname in env.found_docs:
            named.update(target for target, _line in notes.references if target in ids)
    for docname in to_read:
        try:
            text = Path(env.doc2path(docname)).read_text("utf-8", errors="replace")
        except OSError:
            continue
        named.update(ids.intersection(_WORD.findall(text)))
    return named


def _as_exchanged(record: NeedRecord) -> dict[str, Any]:
    """One need as a needs.json record: what sphinx-needs' filters may ask of it."""
    out: dict[str, Any] = {
        "id": record.id,
        "type": record.type,
        "title": record.title,
        "docname": record.file.rsplit("/", 1)[-1].rsplit(".", 1)[0],
    }
    for name, value in record.fields.items():
        if value:
            out[name] = value
    for name, targets in record.links.items():
        if targets:
            out[name] = list(targets)
    return out


def write_named_needs(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``, after the programmes are read: write the needs.json.

    Before ``env-before-read-docs``, where sphinx-needs loads it. Re-reads no document.
    """
    records = {record.id: record for record in dwcp_data(env).records()}
    named = _named_ids(env, (added | changed) - removed, set(records))
    content = {
        "current_version": "1.0",
        "versions": {
            "1.0": {
                "needs": {need_id: _as_exchanged(records[need_id]) for need_id in sorted(named)}
            }
        },
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1)
    path = needs_file(app)
    try:
        unchanged = path.read_text("utf-8") == text
    except OSError:
        unchanged = False
    if not unchanged:
        write_whole(path, text)
    return []


class DwcpReferenceTransform(SphinxPostTransform):
    """A ``{need}`` reference to a programme's need: a link to its page, read by its title.

    Before sphinx-needs resolves the references (as a page is resolved), so that the
    reference reads as one to a need of a document does: the need's title, or the text
    the reference gives, where sphinx-needs would print the bare ID of an external need.
    """

    default_priority = 100

    def run(self, **kwargs: Any) -> None:
        """Resolve the references of this page that name a programme's need."""
        references = list(self.document.findall(NeedRef))
        if not references:
            return
        data = dwcp_data(self.env)
        if not data.pages:
            return
        page_of = data.page_of_file()
        records = {record.id: record for record in data.records()}
        for reference in references:
            address = str(reference["reftarget"])
            record = records.get(address)
            if record is None or reference_target(address) != address:
                continue  # not a programme's need (or a part of one): sphinx-needs' own
            reference.replace_self(self._link(reference, record, page_of[record.file]))

    def _link(self, reference: NeedRef, record: NeedRecord, pagename: str) -> nodes.Node:
        first = reference[0] if reference.children else None
        inner: nodes.Element = (
            first.deepcopy() if isinstance(first, nodes.Element) else nodes.emphasis()
        )
        written = inner.astext()
        shown = written if written and written != record.id else record.title or record.id
        inner.children = []
        inner += nodes.Text(shown)
        app = app_of(self.env)
        if app is None:
            return inner
        try:
            link: nodes.Node = make_refnode(
                app.builder, self.env.docname, pagename, record.id, inner, record.id
            )
        except NoUri:  # a PDF holds no programme's page: the text alone
            return inner
        return link


def setup_dwcp_external(app: Sphinx) -> None:
    """Our source among sphinx-needs' external needs, its file, and the references."""
    # after configure_sphinx_needs (5); sphinx-needs reads the sources as it loads them
    app.connect("config-inited", add_external_source, priority=20)
    # after the programmes are read (dwcp_data, priority 100)
    app.connect("env-get-outdated", write_named_needs, priority=110)
    app.add_post_transform(DwcpReferenceTransform)
