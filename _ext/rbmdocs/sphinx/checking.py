"""Run the traceability engine once per build, after every need is read, merged and resolved.

This is the only place where sphinx-needs data becomes plain records: the engine never
sees Sphinx. Findings go out as typed, located Sphinx messages (``rbmdocs.RBM020``), so
``-W``, ``--keep-going`` and ``suppress_warnings`` work as Sphinx users expect, and the
result stays on the environment for the generated tables and the CLI.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx_needs.api import get_needs_view
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.needs import ensure_post_process_needs_data

from rbmdocs.config import check_context
from rbmdocs.graph import CheckResult, check_needs
from rbmdocs.graph.model import Finding, NeedRecord
from rbmdocs.schema import NEED_TYPES_BY_NAME
from rbmdocs.sphinx.env_data import all_notes

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
            # plain string arithmetic: pathlib costs a second per 20,000 needs here
            path = os.fspath(self._env.doc2path(docname))
            if os.path.isabs(path):  # noqa: PTH117 (speed, see above)
                path = os.path.relpath(path, self._srcdir)
            file = path.replace(os.sep, "/")
            self._file_of_doc[docname] = file
            self.docname_of_file[file] = docname
        return file


def _natural_key(need_id: str) -> tuple[list[str | int], str]:
    """``IO_2`` before ``IO_10``: digit runs compare as numbers, then the text decides."""
    return [int(part) if part.isdigit() else part for part in _DIGIT_RUNS.split(need_id)], need_id


_DIGIT_RUNS = re.compile(r"(\d+)")


def linked_ids(targets: Iterable[object]) -> list[str]:
    """The IDs of one link option, each once, in natural order.

    sphinx-needs keeps one of two equal links and sorts them when it post-processes the
    needs; ``rbmdocs check``, which reads them as written, must see the same list, or the
    check and the build would disagree (a target named twice would count as two).
    """
    return sorted({str(target) for target in targets}, key=_natural_key)


def collect_records(env: BuildEnvironment, needs: Any) -> tuple[list[NeedRecord], _Locations]:
    """Plain records for every need of the project, plus those sphinx-needs refused."""
    locations = _Locations(env)
    notes = all_notes(env)
    generated = {need_id for note in notes.values() for need_id in note.generated_ids}
    records: list[NeedRecord] = []
    for need in needs.values():
        if need["is_external"] or need["is_part"]:
            continue
        spec = NEED_TYPES_BY_NAME.get(need["type"])
        fields: dict[str, str] = {}
        links: dict[str, list[str]] = {}
        if spec is not None:
            for field_spec in spec.fields:
                value = need.get(field_spec.name)
                fields[field_spec.name] = "" if value is None else str(value)
            for link_spec in spec.links:
                links[link_spec.name] = linked_ids(need.get(link_spec.name) or ())
        records.append(
            NeedRecord(
                id=need["id"],
                type=need["type"],
                file=locations.file(need["docname"]),
                line=need["lineno"],
                title=need["title"],
                fields=fields,
                links=links,
                id_given=need["id"] not in generated,
            )
        )
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


#: Environments whose ``rbmdocs check`` left sphinx-needs' post-processing to us.
_post_processing_deferred: weakref.WeakSet[BuildEnvironment] = weakref.WeakSet()


def _post_processing_is_optional(app: Sphinx) -> bool:
    """Whether no sphinx-needs feature of this project needs its post-processing to check.

    Post-processing computes back links, sorts links, resolves dynamic functions and
    variants, and runs sphinx-needs' own warnings, constraints and schemas. Our engine
    reads only the needs as written, so without those features the result is the same.
    """
    config = NeedsSphinxConfig(app.config)
    return not (
        config.warnings
        or config.constraints
        or config.variants
        or config.schema_definitions
        or config.schema_definitions_from_json
    )


def defer_needs_post_processing(app: Sphinx) -> None:
    """``builder-inited``: ``rbmdocs check`` skips sphinx-needs' post-processing if it can.

    It is most of a check after a one-file edit (3.3 s of 5.3 s at 21,244 needs), and a
    check writes no page that would show back links. ``run_traceability_check`` still
    post-processes when a need turns out to hold something only that step resolves.
    """
    if app.builder.name != "rbmdocs-check" or not _post_processing_is_optional(app):
        return
    for listener in list(app.events.listeners.get("write-started", [])):
        if listener.handler is ensure_post_process_needs_data:
            app.disconnect(listener.id)
            _post_processing_deferred.add(app.env)


def needs_as_written_suffice(needs: Mapping[str, Any]) -> bool:
    """Whether every need is of our types and none holds a dynamic function (``[[...]]``).

    sphinx-needs keeps a dynamic function aside and leaves the option empty until it
    post-processes, so reading the option as written would see nothing.
    """
    return all(
        need["type"] in NEED_TYPES_BY_NAME and not need.has_dynamic_fields
        for need in needs.values()
    )


def _needs_to_check(app: Sphinx) -> Any:
    """The needs as written when that gives the same check, else sphinx-needs' resolved view."""
    if app.env in _post_processing_deferred:
        data = SphinxNeedsData(app.env)
        # a needextend directive changes needs only when sphinx-needs post-processes
        if not data.needs_is_post_processed and not data.get_or_create_extends():
            written = data.get_needs_mutable()
            if needs_as_written_suffice(written):
                return written
    return get_needs_view(app)


def run_traceability_check(app: Sphinx, _builder: Builder) -> None:
    """``write-started``: check the whole graph once and report every finding."""
    env = app.env
    records, locations = collect_records(env, _needs_to_check(app))
    result = check_needs(records, check_context(app.config))
    _this_build[env] = (result, locations.docname_of_file)
    for finding in result.findings:
        report_finding(finding, locations.docname_of_file.get(finding.file))


def report_finding(finding: Finding, docname: str | None) -> None:
    """One finding as one typed Sphinx message at its need's location."""
    location = (docname, finding.line or None) if docname else None
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
    """Messages of documents whose data could not be read at all."""
    return [notes.bad_input for _, notes in sorted(all_notes(env).items()) if notes.bad_input]
