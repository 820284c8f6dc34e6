"""Run the traceability engine once per build, after every need is read, merged and resolved.

This is the only place where sphinx-needs data becomes plain records: the engine never
sees Sphinx. Findings go out as typed, located Sphinx messages (``rbmdocs.RBM020``), so
``-W``, ``--keep-going`` and ``suppress_warnings`` work as Sphinx users expect, and the
result stays on the environment for the generated tables and the CLI.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx_needs.api import get_needs_view
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.roles.need_ref import NeedRef

from rbmdocs.config import check_context
from rbmdocs.graph import CheckResult, NeedGraph, check_needs
from rbmdocs.graph.model import Finding, NeedRecord, NeedReference, linked_ids
from rbmdocs.schema import NEED_TYPES_BY_NAME
from rbmdocs.sphinx.dwcp_data import bad_dwcp_messages, dwcp_data
from rbmdocs.sphinx.env_data import all_notes, notes_for

logger = logging.getLogger(__name__)

#: This build's check result and file → document map, per environment. Kept beside the
#: environment, not on it, so that no build can ever read a result left by an earlier one
#: (it is recomputed at every ``write-started``).
_this_build: weakref.WeakKeyDictionary[BuildEnvironment, tuple[CheckResult, dict[str, str]]] = (
    weakref.WeakKeyDictionary()
)


class _Locations:
    """Maps documents to project-relative file names, once per document."""

    def __init__(self, env: BuildEnvironment) -> None:
        self._env = env
        self._srcdir = os.fspath(env.srcdir)
        self.docname_of_file: dict[str, str] = {}
        self._file_of_doc: dict[str, str] = {}

    def file(self, docname: str | None) -> str:
        if not docname:
            return ""
        file = self._file_of_doc.get(docname)
        if file is None:
            # plain string arithmetic: pathlib is slow in this loop over every need
            path = os.fspath(self._env.doc2path(docname))
            if os.path.isabs(path):  # noqa: PTH117 (speed, see above)
                path = os.path.relpath(path, self._srcdir)
            file = path.replace(os.sep, "/")
            self._file_of_doc[docname] = file
            self.docname_of_file[file] = docname
        return file


def _own_field(need: Any, name: str) -> object:
    """One field of a need, the short way when sphinx-needs keeps it among its extras.

    ``need.get`` looks the name up in several places, and this runs for every field of
    every need (see ``benchmarks/README.md``).
    """
    try:
        return need.get_extra(name)
    except (AttributeError, KeyError):
        return need.get(name)


def _own_links(need: Any, name: str) -> list[str]:
    """One link option's targets as written (or resolved), the short way when it can."""
    try:
        targets = need.get_links(name)
    except (AttributeError, KeyError):
        targets = need.get(name) or []
    return linked_ids(targets)


def _bare(record: NeedRecord) -> NeedRecord:
    """A need whose ID another need already holds, as the build notes it: as written."""
    return NeedRecord(
        id=record.id, type=record.type, file=record.file, line=record.line, title=record.title
    )


def collect_records(env: BuildEnvironment, needs: Any) -> tuple[list[NeedRecord], _Locations]:
    """Plain records for every need of the project, plus those sphinx-needs refused.

    The programmes' needs come from the DWCP files (``dwcp_data``), the others from
    sphinx-needs. The programmes come first, as when their files were read before any
    page: a later need of an ID already taken is kept as written, for RBM004 to name.
    """
    locations = _Locations(env)
    notes = all_notes(env)
    generated = {need_id for note in notes.values() for need_id in note.generated_ids}
    field_lines = {
        need_id: lines for note in notes.values() for need_id, lines in note.field_lines.items()
    }
    records: list[NeedRecord] = []
    taken: set[str] = set()
    programmes = dwcp_data(env)
    locations.docname_of_file.update(programmes.page_of_file())
    for record in programmes.records():
        records.append(_bare(record) if record.id in taken else record)
        taken.add(record.id)
    for need in needs.values():
        if need["is_external"] or need["is_part"]:
            continue
        need_id, need_type = need["id"], need["type"]
        spec = NEED_TYPES_BY_NAME.get(need_type)
        fields: dict[str, str] = {}
        links: dict[str, list[str]] = {}
        if spec is not None:
            for field_spec in spec.fields:
                value = _own_field(need, field_spec.name)
                fields[field_spec.name] = "" if value is None else str(value)
            for link_spec in spec.links:
                links[link_spec.name] = _own_links(need, link_spec.name)
        record = NeedRecord(
            id=need_id,
            type=need_type,
            file=locations.file(need["docname"]),
            line=need["lineno"],
            title=need["title"],
            fields=fields,
            links=links,
            id_given=need_id not in generated,
            field_lines=field_lines.get(need_id, {}),
        )
        records.append(_bare(record) if need_id in taken else record)
    for docname in sorted(notes):
        for dropped in notes[docname].dropped:
            records.append(
                NeedRecord(
                    id=dropped.id,
                    type=dropped.type,
                    file=locations.file(docname),
                    line=dropped.line,
                    title=dropped.title,
                )
            )
    return records, locations


