"""The text of the DWCP data in the catalogues, like any paragraph.

A DWCP file is a Sphinx document (``data/dwcp/KEN``), so its strings belong to the
catalogue of its gettext domain (``data.po`` with the default ``gettext_compact``): Sphinx
then rebuilds the DWCP pages when that catalogue changes. Each string has the need ID and
the field as its context (``CPO_KEN_101.title``), so two CPOs with the same English title
can read differently in Chinese, and a changed English title turns fuzzy like a paragraph.

Files written before the catalogues held these strings carry their translations inline
(``title: {en: ..., zh_CN: ...}``). ``inline_translations`` collects them for
``rbmdocs i18n update``, which moves them into the catalogue, and ``strip_inline`` then
rewrites each such mapping as its source-language text, touching nothing else in the file
(comments, order, quoting). Running both again finds nothing to move: the step is
idempotent, so it can be re-run after data with inline translations is merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog

from rbmdocs.load import BadInputError, find_dwcp_files, parse_dwcp_text, read_dwcp_file
from rbmdocs.load.dwcp import ANY_LANGUAGE, BILINGUAL_KEYS, Bilingual, DwcpFile

Key = tuple[str, str]

_KINDS = {"dwcp": "DWCP", "dwcp-priority": "priority", "cpo": "CPO"}


@dataclass(frozen=True, slots=True)
class DataString:
    """One translatable string of the data: whose, which field, where."""

    need_id: str
    need_type: str
    field: str
    file: str
    line: int
    text: Bilingual

    @property
    def context(self) -> str:
        """The catalogue's ``msgctxt``: need ID and field."""
        return f"{self.need_id}.{self.field}"

    def source(self, source_language: str) -> str:
        """The text in the language the documents are written in."""
        for key in (ANY_LANGUAGE, source_language, source_language.split("_")[0]):
            if key in self.text:
                return self.text[key]
        return next(iter(self.text.values()), "")


def data_strings(loaded: DwcpFile) -> Iterator[DataString]:
    """Every text of the file a reader sees, each with its need and field as context.

    The programme's country, each priority's and CPO's title, and a CPO's own indicator,
    baseline and target.
    """
    dwcp = loaded.dwcp
    needs = [
        dwcp,
        *(need for priority in loaded.priorities for need in (priority.need, *priority.cpos)),
    ]
    for need in needs:
        if need.title and need is not dwcp:
            yield DataString(need.id, need.need_type, "title", loaded.file, need.line, need.title)
        for name, text in need.texts.items():
            if text:
                line = need.field_lines.get(name, need.line)
                yield DataString(need.id, need.need_type, name, loaded.file, line, text)


def read_data_files(source: Path, dwcp_dir: str) -> list[DwcpFile]:
    """Every DWCP file of the project (bad input stops here, with its line)."""
    return [
        read_dwcp_file(path, path.relative_to(source).as_posix())
        for path in find_dwcp_files(source / dwcp_dir)
    ]


def data_templates(
    files: list[DwcpFile], source_language: str, domain_of: Callable[[str], str], project: str
) -> dict[str, Catalog]:
    """The data's strings as catalogue templates, by the gettext domain of each file."""
    templates: dict[str, Catalog] = {}
    for loaded in files:
        domain = domain_of(loaded.file)
        template = templates.setdefault(domain, Catalog(domain=domain, project=project))
        for item in data_strings(loaded):
            text = item.source(source_language)
            if not text.strip():
                continue
            kind = _KINDS.get(item.need_type, item.need_type)
            template.add(
                text,
                context=item.context,
                locations=[(item.file, 0)],
                auto_comments=[f"{item.field} of {kind} {item.need_id}"],
            )
    return templates


def inline_translations(
    files: list[DwcpFile],
    source_language: str,
    domain_of: Callable[[str], str],
    languages: list[str],
) -> dict[tuple[str, str], dict[Key, str]]:
    """Translations written in the YAML, by (language, domain), keyed as in the catalogue.

    A key that names a language only by its prefix (``zh``) counts for the configured
    language it starts (``zh_CN``), as the build reads it; one that names no configured
    language is kept under its own code, so the caller can see it would be lost.
    """
    found: dict[tuple[str, str], dict[Key, str]] = {}
    for loaded in files:
        domain = domain_of(loaded.file)
        for item in data_strings(loaded):
            source = item.source(source_language)
            for written, text in item.text.items():
                if written in (ANY_LANGUAGE, source_language) or not text.strip():
                    continue
                language = next(
                    (code for code in languages if code.split("_")[0] == written), written
                )
                found.setdefault((language, domain), {})[(item.context, source)] = text
    return found


def strip_inline(path: Path, display_name: str, source_language: str) -> int:
    """Rewrite each ``{en: ..., zh_CN: ...}`` of ``path`` as its English text; count them.

    Only the text of each mapping changes (found by the YAML parser's marks); the file is
    written only when something moved, and never when its text would no longer parse as
    the same data.
    """
    text = path.read_text("utf-8")
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BadInputError(
            display_name,
            mark.line + 1 if mark is not None else None,
            "YAML syntax error: the inline translations cannot be moved",
            "fix the YAML, then run rbmdocs i18n update again",
        ) from None
    spans: list[tuple[int, int, str]] = []
    for node in _translated_text_nodes(root):
        values = {str(k.value): v for k, v in node.value if isinstance(v, yaml.ScalarNode)}
        english = next(
            (str(values[key].value) for key in (source_language, "en") if key in values), None
        )
        if english is None:
            continue
        end = node.end_mark.index if node.flow_style else node.value[-1][1].end_mark.index
        spans.append((node.start_mark.index, end, _yaml_scalar(english)))
    if not spans:
        return 0
    rewritten = text
    for start, end, replacement in sorted(spans, reverse=True):
        rewritten = rewritten[:start] + replacement + rewritten[end:]
    if _sources(text, display_name, source_language) != _sources(
        rewritten, display_name, source_language
    ):
        raise BadInputError(
            display_name,
            None,
            "the inline translations could not be moved without changing the data",
            "write each title as a plain string and its translation in the catalogue by hand",
        )
    path.write_text(rewritten, "utf-8")
    return len(spans)


def _sources(text: str, display_name: str, source_language: str) -> list[tuple[str, str]]:
    try:
        loaded = parse_dwcp_text(text, display_name)
    except BadInputError:
        return []
    return [(item.context, item.source(source_language)) for item in data_strings(loaded)]


def _translated_text_nodes(root: yaml.Node | None) -> Iterator[yaml.MappingNode]:
    """The language mappings of every text a reader sees (``BILINGUAL_KEYS``)."""
    if not isinstance(root, yaml.MappingNode):
        return
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if (
                    isinstance(key, yaml.ScalarNode)
                    and key.value in BILINGUAL_KEYS
                    and isinstance(value, yaml.MappingNode)
                ):
                    yield value
                else:
                    stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _yaml_scalar(text: str) -> str:
    """``text`` as a one-line YAML scalar, quoted only where YAML needs it."""
    dumped = yaml.safe_dump(text, allow_unicode=True, width=10**9, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def find_data_files(source: Path, dwcp_dir: str) -> list[Path]:
    """The DWCP files, for the migration (same order as the build)."""
    return find_dwcp_files(source / dwcp_dir)
