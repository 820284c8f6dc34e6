"""Translation catalogues: merge new source strings in, and say how complete each one is.

The layout is sphinx-intl's, which Sphinx reads without configuration:
``locales/<lang>/LC_MESSAGES/<domain>.po``, one catalogue per document (``spf``,
``programme_budget``, and one per top-level page), because Sphinx's ``gettext_compact``
groups the pages of a folder into one domain. Templates (``.pot``) come from Sphinx's
``gettext`` builder; merging and counting use Babel, which Sphinx itself depends on.
Nothing here imports Sphinx.

What a translator needs from ``update``: previous msgids on fuzzy entries, obsolete entries
kept until purged, new / changed / obsolete counted apart, a compendium of the language's
translations for strings seen elsewhere, and files that change only when their strings
do (``render_catalogue``). ``checks`` finds what a translator can break, ``glossary`` the
terms translated otherwise, ``yaml_strings`` the text of the DWCP data.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import denormalize, read_po, write_po

from rbmdocs.catalogues.checks import check_markup, check_placeholders, check_syntax
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


def read_catalogue(path: Path, language: str, shown_as: str = "") -> Catalog:
    """A translator's ``.po`` file; a broken one is bad input at its line.

    The checks are ours (``checks``), so a laptop without GNU gettext gets the same
    answer as CI: syntax, placeholders of the labels, MyST references of the translations.
    Previous msgids (``#| msgid``) are read back onto their messages, which Babel keeps as
    comments otherwise.
    """
    name = shown_as or str(path)
    problem = check_syntax(path)
    if problem is not None:
        raise BadInputError(
            name, problem.line, f"the catalogue cannot be read: {problem.message}", problem.hint
        )
    with path.open("rb") as stream:
        catalogue = read_po(stream, locale=language)
    lines = path.read_text("utf-8").splitlines()
    for check in (check_placeholders, check_markup):
        found = check(catalogue, lines)
        if found is not None:
            raise BadInputError(name, found.line, found.message, found.hint)
    for message in (*catalogue, *catalogue.obsolete.values()):
        _restore_previous_id(message)
    return catalogue


def _restore_previous_id(message: Message) -> None:
    """Turn the ``#| msgid`` lines Babel read as comments back into the previous msgid."""
    previous = [comment for comment in message.user_comments if comment.startswith("|")]
    if not previous:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    parts = [comment[1:].strip() for comment in previous]
    text = " ".join(
        part.removeprefix("msgid").strip() for part in parts if "msgid_plural" not in part
    )
    try:
        message.previous_id = [denormalize(text)]
    except (ValueError, IndexError):
        message.previous_id = []


def render_catalogue(catalogue: Catalog) -> str:
    """The text of ``catalogue`` as written, which changes only with its messages.

    No line numbers in the locations (a line inserted above a paragraph changes no
    entry), previous msgids on fuzzy entries, obsolete entries at the end, and no
    ``Generated-By`` header, which would follow the installed Babel.
    """
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=0, include_previous=True, include_lineno=False)
    text = buffer.getvalue().decode("utf-8")
    text = re.sub(r'^"Generated-By: [^"]*"\n', "", text, count=1, flags=re.MULTILINE)
    return _unwrap_previous(text)


