"""Translation catalogues: merge new source strings in, and say how complete each one is.

The layout is sphinx-intl's, which Sphinx reads without configuration:
``locales/<lang>/LC_MESSAGES/<domain>.po``, one catalogue per document (``spf``,
``programme_budget``, and one per top-level page), because Sphinx's ``gettext_compact``
groups the pages of a folder into one domain. Templates (``.pot``) come from Sphinx's
``gettext`` builder; merging and counting use Babel, which Sphinx itself depends on.
Nothing here imports Sphinx.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from rbmdocs.load import BadInputError

#: Header comment of a new catalogue, for the translator who opens it first.
_NEW_CATALOGUE_NOTE = (
    "Translation of the rbmdocs documents into {language}.\n"
    "Fill in each msgstr; `rbmdocs i18n status` shows what is left."
)


def catalogue_path(locale_dir: Path, language: str, domain: str) -> Path:
    """Where the catalogue of ``domain`` in ``language`` lives (sphinx-intl layout)."""
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def read_template(path: Path) -> Catalog:
    """A ``.pot`` file written by the gettext builder."""
    with path.open("rb") as stream:
        return read_po(stream)


_MSGFMT_ERROR = re.compile(r"^[^:]+:(\d+): (.*)$", re.MULTILINE)


def read_catalogue(path: Path, language: str, shown_as: str = "") -> Catalog:
    """A translator's ``.po`` file; a broken one is bad input at its line.

    Babel reads leniently (an unclosed quote passes), so GNU ``msgfmt --check``, the
    reference checker, looks first when it is installed.
    """
    name = shown_as or str(path)
    _check_with_msgfmt(path, name)
    try:
        with path.open("rb") as stream:
            return read_po(stream, locale=language, abort_invalid=True)
    except PoFileError as error:
        line = getattr(error, "lineno", None)  # Babel counts lines from 0
        raise BadInputError(
            name,
            line + 1 if isinstance(line, int) and line > 0 else None,
            f"the catalogue cannot be read: {error}",
            "fix the .po syntax at that line (every msgid needs a msgstr, quotes closed)",
        ) from None
    except UnicodeDecodeError as error:
        raise BadInputError(
            name,
            None,
            f"the catalogue is not UTF-8 ({error.reason})",
            "save the .po file as UTF-8",
        ) from None


def _check_with_msgfmt(path: Path, name: str) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return
    result = subprocess.run(
        [msgfmt, "--check-format", "--check-header", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return
    match = _MSGFMT_ERROR.search(result.stderr)
    line, message = (int(match[1]), match[2]) if match else (None, result.stderr.strip())
    raise BadInputError(
        name,
        line,
        f"the catalogue cannot be read: {message}",
        "fix the .po syntax at that line (quotes closed, every msgid with its msgstr)",
    )


@dataclass(slots=True)
class UpdatedCatalogue:
    """What ``update`` did to one catalogue."""

    path: Path
    created: bool
    messages: int
    added: int
    obsolete: int
    changed: bool


def update_catalogues(
    templates: dict[str, Catalog],
    locale_dir: Path,
    languages: list[str],
    prefill: dict[tuple[str, str], dict[str, str]] | None = None,
) -> list[UpdatedCatalogue]:
    """Create or merge each language's catalogue from the templates, keeping translations.

    A changed source string becomes fuzzy with its old translation as a suggestion; a
    string that left the sources is dropped (the translator still has git history).
    ``prefill`` gives, per (language, domain), translations by message context for
    messages still empty or fuzzy (the built-in Chinese labels, which the catalogue then
    owns: a label the translator has confirmed is never replaced).
    """
    updated: list[UpdatedCatalogue] = []
    for language in languages:
        for domain, template in sorted(templates.items()):
            path = catalogue_path(locale_dir, language, domain)
            created = not path.is_file()
            if created:
                catalogue = Catalog(locale=language, domain=domain, project=template.project)
                catalogue.header_comment = "# " + _NEW_CATALOGUE_NOTE.format(
                    language=language
                ).replace("\n", "\n# ")
                catalogue.fuzzy = False
                before: _Snapshot = []
            else:
                catalogue = read_catalogue(path, language)
                before = _snapshot(catalogue)
            creation_date = catalogue.creation_date
            catalogue.update(template, update_header_comment=False)
            known = (prefill or {}).get((language, domain), {})
            for message in catalogue:
                empty_or_fuzzy = not message.string or message.fuzzy
                if message.id and empty_or_fuzzy and message.context in known:
                    message.string = known[str(message.context)]
                    message.flags.discard("fuzzy")
            after = _snapshot(catalogue)
            obsolete = len(catalogue.obsolete)
            catalogue.obsolete.clear()
            changed = after != before
            if changed:
                if not created:
                    # the date would change on every run; a catalogue changes with its strings
                    catalogue.creation_date = creation_date
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("wb") as stream:
                    write_po(stream, catalogue, width=0, include_previous=False)
            added = len({entry[0] for entry in after} - {entry[0] for entry in before})
            updated.append(UpdatedCatalogue(path, created, len(after), added, obsolete, changed))
    return updated


@dataclass(slots=True)
class Untranslated:
    """A message still to translate, where the translator finds it."""

    message: str
    fuzzy: bool
    line: int | None


@dataclass(slots=True)
class CatalogueStatus:
    """How complete one document's catalogue is, measured against the current sources."""

    language: str
    domain: str
    path: Path
    total: int
    translated: int
    missing: list[Untranslated] = field(default_factory=list)
    exists: bool = True

    @property
    def share(self) -> float:
        """Translated messages over all messages, 1.0 for a document with none."""
        return self.translated / self.total if self.total else 1.0

    @property
    def fuzzy(self) -> int:
        """Messages whose translation awaits review after the source changed."""
        return sum(1 for item in self.missing if item.fuzzy)


