"""``rbmdocs i18n update`` and ``status``: the catalogues as a translator works with them.

``update`` extracts every string a reader sees (the pages through Sphinx's ``gettext``
builder, the DWCP data, the labels, the PDF title pages), merges it into each language's
catalogues (``rbmdocs.catalogues``) and moves translations still written inline in the
YAML into the data catalogue. ``status`` measures the catalogues against the sources and
checks them against the glossary. Both stop at a broken catalogue with its file and line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from sphinx.util.i18n import docname_to_domain

from rbmdocs.catalogues import (
    UpdatedCatalogue,
    catalogue_status,
    read_template,
    render_status,
    update_catalogues,
)
from rbmdocs.catalogues.glossary import (
    GLOSSARY_FILE,
    glossary_findings,
    read_glossary,
    render_findings,
)
from rbmdocs.catalogues.yaml_strings import (
    data_templates,
    inline_translations,
    strip_inline,
)
from rbmdocs.documents import TRANSLATED_FIELDS
from rbmdocs.load import DwcpFile, find_dwcp_files, read_dwcp_file
from rbmdocs.render.labels import LABEL_DOMAIN, builtin_labels, english_labels
from rbmdocs.sphinx.i18n import MESSAGE_CONTEXTS_FILE, TRANSLATED_CONFIG_VALUES
from rbmdocs.sphinx.run import BUILD_DIR, ToolError, folder_lock, run_sphinx

EXIT_OK, EXIT_FINDINGS = 0, 1


def _raw_config(source: Path) -> dict[str, Any]:
    from rbmdocs.cli import _raw_config as raw_config

    return raw_config(source)


def _shown_path(path: Path) -> Path:
    """``path`` relative to the current folder when it is below it (as editors like)."""
    relative = Path(os.path.relpath(path))
    return path if relative.parts[:1] == ("..",) else relative


def _locale_dir(source: Path) -> Path:
    dirs = _raw_config(source).get("locale_dirs") or ["locales"]
    return source / str(dirs[0])


def _configured(source: Path) -> list[str]:
    from rbmdocs.cli import _configured_languages

    return _configured_languages(source)


def _dwcp_dir(source: Path) -> str:
    return str(_raw_config(source).get("rbmdocs_dwcp_dir") or "data/dwcp")


def _data_files(source: Path) -> list[DwcpFile]:
    return [
        read_dwcp_file(path, path.relative_to(source).as_posix())
        for path in find_dwcp_files(source / _dwcp_dir(source))
    ]


def _domain_of(raw: dict[str, Any]) -> Callable[[str], str]:
    """The gettext domain of a data file, as Sphinx gives it to the file's page."""
    compact = raw.get("gettext_compact", True)

    def domain(file: str) -> str:
        return docname_to_domain(str(Path(file).with_suffix("").as_posix()), compact)

    return domain


def extract_templates(source: Path, source_language: str) -> dict[str, Catalog]:
    """Every template of the project by domain.

    The pages come through Sphinx's gettext builder; then the YAML data, the labels and
    the PDF title pages.
    """
    outdir = source / BUILD_DIR / ".work" / "gettext"
    # the templates are a shared work folder: a second update waits, and says for whom
    with folder_lock(source, "gettext", f"{BUILD_DIR}/.work/gettext", _say_now):
        for stale in outdir.rglob("*.pot"):  # a removed page must not leave its template
            stale.unlink()
        run = run_sphinx(
            source,
            builder="gettext",
            language=source_language,
            outdir=outdir,
            status=None,
            doctrees=source / BUILD_DIR / ".doctrees" / "gettext",
        )
        if run.bad_input:
            raise ToolError("; ".join(run.bad_input))
        read = [(path, read_template(path)) for path in sorted(outdir.rglob("*.pot"))]
        contexts_file = outdir / MESSAGE_CONTEXTS_FILE
        found = json.loads(contexts_file.read_text("utf-8")) if contexts_file.is_file() else None
    templates: dict[str, Catalog] = {}
    for path, template in read:
        if not any(message.id for message in template):
            continue
        for message in template:
            # "../../../spf/employment.md" → "spf/employment.md": relative to the project
            message.locations = [
                (os.path.relpath((outdir / where).resolve(), source), line)
                for where, line in message.locations
            ]
        templates[path.relative_to(outdir).with_suffix("").as_posix()] = template
    if found is not None:
        templates = with_contexts(templates, found)
    raw = _raw_config(source)
    for domain, template in data_templates(
        _data_files(source), source_language, _domain_of(raw), str(raw.get("project") or "")
    ).items():
        merged = templates.setdefault(domain, template)
        if merged is template:
            continue
        for message in template:
            if message.id:
                merged[message.id] = message
    templates[LABEL_DOMAIN] = label_template(templates.get(LABEL_DOMAIN))
    add_title_page_messages(templates, raw)
    return templates