def _unwrap_previous(text: str) -> str:
    """Each ``#| msgid "…"`` on one line, as editors read it.

    Babel wraps comment lines at 76 columns whatever the width, which cuts a previous
    msgid inside its quotes; the pieces were split at single spaces, so they join back.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        continues = line.startswith("#| ") and not line.startswith(("#| msgid", "#| msgctxt"))
        if continues and lines and lines[-1].startswith("#| "):
            lines[-1] = f"{lines[-1]} {line[3:]}"
            continue
        lines.append(line)
    return "\n".join(lines)


def write_catalogue(path: Path, catalogue: Catalog) -> bool:
    """Write ``catalogue`` to ``path`` unless the file already says the same; say if so."""
    text = render_catalogue(catalogue)
    if path.is_file() and path.read_text("utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return True


@dataclass(slots=True)
class UpdatedCatalogue:
    """What ``update`` did to one catalogue, in the words a translator reads."""

    path: Path
    created: bool
    messages: int
    new: int = 0
    """Strings that were not in the catalogue (counting those filled from elsewhere)."""
    changed: int = 0
    """Strings whose source changed: fuzzy now, with the previous msgid."""
    obsolete: int = 0
    """Strings that left the sources in this update (kept as ``#~`` entries)."""
    kept_obsolete: int = 0
    purged: int = 0
    filled: int = 0
    """New strings given a translation by another catalogue (the compendium)."""
    fuzzy_filled: int = 0
    """... of which as fuzzy, because the other catalogue used them in another context."""
    imported: int = 0
    """Translations moved in from the YAML data."""
    given_context: int = 0
    """Strings that gained a context (``IO_4.title``) and kept their translation."""
    written: bool = False


Key = tuple[str, str]
"""(context, msgid): a message as gettext looks it up; no context is ``""``."""


def key_of(message: Message) -> Key:
    """The lookup key of ``message``."""
    return (str(message.context or ""), _msgid(message))


@dataclass(slots=True)
class Compendium:
    """Every confirmed translation of one language, across its catalogues."""

    exact: dict[Key, str] = field(default_factory=dict)
    by_text: dict[str, str] = field(default_factory=dict)

    def add(self, catalogue: Catalog) -> None:
        """Learn the non-fuzzy, non-empty translations of ``catalogue``."""
        for message in catalogue:
            if message.id and not message.fuzzy and _has_translation(message):
                self.exact.setdefault(key_of(message), str(message.string))
                self.by_text.setdefault(_msgid(message), str(message.string))


def update_catalogues(
    templates: dict[str, Catalog],
    locale_dir: Path,
    languages: list[str],
    prefill: dict[tuple[str, str], dict[str, str]] | None = None,
    *,
    imported: dict[tuple[str, str], dict[Key, str]] | None = None,
    purge_obsolete: bool = False,
) -> list[UpdatedCatalogue]:
    """Create or merge each language's catalogue from the templates, keeping translations.

    A changed source string becomes fuzzy with its old translation as a suggestion and
    the old source as the previous msgid; a string that left the sources is kept as an
    obsolete entry (and comes back translated if the string does) until
    ``purge_obsolete``. An empty string is filled from the compendium of the language's
    catalogues: the same string in the same context as translated, in another context as
    fuzzy. ``prefill`` gives, per (language, domain), translations by message context for
    messages still empty or fuzzy (the built-in Chinese labels, which the catalogue then
    owns). ``imported`` gives translations moved out of the YAML data, which replace the
    catalogue's (they are moved once: the YAML is then rewritten without them).
    """
    updated: list[UpdatedCatalogue] = []
    for language in languages:
        existing: dict[str, Catalog] = {}
        compendium = Compendium()
        for domain in sorted(templates):
            path = catalogue_path(locale_dir, language, domain)
            if path.is_file():
                existing[domain] = read_catalogue(path, language)
                compendium.add(existing[domain])
        for domain, template in sorted(templates.items()):
            path = catalogue_path(locale_dir, language, domain)
            report = _update_one(
                template,
                existing.get(domain),
                path,
                language,
                compendium,
                (prefill or {}).get((language, domain), {}),
                (imported or {}).get((language, domain), {}),
                purge_obsolete,
            )
            updated.append(report)
    return updated


def _update_one(
    template: Catalog,
    catalogue: Catalog | None,
    path: Path,
    language: str,
    compendium: Compendium,
    known_labels: dict[str, str],
    imported: dict[Key, str],
    purge_obsolete: bool,
) -> UpdatedCatalogue:
    created = catalogue is None
    if catalogue is None:
        catalogue = Catalog(locale=language, domain=template.domain, project=template.project)
        catalogue.revision_date = catalogue.creation_date
        catalogue.header_comment = "# " + _NEW_CATALOGUE_NOTE.format(language=language).replace(
            "\n", "\n# "
        )
        catalogue.fuzzy = False
    before_keys = {key_of(message) for message in catalogue if message.id}
    old_obsolete = dict(catalogue.obsolete)
    old_previous = {key_of(m): m.previous_id for m in catalogue if m.id and m.previous_id}
    given_context = _add_contexts(catalogue, template)
    # an obsolete entry whose string comes back is matched (and revived) like any other
    for obsolete in old_obsolete.values():
        if obsolete.id and catalogue.get(obsolete.id, obsolete.context) is None:
            catalogue[obsolete.id] = obsolete
    catalogue.obsolete = {}
    creation_date = catalogue.creation_date
    catalogue.update(template, update_header_comment=False, update_creation_date=created)
    report = UpdatedCatalogue(path, created, 0)
    for message in catalogue:
        if not message.id:
            continue
        key = key_of(message)
        if message.fuzzy and not message.previous_id and key in old_previous:
            message.previous_id = list(old_previous[key])  # Babel keeps the template's
        if key in imported and imported[key].strip():
            if message.string != imported[key] or message.fuzzy:
                report.imported += 1
            message.string = imported[key]
            message.flags.discard("fuzzy")
            message.previous_id = []
        elif (not message.string or message.fuzzy) and message.context in known_labels:
            message.string = known_labels[str(message.context)]
            message.flags.discard("fuzzy")
            message.previous_id = []
        if key in before_keys:
            continue
        if key in given_context:
            report.given_context += 1
            continue
        if message.fuzzy and message.previous_id and message.previous_id[0] != key[1]:
            report.changed += 1
            continue
        if message.fuzzy and message.previous_id:
            # the same text in another context (another indicator's unit): a suggestion
            message.previous_id = []
            report.new += 1
            report.filled += 1
            report.fuzzy_filled += 1
            continue
        report.new += 1
        if not message.string:
            if key in compendium.exact:
                message.string = compendium.exact[key]
                report.filled += 1
            elif key[1] in compendium.by_text:
                message.string = compendium.by_text[key[1]]
                message.flags.add("fuzzy")
                report.filled += 1
                report.fuzzy_filled += 1
    revived = {key_of(message) for message in catalogue if message.id}
    newly_obsolete = {k: m for k, m in catalogue.obsolete.items() if key_of(m) in before_keys}
    kept = {
        k: m
        for k, m in old_obsolete.items()
        if key_of(m) not in revived and k not in newly_obsolete
    }
    report.obsolete = len(newly_obsolete)
    if purge_obsolete:
        report.purged = len(kept) + len(newly_obsolete)
        catalogue.obsolete = {}
    else:
        catalogue.obsolete = {**kept, **newly_obsolete}
        report.kept_obsolete = len(kept)
    report.messages = sum(1 for message in catalogue if message.id)
    if not created:
        catalogue.creation_date = creation_date  # a date of each run would be churn
    report.written = write_catalogue(path, catalogue)
    return report


def _add_contexts(catalogue: Catalog, template: Catalog) -> set[Key]:
    """A string that gained a context in the sources keeps its translation.

    The need titles and options of a document once had no context; a message of the
    template with a context whose text the catalogue has only without one is the same
    string, now told apart from its namesakes, so the translation follows it.
    """
    plain = {_msgid(m): m for m in catalogue if m.id and not m.context}
    added: set[Key] = set()
    for message in template:
        if not message.id or not message.context:
            continue
        text = _msgid(message)
        if text not in plain or not plain[text].string:
            continue
        if catalogue.get(message.id, message.context) is not None:
            continue
        old = plain[text]
        catalogue.add(
            message.id,
            old.string,
            context=message.context,
            flags=old.flags,
            user_comments=old.user_comments,
        )
        added.add(key_of(message))
    return added


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
                if found is None and catalogue and message.context:
                    # a catalogue from before need strings had contexts: the build reads
                    # the text alone there too, until update gives it the context
                    found = catalogue.get(message.id)
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
