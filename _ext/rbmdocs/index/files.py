"""One source file's needs as the build records them; DWCP YAML read here, through ``load/``.

The Markdown reader is in ``markdown.py``: it is imported only when a Markdown page must
be read again, so a command whose files all come from the cache never loads the parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rbmdocs.graph.model import NeedRecord, NeedReference, yaml_need_record

if TYPE_CHECKING:
    from rbmdocs.load import YamlNeed


@dataclass(slots=True)
class FileIndex:
    """What one source file holds, as the build would record it, before IDs meet.

    ``parents`` gives, for each record and each reference, the index of the need whose
    body holds it (-1 at the top of the page): when sphinx-needs refuses a need because
    its ID is taken, what its body holds is never read either.
    """

    file: str
    docname: str
    records: list[NeedRecord] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    titles_as_written: list[str] = field(default_factory=list)
    """Each need's title before translation: what the build notes for a refused duplicate."""
    references: list[NeedReference] = field(default_factory=list)
    reference_parents: list[int] = field(default_factory=list)
    fallback: str = ""
    """Why this file must be read through Sphinx ("" when the index reads it exactly)."""


def docname_of(file: str) -> str:
    """The Sphinx document name of a source file: its path without the suffix."""
    stem, dot, _suffix = file.rpartition(".")
    return stem if dot else file


def read_dwcp(
    text: str, file: str, language: str, catalogue: Mapping[str, str] | None = None
) -> FileIndex:
    """The needs of one DWCP file, as the DWCP page directive gives them to sphinx-needs.

    Raises ``BadInputError`` for a file that cannot be read, as the build does.
    """
    from rbmdocs.load import parse_dwcp_text  # the YAML loader only when a file changed

    loaded = parse_dwcp_text(text, file)
    found = FileIndex(file, docname_of(file))
    strings = catalogue or {}

    def pick(text: Mapping[str, str], need: YamlNeed, name: str) -> str:
        return _picked(text, need, language, strings, name)

    for need in loaded.needs():
        # a programme's title is its country (the page's heading), as the page has it
        field = "country" if need.need_type == "dwcp" else "title"
        title = _picked(need.title, need, language, strings, field)
        found.records.append(
            yaml_need_record(
                need,
                title,
                file,
                pick,
            )
        )
        found.parents.append(-1)
        found.titles_as_written.append(title)
    return found


def _picked(
    text: Mapping[str, str],
    need: YamlNeed,
    language: str,
    catalogue: Mapping[str, str],
    field: str,
) -> str:
    """A DWCP string as the page shows it, in the build's language.

    The catalogue's translation (``msgctxt`` "need ID.field" on the file's source text)
    comes first, then what the file writes itself.
    """
    from rbmdocs.load import pick_language

    source = text.get("*") or text.get("en") or ""
    if source and language != "en":
        translated = catalogue.get(f"{need.id}.{field}\x04{source}", "")
        if translated.strip():
            return translated
    chosen, _fell_back = pick_language(text, language)
    return chosen or need.id