def catalogue_status(
    templates: dict[str, Catalog], locale_dir: Path, languages: list[str]
) -> list[CatalogueStatus]:
    """Per language and document: messages in the sources, and how many are translated.

    A message counts when its catalogue has a non-empty, non-fuzzy translation of exactly
    the current source text, so a catalogue that was not updated after an edit shows the
    edited strings as missing.
    """
    statuses: list[CatalogueStatus] = []
    for language in languages:
        for domain, template in sorted(templates.items()):
            path = catalogue_path(locale_dir, language, domain)
            catalogue = read_catalogue(path, language) if path.is_file() else None
            status = CatalogueStatus(language, domain, path, 0, 0, exists=catalogue is not None)
            for message in template:
                if not message.id:
                    continue
                status.total += 1
                found = catalogue.get(message.id, message.context) if catalogue else None
                if found is not None and _has_translation(found) and not found.fuzzy:
                    status.translated += 1
                    continue
                status.missing.append(
                    Untranslated(
                        _msgid(message),
                        fuzzy=bool(found is not None and found.fuzzy),
                        line=found.lineno if found is not None else None,
                    )
                )
            statuses.append(status)
    return statuses


_Snapshot = list[tuple[str, str, tuple[tuple[str, int], ...], bool, str]]


def _snapshot(catalogue: Catalog) -> _Snapshot:
    """What ``update`` may change: messages, where they come from, fuzziness, text."""
    return [
        (
            f"{message.context or ''}\x04{_msgid(message)}",
            _msgid(message),
            tuple(sorted((str(where), int(line or 0)) for where, line in message.locations)),
            message.fuzzy,
            str(message.string or ""),
        )
        for message in catalogue
        if message.id
    ]


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _has_translation(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(isinstance(text, str) and text.strip() for text in strings)


def render_status(statuses: list[CatalogueStatus], *, show_missing: int = 10) -> str:
    """The status as text: one line per document, then the strings still to translate."""
    lines: list[str] = []
    width = max((len(f"{s.language}/{s.domain}") for s in statuses), default=10)
    for status in statuses:
        name = f"{status.language}/{status.domain}"
        note = "" if status.exists else "  (no catalogue yet: run rbmdocs i18n update)"
        lines.append(
            f"{name:<{width}}  {status.share:7.1%}  {status.translated:>5}/{status.total:<5}"
            f"  fuzzy {status.fuzzy:<4} untranslated {len(status.missing) - status.fuzzy}{note}"
        )
    for status in statuses:
        if not status.missing or not status.exists:
            continue
        lines.append("")
        lines.append(f"{status.path}: {len(status.missing)} to translate")
        for item in status.missing[:show_missing]:
            where = f"{status.path}:{item.line}" if item.line else str(status.path)
            kind = "fuzzy" if item.fuzzy else "untranslated"
            lines.append(f"  {where}: {kind}: {_shorten(item.message)}")
        if len(status.missing) > show_missing:
            lines.append(f"  … and {len(status.missing) - show_missing} more (--all lists them)")
    total = sum(status.total for status in statuses)
    done = sum(status.translated for status in statuses)
    share = done / total if total else 1.0
    lines.append("")
    lines.append(f"all catalogues: {done}/{total} messages translated ({share:.1%})")
    return "\n".join(lines) + "\n"


def _shorten(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
