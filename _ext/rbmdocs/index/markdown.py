"""A Markdown page into the records the build makes of it: needs and ``{need}`` references.

Markdown is read by myst-parser's own Markdown parser (markdown-it-py with the MyST
plugins) and its own directive option parsing, so a need directive is split into title,
options and body exactly as MyST hands it to sphinx-needs. What sphinx-needs then does
with a need of ours is plain: options as given, links split at ``,``, ``;`` or ``|``, a
title and the reader-facing options through the page's catalogue (``sphinx/i18n.py``).
Anything else -- a directive that may make or change needs, an include, a substitution
or a dynamic function in an option, a need without an ID -- is not guessed: the file is
marked ``fallback`` with the reason, and the caller reads it through Sphinx.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from docutils.parsers.rst import Directive
from docutils.parsers.rst.states import MarkupError
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import parse_directive_text
from myst_parser.parsers.mdit import create_md_parser

from rbmdocs.graph.model import NeedRecord, NeedReference, linked_ids
from rbmdocs.index.files import FileIndex, docname_of
from rbmdocs.schema import GENERATED_DIRECTIVES, NEED_TYPES_BY_NAME, ValueFormat

#: Directives of Sphinx, docutils and MyST whose body is Markdown read like the page's own:
#: a need or a reference inside them is made exactly as outside.
_MARKDOWN_BODIES = frozenset(
    {
        "admonition",
        "attention",
        "caution",
        "compound",
        "container",
        "danger",
        "deprecated",
        "epigraph",
        "error",
        "figure",
        "highlights",
        "hint",
        "important",
        "list-table",
        "note",
        "pull-quote",
        "seealso",
        "sidebar",
        "table",
        "tip",
        "topic",
        "versionadded",
        "versionchanged",
        "versionremoved",
        "warning",
    }
)

#: Directives that make no need and whose body holds no Markdown (code, math, entries,
#: our generated tables and reference pages).
_NO_NEEDS = frozenset(
    {
        "code",
        "code-block",
        "codeauthor",
        "contents",
        "csv-table",
        "highlight",
        "image",
        "index",
        "literalinclude",
        "math",
        "meta",
        "raw",
        "rubric",
        "sectionauthor",
        "sourcecode",
        "toctree",
        # rbmdocs' own tables, generated from the needs
        *GENERATED_DIRECTIVES,
    }
)

#: Options of a need directive that make sphinx-needs build the need in its own way.
_OPTIONS_ONLY_SPHINX_NEEDS_READS = (
    "delete",
    "jinja_content",
    "template",
    "pre_template",
    "post_template",
    "title_from_content",
)

#: Markup sphinx-needs expands in an option (dynamic functions, variants) and MyST
#: substitutions: the value in the file is not the value in the build.
_EXPANDED_MARKUP = ("[[", "<<", "<{", "{{")

_LINK_SEPARATORS = re.compile(r"[;|,]")
#: ``title <ID>`` in a role, as docutils splits an explicit title from its target.
_EXPLICIT_TARGET = re.compile(r"^(.+?)\s*(?<!\x00)<(.*?)>$", re.DOTALL)


class _AnyOptions(dict[str, Callable[[str], Any]]):
    """sphinx-needs' need directive takes every option as written (its option spec)."""

    def __bool__(self) -> bool:
        return True

    def __missing__(self, _key: str) -> Callable[[str], Any]:
        return _as_written


def _as_written(value: str) -> str:
    return value


class _NeedDirectiveShape(Directive):
    """The argument and option shape of sphinx-needs' need directive, for MyST's parser."""

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions()


class _BodyDirectiveShape(Directive):
    """An admonition-like directive: any argument, options and a Markdown body."""

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions()


@cache
def markdown_parser(extensions: tuple[str, ...]) -> MarkdownIt:
    """MyST's Markdown parser with the project's MyST extensions, made once per set."""
    return create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)


