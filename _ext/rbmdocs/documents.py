"""The documents a project publishes as PDFs: what an entry of ``rbmdocs_documents`` holds.

Kept apart from the LaTeX writer so that the configuration can check the entries without
importing anything that renders (``config`` → ``documents``, never ``config`` → ``sphinx``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Text fields of a document entry that readers see, translated through the catalogue.
TRANSLATED_FIELDS = (
    "title",
    "subtitle",
    "body",
    "session",
    "date",
    "place",
    "committee",
    "purpose",
    "item",
    "subject",
    "keywords",
)
#: Fields shown as they are written, in every language.
LITERAL_FIELDS = ("name", "start", "symbol", "committee_abbreviation")
DOCUMENT_FIELDS = (*LITERAL_FIELDS, *TRANSLATED_FIELDS)
_REQUIRED_FIELDS = ("name", "start", "title")
#: Fields a masthead line needs together: the abbreviation stands beside the committee.
_NEEDS = {"committee_abbreviation": "committee", "session": "body"}


def check_documents(value: Any) -> list[str]:
    """Problems with ``rbmdocs_documents`` (for the one ConfigError of ``config.py``)."""
    if not isinstance(value, list | tuple):
        return [f"rbmdocs_documents must be a list of dicts, not {value!r}"]
    problems: list[str] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(value, start=1):
        where = f"rbmdocs_documents[{position}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where} must be a dict, not {entry!r}")
            continue
        for key in _REQUIRED_FIELDS:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                problems.append(f"{where} needs a text {key!r}")
        for key, text in entry.items():
            if key not in DOCUMENT_FIELDS:
                problems.append(
                    f"{where} has an unknown key {key!r} (known: {', '.join(DOCUMENT_FIELDS)})"
                )
            elif key not in _REQUIRED_FIELDS and (not isinstance(text, str) or not text.strip()):
                problems.append(f"{where}[{key!r}] must be a non-empty text, not {text!r}")
        for key, partner in _NEEDS.items():
            if key in entry and partner not in entry:
                problems.append(
                    f"{where} has {key!r} but no {partner!r}; the masthead prints them together"
                )
        name = entry.get("name")
        if isinstance(name, str) and not name.replace("_", "").replace("-", "").isalnum():
            problems.append(
                f"{where}: name {name!r} becomes a file name; use letters, digits, - and _"
            )
        elif isinstance(name, str) and name in seen:
            problems.append(
                f"{where}: name {name!r} is also the name of rbmdocs_documents[{seen[name]}]; "
                "each PDF needs its own"
            )
        if isinstance(name, str):
            seen.setdefault(name, position)
    return problems
