"""The trace under every need box: up to the objective, down to the countries, as links.

The chains are drawn in the browser from one file of the whole graph,
``_static/rbmdocs-graph.js``, written in every HTML build from the graph the traceability
check has built. A page therefore never holds another page's needs: an edit changes the
graph file and the edited page, and no other page goes stale or has to be written again,
however many needs link to the changed one.

No page names the graph file: the trace script loads it, asking the web server each time
whether it changed. A page naming it would name it by the checksum of the build that last
wrote the page (Sphinx's ``?v=`` on every asset), and a browser that had kept that version,
as servers let browsers keep versioned files, showed the trace of an earlier build on
every page the edit did not rewrite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from rbmdocs.render.labels import label
from rbmdocs.schema import NEED_TYPES, all_link_specs
from rbmdocs.sphinx.checking import check_result, docname_of_file

GRAPH_FILE = "rbmdocs-graph.js"
SCRIPT_FILE = "rbmdocs-trace.js"


def graph_payload(app: Sphinx) -> dict[str, Any] | None:
    """Every need (type, title, page) and link, with the labels of the build language."""
    result = check_result(app.env)
    if result is None:
        return None
    language = app.config.language or "en"
    needs: dict[str, list[Any]] = {}
    links: dict[str, dict[str, list[str]]] = {}
    page_of_file: dict[str, str] = {}  # a file's needs share its page: one URI per file
    for record in result.graph:
        page = page_of_file.get(record.file)
        if page is None:
            docname = docname_of_file(app.env, record.file)
            page = page_of_file[record.file] = (
                app.builder.get_target_uri(docname) if docname else ""
            )
        needs[record.id] = [record.type, record.title, page]
        written = {name: list(targets) for name, targets in record.links.items() if targets}
        if written:
            links[record.id] = written
    return {
        "needs": needs,
        "links": links,
        "levels": {spec.directive: spec.level for spec in NEED_TYPES},
        # what holds a need (a priority's DWCP) is named beside it, never a step
        "containerLinks": sorted(
            {link.name for spec in NEED_TYPES for link in spec.links if link.to_container}
        ),
        "types": {spec.directive: label(f"type.{spec.directive}", language) for spec in NEED_TYPES},
        # each opens a line of the list, so it begins with a capital as every label does
        "linkLabels": {
            name: [
                _capitalised(label(f"link.{name}.out", language)),
                _capitalised(label(f"link.{name}.in", language)),
            ]
            for name in all_link_specs()
        },
        "text": {
            "trace": label("trace.title", language),
            "up": label("trace.up", language),
            "down": label("trace.down", language),
            "none": label("trace.none", language),
            "more": label("trace.more", language),
            # the punctuation of the language: "优先事项：" and "（见上文）" in Chinese
            "separator": label("option.separator", language),
            "seeAbove": label(
                "trace.repeated", language, see_above=label("trace.see_above", language)
            ),
        },
    }


def _capitalised(text: str) -> str:
    """A label that opens a line: "contributes to" → "Contributes to" (Chinese as it is)."""
    return text[:1].upper() + text[1:]


def write_graph(app: Sphinx, _builder: object) -> None:
    """``write-started``, after the check: the graph, next to the trace script.

    The script itself is copied with our other assets (``bridge._copy_static``).
    """
    if app.builder.format != "html":
        return
    payload = graph_payload(app)
    if payload is None:
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    target = static / GRAPH_FILE
    content = f"window.RBMDOCS_GRAPH = {text};\n"
    # an unchanged graph keeps its file untouched, so nothing downstream sees a change
    if not target.is_file() or target.read_text("utf-8") != content:
        target.write_text(content, "utf-8")


def setup_trace_links(app: Sphinx) -> None:
    """The script on every page (it loads the graph); the graph written as writing starts."""
    app.add_js_file(SCRIPT_FILE, priority=401, defer="defer")
    # after the check has resolved the graph (write-started, priority 700)
    app.connect("write-started", write_graph, priority=750)
