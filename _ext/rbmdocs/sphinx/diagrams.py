"""A trace diagram under every immediate outcome: its neighbourhood, drawn by graphviz.

The outcome in the middle; above it the intermediate outcome and strategic objective it
contributes to; below it its indicators with their targets, its outcome strategies, and
the CPOs that contribute to it, counted by region (a hundred CPO boxes would hide the
picture). Every box links to its need.

A diagram shows needs of other pages, so an edit elsewhere can change it. After Sphinx has
read the changed files, ``outcomes_with_changed_neighbourhood`` compares each outcome's
neighbourhood with the one of the previous build and returns the pages whose diagrams
changed, so exactly those are written again: never a stale diagram, never a needless page.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import NoUri
from sphinx.ext.graphviz import graphviz

from rbmdocs.graph import NeedGraph
from rbmdocs.render.labels import label, region_label
from rbmdocs.schema import NEED_TYPES_BY_NAME
from rbmdocs.sphinx.checking import check_result, docname_of_file, graph_as_read
from rbmdocs.sphinx.need_views import need_panel, need_view

OUTCOME_TYPE = "immediate-outcome"
_SIGNATURES = "rbmdocs_diagram_signatures"
_TITLE_WIDTH = 34


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, line breaks as DOT's ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _wrapped(text: str, width: int = _TITLE_WIDTH, lines: int = 3) -> str:
    words, rows, row = text.split(), [], ""
    for word in words:
        if row and len(row) + 1 + len(word) > width:
            rows.append(row)
            row = word
        else:
            row = f"{row} {word}".strip()
    rows.append(row)
    if len(rows) > lines:
        rows = [*rows[: lines - 1], rows[lines - 1] + " …"]
    return "\n".join(rows)


def neighbourhood(graph: NeedGraph, outcome_id: str) -> dict[str, Any]:
    """What the diagram of ``outcome_id`` shows, as plain data (also its signature)."""
    above: list[tuple[str, str]] = []  # (from, to) contributes_to edges up to the objectives
    frontier, seen = [outcome_id], {outcome_id}
    while frontier:
        current = frontier.pop()
        for target in graph.targets(current, "contributes_to"):
            above.append((current, target))
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    indicators = sorted(graph.sources(outcome_id, "measures"))
    targets = {ind: sorted(graph.sources(ind, "sets_target_for")) for ind in indicators}
    strategies = sorted(graph.sources(outcome_id, "implements"))
    regions: Counter[str] = Counter()
    for source in graph.sources(outcome_id, "contributes_to"):
        record = graph.need(source)
        if record is None or record.type != "cpo":
            continue
        regions[_region_of_cpo(graph, source)] += 1
    shown = {
        outcome_id,
        *seen,
        *indicators,
        *strategies,
        *(t for ts in targets.values() for t in ts),
    }
    titles = {need_id: _title(graph, need_id) for need_id in shown}
    return {
        "above": sorted(above),
        "indicators": indicators,
        "targets": targets,
        "strategies": strategies,
        "regions": dict(sorted(regions.items())),
        "titles": dict(sorted(titles.items())),
    }


def _title(graph: NeedGraph, need_id: str) -> str:
    record = graph.need(need_id)
    return record.title if record is not None else ""


def _region_of_cpo(graph: NeedGraph, cpo_id: str) -> str:
    for priority in graph.targets(cpo_id, "realises"):
        for dwcp in graph.targets(priority, "part_of"):
            record = graph.need(dwcp)
            if record is not None:
                return record.fields.get("region", "") or "unknown"
    return "unknown"


def dot_source(
    graph: NeedGraph,
    outcome_id: str,
    language: str,
    url_of: Mapping[str, str],
    shape: dict[str, Any] | None = None,
) -> str:
    """The graphviz source of one outcome's diagram, in the build language."""
    shape = shape if shape is not None else neighbourhood(graph, outcome_id)
    lines = [
        f"digraph {_quote(outcome_id)} {{",
        '  rankdir=BT; bgcolor="transparent"; nodesep=0.25; ranksep=0.35;',
        '  node [shape=box, style="rounded,filled", fontname="sans-serif", fontsize=11,'
        ' margin="0.12,0.05", target="_top"];',
        '  edge [fontname="sans-serif", fontsize=8, color="#777777", arrowsize=0.6];',
    ]

    def box(need_id: str, extra: str = "") -> None:
        record = graph.need(need_id)
        if record is None:
            lines.append(
                f'  {_quote(need_id)} [label={_quote(need_id + "?")}, fillcolor="#FFCCCC"];'
            )
            return
        spec = NEED_TYPES_BY_NAME.get(record.type)
        colour = spec.color if spec else "#FFFFFF"
        font = "white" if colour in ("#1F4E79", "#2E75B6") else "black"
        text = f"{need_id}\n{_wrapped(record.title)}" if record.title else need_id
        url = url_of.get(need_id, "")
        link = f", URL={_quote(url)}, tooltip={_quote(record.title or need_id)}" if url else ""
        lines.append(
            f"  {_quote(need_id)} [label={_quote(text)}, fillcolor={_quote(colour)}, "
            f"fontcolor={font}{link}{extra}];"
        )

    box(outcome_id, ", penwidth=2")
    for source, target in shape["above"]:
        box(target)
        lines.append(f"  {_quote(source)} -> {_quote(target)};")
    for indicator in shape["indicators"]:
        box(indicator)
        lines.append(f"  {_quote(indicator)} -> {_quote(outcome_id)};")
        for target in shape["targets"][indicator]:
            box(target)
            lines.append(f"  {_quote(target)} -> {_quote(indicator)};")
    for strategy in shape["strategies"]:
        box(strategy)
        lines.append(f"  {_quote(strategy)} -> {_quote(outcome_id)};")
    if shape["regions"]:
        # one box for all contributing CPOs, counted by region: a hundred boxes would
        # hide the picture, and the trace list under the box names each CPO
        counts = "\n".join(
            f"{region_label(region, language)}: {count}"
            for region, count in shape["regions"].items()
        )
        text = f"{label('type.cpo', language)}\n{counts}"
        lines.append(f'  "cpos" [label={_quote(text)}, fillcolor="#E2F0D9", shape=folder];')
        lines.append(f'  "cpos" -> {_quote(outcome_id)};')
    lines.append("}")
    return "\n".join(lines)