def reference_target(address: str) -> str:
    """The need a ``{need}`` role names: ``IO_4`` of ``IO_4`` or of the part ``IO_4.a``."""
    return address.split(".", 1)[0]


def note_prose_references(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: note every ``{need}`` reference of the page, with its line.

    sphinx-needs resolves them only when it writes a page, and then only warns; noting
    them as read lets the check report a dangling one as RBM014, at the line of the
    paragraph it stands in, without reading any page again.
    """
    found = notes_for(app.env, app.env.docname).references
    found.clear()
    for node in doctree.findall(NeedRef):
        line: int | None = None
        holder: nodes.Node | None = node
        while holder is not None and not line:
            line = holder.line
            holder = holder.parent
        found.append((reference_target(str(node["reftarget"])), line))


def collect_references(env: BuildEnvironment, locations: _Locations) -> list[NeedReference]:
    """Every ``{need}`` reference noted while reading, as the engine's plain records."""
    notes = all_notes(env)
    return [
        NeedReference(target, locations.file(docname), line)
        for docname in sorted(notes)
        for target, line in notes[docname].references
    ]


#: The graph of the needs as read in this build (the check makes its own, resolved).
_read_this_build: weakref.WeakKeyDictionary[BuildEnvironment, tuple[NeedGraph, _Locations]] = (
    weakref.WeakKeyDictionary()
)


def graph_as_read(app: Sphinx) -> tuple[NeedGraph, _Locations]:
    """The needs as read, indexed once a build (at ``env-get-updated``) for all readers.

    The outcome diagrams' and the need views' signatures share the one graph made here,
    from sphinx-needs' read-phase mapping.
    """
    made = _read_this_build.get(app.env)
    if made is None:
        records, locations = collect_records(app.env, SphinxNeedsData(app.env).get_needs_mutable())
        made = _read_this_build[app.env] = (NeedGraph(records), locations)
    return made


def forget_graph_as_read(_app: Sphinx, env: BuildEnvironment, _docnames: list[str]) -> None:
    """``env-before-read-docs``: the graph of an earlier build never serves this one."""
    _read_this_build.pop(env, None)


def run_traceability_check(app: Sphinx, _builder: Builder) -> None:
    """``write-started``: check the whole graph once and report every finding.

    The records come from sphinx-needs' resolved view, the one public way to read needs
    after post-processing (back links, sorted links, dynamic functions, ``needextend``):
    so the check sees exactly what the pages show, whatever features the project uses.
    """
    env = app.env
    records, locations = collect_records(env, get_needs_view(app))
    references = collect_references(env, locations)
    result = check_needs(records, check_context(app.config), references)
    _this_build[env] = (result, locations.docname_of_file)
    for finding in result.findings:
        report_finding(finding, finding_location(env, finding, locations.docname_of_file))


def finding_location(
    env: BuildEnvironment, finding: Finding, docname_of: dict[str, str]
) -> tuple[str, int | None] | str | None:
    """Where Sphinx says a finding is: its document and line, or its DWCP file and line.

    A DWCP file is no document, so Sphinx could not name its path from a document name;
    it is given as Sphinx writes a document's location (absolute path, colon, line).
    """
    docname = docname_of.get(finding.file)
    if not docname:
        return None
    if docname in env.all_docs:
        return (docname, finding.line or None)
    path = os.path.join(os.fspath(env.srcdir), finding.file)  # noqa: PTH118 (a plain string)
    return f"{path}:{finding.line or 1}"


def report_finding(finding: Finding, location: tuple[str, int | None] | str | None) -> None:
    """One finding as one typed Sphinx message at its need's location."""
    log = logger.error if finding.severity == "error" else logger.warning
    log(
        "%s %s (%s)",
        finding.rule,
        finding.message,
        finding.hint,
        type="rbmdocs",
        subtype=finding.rule,
        location=location,
    )


def check_result(env: BuildEnvironment) -> CheckResult | None:
    """The result of this build's check (None before ``write-started``)."""
    found = _this_build.get(env)
    return found[0] if found else None


def docname_of_file(env: BuildEnvironment, file: str) -> str | None:
    """The document a project-relative file name belongs to, as seen by the last check."""
    found = _this_build.get(env)
    return found[1].get(file) if found else None


def bad_input_messages(env: BuildEnvironment) -> list[str]:
    """Messages of DWCP files and documents whose data could not be read at all."""
    documents = [notes.bad_input for _, notes in sorted(all_notes(env).items()) if notes.bad_input]
    return [*bad_dwcp_messages(env), *documents]