def with_contexts(templates: dict[str, Catalog], found: dict[str, Any]) -> dict[str, Catalog]:
    """The templates with each need string under its context, and a comment on each text.

    Sphinx extracts a need's title and options as plain text in document order; each takes
    the context the directive gave it (``IO_4.title``) at the same place, and stays plain
    only where the same text is also a paragraph or a heading. A heading, table cell,
    caption or list item says so in a comment.
    """
    needs: dict[str, dict[str, list[list[str]]]] = {}
    for domain, context, text, comment, file in found.get("needs", []):
        needs.setdefault(domain, {}).setdefault(text, []).append([context, comment, file])
    result: dict[str, Catalog] = {}
    for domain, template in templates.items():
        kinds = found.get("kinds", {}).get(domain, {})
        plain = set(found.get("plain", {}).get(domain, []))
        by_text = needs.get(domain, {})
        ordered = Catalog(domain=domain, project=template.project)
        ordered.creation_date = template.creation_date
        for message in template:
            if not message.id:
                continue
            text = str(message.id)
            if text in kinds:
                message.auto_comments = [*message.auto_comments, *kinds[text]]
            if text not in by_text or text in plain:
                ordered[message.id] = message
            for context, comment, file in by_text.get(text, []):
                existing = ordered.get(text, context)
                if existing is not None:
                    existing.locations.append((file, 0))
                    continue
                ordered.add(text, context=context, locations=[(file, 0)], auto_comments=[comment])
        result[domain] = ordered
    return result


def label_template(existing: Catalog | None) -> Catalog:
    """The template of the ``rbmdocs`` catalogue: every label, its key as the context."""
    template = existing if existing is not None else Catalog(domain=LABEL_DOMAIN)
    for key, english in english_labels().items():
        template.add(english, context=key, auto_comments=[f"label {key}"])
    return template


def add_title_page_messages(templates: dict[str, Catalog], raw: dict[str, Any]) -> None:
    """Put each PDF's title, date and place into its start page's catalogue."""
    compact = raw.get("gettext_compact", True)
    for entry in raw.get("rbmdocs_documents") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("start"), str):
            continue
        domain = docname_to_domain(entry["start"], compact)
        template = templates.setdefault(domain, Catalog(domain=domain))
        for key in TRANSLATED_FIELDS:
            if isinstance(entry.get(key), str) and entry[key].strip():
                template.add(entry[key], locations=[("conf.py", 0)])
    root = docname_to_domain(str(raw.get("root_doc") or "index"), compact)
    for name in TRANSLATED_CONFIG_VALUES:
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            templates.setdefault(root, Catalog(domain=root)).add(value, locations=[("conf.py", 0)])
    author = raw.get("author")
    if isinstance(author, str) and author.strip():
        for entry in raw.get("rbmdocs_documents") or []:
            if isinstance(entry, dict) and isinstance(entry.get("start"), str):
                domain = docname_to_domain(entry["start"], compact)
                templates[domain].add(author, locations=[("conf.py", 0)])


