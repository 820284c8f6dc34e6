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
    if isinstance(targets, list) and len(targets) < 2:
        # most link options hold no target or one: nothing to sort (a third of a check)
        return [str(target) for target in targets]
    return sorted({str(target) for target in targets}, key=_natural_key)


def _own_field(need: Any, name: str) -> object:
    """One field of a need, the short way when sphinx-needs keeps it among its extras.

    ``need.get`` looks the name up in seven places, twice; over every field of 20,000
    needs that was most of making the records.
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


def _source_of(need: Any) -> Mapping[str, Any]:
    """Where a need was written (``docname``, ``lineno``, ``is_external``), read directly.

    ``need["docname"]`` tries six other places first; the source's own mapping is the
    same values at one lookup each.
    """
    source = getattr(need, "source", None)
    if source is None:
        return need  # type: ignore[no-any-return]
    written_at: Mapping[str, Any] = source.dict_repr
    return written_at


def collect_records(env: BuildEnvironment, needs: Any) -> tuple[list[NeedRecord], _Locations]:
    """Plain records for every need of the project, plus those sphinx-needs refused."""
    locations = _Locations(env)
    notes = all_notes(env)
    generated = {need_id for note in notes.values() for need_id in note.generated_ids}
    records: list[NeedRecord] = []
    for need in needs.values():
        where = _source_of(need)
        if where["is_external"] or need["is_part"]:
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
        records.append(
            NeedRecord(
                id=need_id,
                type=need_type,
                file=locations.file(where["docname"]),
                line=where["lineno"],
                title=need["title"],
                fields=fields,
                links=links,
                id_given=need_id not in generated,
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


#: Records made from the needs as read, earlier in this build (the outcome diagrams'
#: signatures, at ``env-get-updated``), when sphinx-needs' post-processing cannot change
#: them: the check at ``write-started`` takes them instead of making them a second time.
_read_this_build: weakref.WeakKeyDictionary[
    BuildEnvironment, tuple[list[NeedRecord], _Locations]
] = weakref.WeakKeyDictionary()


#: The records made from the needs as read in this build, whether or not they serve the check.
_made_this_build: weakref.WeakKeyDictionary[
    BuildEnvironment, tuple[list[NeedRecord], _Locations]
] = weakref.WeakKeyDictionary()


def records_as_read(app: Sphinx) -> tuple[list[NeedRecord], _Locations]:
    """Records of every need as read, made once a build, kept for the check when they serve.

    Every reader of the needs as read (the outcome diagrams' and the need views'
    signatures, at ``env-get-updated``) shares the one set made here. They serve the check
    when the needs are post-processed already, or when post-processing would leave every
    field and link the records hold as it is: no feature of the project needs it, no
    ``needextend``, no dynamic function (see ``needs_as_written_suffice``). Judged now,
    before post-processing: it resolves the dynamic functions it would find.
    """
    made = _made_this_build.get(app.env)
    if made is not None:
        return made
    data = SphinxNeedsData(app.env)
    needs = data.get_needs_mutable()
    made = collect_records(app.env, needs)
    _made_this_build[app.env] = made
    if data.needs_is_post_processed or (
        _post_processing_is_optional(app)
        and not data.get_or_create_extends()
        and needs_as_written_suffice(needs)
    ):
        _read_this_build[app.env] = made
    return made


def forget_records_as_read(_app: Sphinx, env: BuildEnvironment, _docnames: list[str]) -> None:
    """``env-before-read-docs``: records of an earlier build never serve this one."""
    _read_this_build.pop(env, None)
    _made_this_build.pop(env, None)


def run_traceability_check(app: Sphinx, _builder: Builder) -> None:
    """``write-started``: check the whole graph once and report every finding."""
    env = app.env
    made_earlier = _read_this_build.pop(env, None)
    records, locations = made_earlier or collect_records(env, _needs_to_check(app))
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
