"""DWCP YAML files as Sphinx documents: one page per programme, with no Markdown stub.

Each ``<dwcp_dir>/<ISO3>.yaml`` is a source document read by ``DwcpParser``. That makes
the YAML file the document's own source: every need on the page points at its YAML line,
an edit to one file rebuilds one page, and parallel reads work as for any document. The
parser hands the loaded file to one directive, because sphinx-needs creates need nodes
through a parser state, which only a directive has.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives as rst_directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.parsers import RSTParser
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.api import InvalidNeedException, add_need
from sphinx_needs.utils import add_doc

from rbmdocs.config import settings
from rbmdocs.load import BadInputError, DwcpFile, YamlNeed, parse_dwcp_text, pick_language
from rbmdocs.render.labels import label, region_label
from rbmdocs.sphinx.env_data import DroppedNeed, notes_for
from rbmdocs.sphinx.i18n import data_translation

logger = logging.getLogger(__name__)

FILETYPE = "rbmdocs-dwcp"
_TEMP_KEY = "rbmdocs_dwcp_file"


def relative_source(env_srcdir: Path, source: str) -> str:
    """A source path relative to the project, with forward slashes, for messages."""
    try:
        return Path(source).resolve().relative_to(env_srcdir.resolve()).as_posix()
    except ValueError:
        return Path(source).as_posix()


class DwcpParser(RSTParser):
    """Reads a DWCP YAML file and lays out its page through ``DwcpPageDirective``."""

    supported = (FILETYPE,)

    def parse(self, inputstring: str | StringList, document: nodes.document) -> None:
        """Load the YAML; on bad input say so at its line and leave an empty page."""
        env = document.settings.env
        file = relative_source(Path(env.srcdir), document["source"])
        dwcp_dir = Path(settings(env.config).dwcp_dir).as_posix().strip("/")
        if Path(file).parent.as_posix() != dwcp_dir:
            logger.warning(
                "%s is a YAML file outside rbmdocs_dwcp_dir (%s); add it to exclude_patterns "
                "in conf.py, or move it into the DWCP folder",
                file,
                dwcp_dir,
                type="rbmdocs",
                subtype="yaml-outside",
                location=(env.docname, 1),
            )
            super().parse(f"{_rst_title(Path(file).stem)}\n", document)
            return
        text = inputstring if isinstance(inputstring, str) else "\n".join(inputstring)
        try:
            loaded = parse_dwcp_text(text, file)
        except BadInputError as error:
            notes_for(env, env.docname).bad_input = str(error)
            logger.error(
                "%s (%s)",
                error.message,
                error.hint,
                type="rbmdocs",
                subtype="bad-input",
                location=(env.docname, error.line or 1),
            )
            super().parse(f"{_rst_title(Path(file).stem)}\n", document)
            return
        env.temp_data[_TEMP_KEY] = loaded
        super().parse(".. rbmdocs-dwcp-page::\n", document)
        # sphinx-needs renders need nodes only on the documents it was told hold needs
        add_doc(env, env.docname)


def page_directive_for(app: Sphinx) -> type[DwcpPageDirective]:
    """``DwcpPageDirective`` bound to ``app``, to register with ``app.add_directive``."""
    return type("DwcpPageDirective", (DwcpPageDirective,), {"sphinx_app": app})


def _rst_title(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`")
    return f"{escaped}\n{'=' * (len(escaped.encode('utf-8')) + 2)}\n"


class DwcpPageDirective(SphinxDirective):
    """Lays out one DWCP page: the programme, then each priority with its CPOs."""

    #: The application, for sphinx-needs' ``add_need``: a directive reaches it only through
    #: ``env.app``, deprecated since Sphinx 9, so each application registers a subclass
    #: that carries its own (``page_directive_for``).
    sphinx_app: ClassVar[Sphinx]

    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {"class": rst_directives.class_option}

    def run(self) -> list[nodes.Node]:
        """Create the needs at their YAML lines and the sections that hold them."""
        loaded: DwcpFile | None = self.env.temp_data.pop(_TEMP_KEY, None)
        if loaded is None:
            return []
        language = self.config.language or "en"
        dwcp = loaded.dwcp
        country = self._text(dwcp.title, dwcp, "country")
        page = nodes.section(ids=[nodes.make_id(dwcp.id) or "dwcp"])
        page += nodes.title(country, country)
        page += self._summary(dwcp, language)
        page.extend(self._need(dwcp, country))
        for priority in loaded.priorities:
            title = self._text(priority.need.title, priority.need, "title")
            section = nodes.section(ids=[nodes.make_id(priority.need.id)])
            section += nodes.title(title, title)
            section.extend(self._need(priority.need, title))
            for cpo in priority.cpos:
                section.extend(self._need(cpo, self._text(cpo.title, cpo, "title")))
            page += section
        return [page]

    def _summary(self, dwcp: YamlNeed, language: str) -> nodes.field_list:
        field_list = nodes.field_list(classes=["rbmdocs-dwcp-summary"])
        region, status = dwcp.fields.get("region", ""), dwcp.fields.get("status", "")
        values = (
            ("field.region", region_label(region, language) if region else ""),
            ("field.status", label(f"status.{status}", language) if status else ""),
            ("field.period", dwcp.fields.get("period", "")),
        )
        for key, value in values:
            field_list += nodes.field(
                "",
                nodes.field_name("", label(key, language)),
                nodes.field_body("", nodes.paragraph(value, value)),
            )
        return field_list

    def _text(self, text: dict[str, str] | object, need: YamlNeed, what: str) -> str:
        language = self.config.language or "en"
        bilingual = text if isinstance(text, dict) else {}
        translated = data_translation(self.env, self.env.docname, need.id, what, bilingual)
        if translated:
            return translated
        chosen, fell_back = pick_language(bilingual, language)
        if fell_back:
            logger.warning(
                "%s has no %s in %s; the English text is shown",
                need.id,
                what,
                language,
                type="rbmdocs",
                subtype="i18n-fallback",
                location=(self.env.docname, need.line),
            )
        return chosen or need.id

    def _need(self, need: YamlNeed, title: str) -> list[nodes.Node]:
        env = self.env
        options: dict[str, Any] = dict(need.fields)
        status = options.pop("status", None)
        for name, text in need.texts.items():
            options[name] = self._text(text, need, name)
        options.update({name: targets for name, targets in need.links.items() if targets})
        if need.field_lines:
            notes_for(env, env.docname).field_lines[need.id] = dict(need.field_lines)
        try:
            return add_need(
                self.sphinx_app,
                self.state,
                env.docname,
                need.line,
                need.need_type,
                title,
                id=need.id,
                status=str(status) if status is not None else None,
                **options,
            )
        except InvalidNeedException as error:
            if error.type == "duplicate_id":
                # a finding of ours (RBM004, with a hint), not sphinx-needs' refusal
                notes_for(env, env.docname).dropped.append(
                    DroppedNeed(need.id, need.need_type, need.line, title)
                )
                return []
            logger.error(
                "%s could not be created: %s",
                need.id,
                error.message,
                type="rbmdocs",
                subtype="bad-input",
                location=(env.docname, need.line),
            )
            return []