def _describe_update(item: UpdatedCatalogue, shown: Path) -> str:
    """One line per catalogue: what a translator has to look at now."""
    if not item.written:
        return f"unchanged {shown}: {item.messages} messages"
    what = "created" if item.created else "updated"
    parts = [f"{item.new} new", f"{item.changed} changed (fuzzy)", f"{item.obsolete} obsolete"]
    notes = []
    if item.filled:
        fuzzy = f", {item.fuzzy_filled} of them fuzzy" if item.fuzzy_filled else ""
        notes.append(f"{item.filled} new filled from other catalogues{fuzzy}")
    if item.given_context:
        notes.append(f"{item.given_context} need strings now with their context, translation kept")
    if item.imported:
        notes.append(f"{item.imported} moved in from the YAML data")
    if item.kept_obsolete:
        notes.append(f"{item.kept_obsolete} obsolete kept from before")
    if item.purged:
        notes.append(f"{item.purged} obsolete purged")
    note = f" ({'; '.join(notes)})" if notes else ""
    return f"{what} {shown}: {item.messages} messages, {', '.join(parts)}{note}"


def command_i18n(
    args: argparse.Namespace,
    source: Path,
    source_language: str,
    languages: list[str],
    *,
    everything: bool,
) -> int:
    """Run ``update`` or ``status`` for ``languages``; return the exit code."""
    templates = extract_templates(source, source_language)
    locale_dir = _shown_path(_locale_dir(source))
    if args.i18n_command == "update":
        return _update(args, source, source_language, languages, templates, locale_dir, everything)
    statuses = catalogue_status(templates, locale_dir, languages)
    sys.stdout.write(render_status(statuses, show_missing=10**9 if args.all else 10))
    glossary_path = _locale_dir(source) / GLOSSARY_FILE
    findings = []
    if glossary_path.is_file():
        glossary = read_glossary(glossary_path, _shown_path(glossary_path).as_posix())
        findings = glossary_findings(glossary, locale_dir, languages, sorted(templates))
        sys.stdout.write(render_findings(findings, glossary_path.name))
    complete = all(status.share >= 1.0 and status.exists for status in statuses)
    return EXIT_FINDINGS if args.strict and not (complete and not findings) else EXIT_OK


def _update(
    args: argparse.Namespace,
    source: Path,
    source_language: str,
    languages: list[str],
    templates: dict[str, Catalog],
    locale_dir: Path,
    everything: bool,
) -> int:
    raw = _raw_config(source)
    files = _data_files(source)
    configured = [language for language in _configured(source) if language != source_language]
    inline = inline_translations(files, source_language, _domain_of(raw), configured)
    prefill = {(language, LABEL_DOMAIN): builtin_labels(language) for language in languages}
    imported = {key: value for key, value in inline.items() if key[0] in languages}
    updated = update_catalogues(
        templates,
        locale_dir,
        languages,
        prefill,
        imported=imported,
        purge_obsolete=args.purge_obsolete,
    )
    for item in updated:
        sys.stdout.write(_describe_update(item, item.path) + "\n")
    inline_languages = {language for language, _domain in inline}
    if not inline:
        return EXIT_OK
    unknown = sorted(inline_languages - set(configured))
    if unknown:
        _say(
            f"the YAML data has inline translations into {', '.join(unknown)}, which "
            "rbmdocs_languages in conf.py does not list: they stay in the files (add the "
            "language, or remove them, then run rbmdocs i18n update again)"
        )
        return EXIT_OK
    if not everything:
        _say(
            f"the YAML data still has inline translations ({', '.join(sorted(inline_languages))}"
            "): they stay in the files until rbmdocs i18n update runs without --lang, for "
            "every language of rbmdocs_languages"
        )
        return EXIT_OK
    moved = 0
    changed_files = 0
    for path in find_dwcp_files(source / _dwcp_dir(source)):
        count = strip_inline(path, path.relative_to(source).as_posix(), source_language)
        moved += count
        changed_files += bool(count)
    _say(
        f"moved the inline translations of {moved} YAML strings in {changed_files} files "
        f"into the catalogues; the files keep their {source_language} text only"
    )
    return EXIT_OK


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _say_now(text: str) -> None:
    """A line the user must see at once (the command waits for another), on stderr."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