class _MarkdownReader:
    """Walks the tokens of one page (and of every body parsed again) into a FileIndex."""

    def __init__(
        self, found: FileIndex, catalogue: Mapping[str, str], extensions: tuple[str, ...]
    ) -> None:
        self.found = found
        self.catalogue = catalogue
        self.parser = markdown_parser(extensions)

    def read(self, text: str, first_line: int, parent: int) -> None:
        """Read ``text`` whose first line is the page's 0-based ``first_line``."""
        for token in self.parser.parse(text):
            if self.found.fallback:
                return
            self._token(token, first_line, parent)

    def _token(self, token: Token, first_line: int, parent: int) -> None:
        if token.type == "inline" and token.children:
            line = first_line + (token.map[0] if token.map else 0) + 1
            for child in token.children:
                if child.type == "myst_role" and child.meta.get("name") == "need":
                    self._reference(child.content, line, parent)
            return
        if token.type not in ("fence", "colon_fence"):
            return
        parts = (token.info.strip() if token.info else "").split(maxsplit=1)
        name = parts[0] if parts else ""
        if not (name.startswith("{") and name.endswith("}")):
            return
        name = name[1:-1]
        arguments = parts[1] if len(parts) > 1 else ""
        position = first_line + (token.map[0] if token.map else 0)
        content = token.content
        shifted = 0
        if token.type == "colon_fence" and content.startswith(":::"):
            content, shifted = "\n" + content, 1  # as MyST: a nested fence is no option
        if name in NEED_TYPES_BY_NAME:
            self._need(name, arguments, content, position, shifted, parent)
        elif name in _MARKDOWN_BODIES:
            if "{need}" in arguments:
                self.found.fallback = f"line {position + 1}: a {{need}} reference in a {name} title"
                return
            self._body(_BodyDirectiveShape, arguments, content, position, shifted, parent)
        elif name not in _NO_NEEDS:
            self.found.fallback = (
                f"line {position + 1}: the directive {{{name}}} is not one the index reads "
                "(it may make, change or include needs)"
            )

    def _body(
        self,
        shape: type[Directive],
        arguments: str,
        content: str,
        position: int,
        shifted: int,
        parent: int,
    ) -> Any:
        try:
            parsed = parse_directive_text(shape, arguments, content, line=position)
        except MarkupError as error:
            self.found.fallback = f"line {position + 1}: {error}"
            return None
        body_start = position + 1 + parsed.body_offset - shifted
        self.read("\n".join(parsed.body), body_start, parent)
        return parsed

    def _need(
        self, need_type: str, arguments: str, content: str, position: int, shifted: int, parent: int
    ) -> None:
        try:
            parsed = parse_directive_text(_NeedDirectiveShape, arguments, content, line=position)
        except MarkupError as error:
            self.found.fallback = f"line {position + 1}: {error}"
            return
        options: dict[str, str | None] = parsed.options
        line = position + 1
        reason = _unreadable_need(options, parsed.arguments)
        if reason:
            self.found.fallback = f"line {line}: {reason}"
            return
        written_title = parsed.arguments[0] if parsed.arguments else ""
        spec = NEED_TYPES_BY_NAME[need_type]
        need_id = str(options["id"])
        fields: dict[str, str] = {}
        for field_spec in spec.fields:
            value = options.get(field_spec.name) or ""
            if field_spec.value_format is ValueFormat.TEXT and value.strip():
                value = self._translated(f"{need_id}.{field_spec.name}", value)
            fields[field_spec.name] = value
        links = {
            link.name: linked_ids(_split_links(options.get(link.name) or "")) for link in spec.links
        }
        title = (
            self._translated(f"{need_id}.title", written_title)
            if written_title.strip()
            else written_title
        )
        found = self.found
        found.records.append(
            NeedRecord(
                id=need_id,
                type=need_type,
                file=found.file,
                line=line,
                title=title,
                fields=fields,
                links=links,
            )
        )
        found.parents.append(parent)
        found.titles_as_written.append(written_title)
        body_start = position + 1 + parsed.body_offset - shifted
        self.read("\n".join(parsed.body), body_start, len(found.records) - 1)

    def _translated(self, context: str, message: str) -> str:
        """As the build translates a need's string: with its context first, then alone."""
        for key in (f"{context}\x04{message}", message):
            translated = self.catalogue.get(key, "")
            if translated.strip():
                return translated
        return message

    def _reference(self, text: str, line: int, parent: int) -> None:
        if text.startswith("!"):
            return  # docutils: an exclamation mark makes no reference
        explicit = _EXPLICIT_TARGET.match(text)
        target = explicit.group(2) if explicit else text
        self.found.references.append(NeedReference(target.split(".", 1)[0], self.found.file, line))
        self.found.reference_parents.append(parent)


def _unreadable_need(options: Mapping[str, str | None], arguments: list[str]) -> str:
    """Why sphinx-needs would make this need in a way the index cannot repeat, or ""."""
    if not options.get("id"):
        return "a need without :id: gets an ID only sphinx-needs computes"
    for name in _OPTIONS_ONLY_SPHINX_NEEDS_READS:
        if name in options:
            return f"the need option :{name}: is read by sphinx-needs alone"
    for name, value in options.items():
        if value and any(markup in value for markup in _EXPANDED_MARKUP):
            return f"the option :{name}: holds markup sphinx-needs or MyST expands"
    title = arguments[0] if arguments else ""
    if "{{" in title:  # a role in a title stays text: sphinx-needs does not parse it
        return "the title holds a substitution MyST expands"
    return ""


def _split_links(text: str) -> list[str]:
    """A link option's targets as sphinx-needs splits them: at ``,``, ``;`` or ``|``."""
    return [part.strip() for part in _LINK_SEPARATORS.split(text) if part.strip()]


def read_markdown(
    text: str, file: str, catalogue: Mapping[str, str], extensions: tuple[str, ...]
) -> FileIndex:
    """The needs and ``{need}`` references of one Markdown page, as the build reads them."""
    found = FileIndex(file, docname_of(file))
    _MarkdownReader(found, catalogue, extensions).read(text, 0, -1)
    if found.fallback:
        return FileIndex(file, found.docname, fallback=found.fallback)
    return found