def add_outcome_diagrams(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In each immediate outcome's traceability panel, its diagram (HTML only)."""
    if app.builder.format != "html":
        return
    result = check_result(app.env)
    if result is None:
        return
    graph = result.graph
    views = [
        view
        for view in doctree.findall(need_view)
        if view.get("need_type") == OUTCOME_TYPE and view.get("ids")
    ]
    for view in views:
        record = graph.need(view["ids"][0])
        if record is None:
            continue
        diagram = graphviz()
        diagram["code"] = diagram_code(app, docname, graph, record.id)
        diagram["options"] = diagram_options(docname)
        diagram["alt"] = label("diagram.alt", app.config.language or "en", need=record.id)
        diagram["classes"] = ["rbmdocs-diagram"]
        panel = next(iter(view.findall(need_panel)), None)
        (panel if panel is not None else view).append(diagram)


def diagram_code(app: Sphinx, docname: str, graph: NeedGraph, outcome_id: str) -> str:
    """The DOT source of one outcome's diagram on the page ``docname``."""
    shape = neighbourhood(graph, outcome_id)
    urls = _urls(app, docname, graph, shape["titles"])
    return dot_source(graph, outcome_id, app.config.language or "en", urls, shape)


def diagram_options(docname: str) -> dict[str, str]:
    """The graphviz node's options (part of the name of its image file)."""
    return {"docname": docname}


def _urls(app: Sphinx, docname: str, graph: NeedGraph, need_ids: Iterable[str]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for need_id in need_ids:
        record = graph.need(need_id)
        target_doc = docname_of_file(app.env, record.file) if record else None
        if not target_doc:
            continue
        try:
            page = app.builder.get_relative_uri(docname, target_doc)
        except NoUri:
            continue
        if not page:  # this very page: the SVG lives in _images/, so name the page itself
            page = posixpath.basename(app.builder.get_target_uri(docname))
        urls[need_id] = f"{page}#{need_id}"
    return urls


def _signature_data(app: Sphinx) -> dict[str, tuple[str, str]]:
    """Outcome → (its page, a hash of its neighbourhood), from the needs just read."""
    graph, locations = graph_as_read(app)
    found: dict[str, tuple[str, str]] = {}
    for outcome in graph.needs_of_type(OUTCOME_TYPE):
        data = repr(neighbourhood(graph, outcome.id)).encode("utf-8")
        docname = locations.docname_of_file.get(outcome.file)
        if docname:
            digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
            found[outcome.id] = (docname, digest)
    return found


def outcomes_with_changed_neighbourhood(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: the pages whose outcome diagrams changed since the last build."""
    if app.builder.format != "html":
        return []
    before: dict[str, tuple[str, str]] = getattr(env, _SIGNATURES, {})
    now = _signature_data(app)
    setattr(env, _SIGNATURES, now)
    changed = defaultdict(bool)
    for outcome_id, (docname, signature) in now.items():
        if before.get(outcome_id, ("", ""))[1] != signature:
            changed[docname] = True
    pages = sorted(docname for docname in changed if docname in env.all_docs)
    return pages


def _svg_output(_app: Sphinx, config: Config) -> None:
    """SVG, so the boxes are links and the text stays sharp (unless the project chose)."""
    if "graphviz_output_format" not in config._raw_config:
        config.graphviz_output_format = "svg"


def setup_diagrams(app: Sphinx) -> None:
    """Sphinx's graphviz extension, the diagrams, and their page updates."""
    app.setup_extension("sphinx.ext.graphviz")
    app.connect("config-inited", _svg_output)
    # after our views are drawn (a post-transform, before any doctree-resolved listener)
    app.connect("doctree-resolved", add_outcome_diagrams, priority=650)
    app.connect("env-get-updated", outcomes_with_changed_neighbourhood)
