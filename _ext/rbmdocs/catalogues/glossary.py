"""One term per concept: the glossary of the field, and the catalogue entries that stray.

The glossary (``locales/glossary.yaml``) lists the terms of results-based management and
of the programme (outcome, result, constituents, IPEC, …) with the one translation each
language uses. ``glossary_findings`` reads every translated entry of the catalogues: where
the English uses a term, the translation must use the glossary's rendering. Longer terms
are matched first and take their words with them ("results framework" is 成果框架 even
though "result" alone is 结果), and a term's ``except`` phrases are not the concept
("as a result"). Each finding is rule RBM070, at the entry's line, for the translator to
correct or for the glossary to gain an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

from rbmdocs.catalogues.checks import msgstr_line
from rbmdocs.load import BadInputError

GLOSSARY_FILE = "glossary.yaml"
RULE = "RBM070"


@dataclass(frozen=True, slots=True)
class Term:
    """A term in the source language and its one rendering per language."""

    english: str
    translations: dict[str, str]
    note: str = ""
    wrong: tuple[str, ...] = ()
    """Renderings seen in drafts that the glossary rules out (named in the finding)."""
    exceptions: tuple[str, ...] = ()
    """English phrases that contain the term without meaning the concept."""

    def pattern(self) -> re.Pattern[str]:
        """The term and its plural as whole words (an acronym only in capitals)."""
        flags = 0 if self.english.isupper() else re.IGNORECASE
        words = r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", self.english))
        return re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", flags)


@dataclass(slots=True)
class Glossary:
    """The terms, longest first (the order in which they are matched)."""

    terms: list[Term] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GlossaryFinding:
    """A catalogue entry that renders a glossary term otherwise."""

    file: str
    line: int | None
    term: Term
    language: str
    message: str

    def render(self) -> str:
        """``file:line: warning: RBM070 …`` as the other findings are printed."""
        wanted = self.term.translations[self.language]
        found = [wrong for wrong in self.term.wrong if wrong in self.message]
        said = f" (it has {'、'.join(found)})" if found else ""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: warning: {RULE} the translation of {self.term.english!r} is not the "
            f"glossary's {wanted}{said}: correct the msgstr, or add an exception to "
            f"{GLOSSARY_FILE} if the English does not mean the term here"
        )


def read_glossary(path: Path, shown_as: str) -> Glossary:
    """The glossary file; a malformed one is bad input at its line."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BadInputError(
            shown_as,
            mark.line + 1 if mark is not None else None,
            "YAML syntax error in the glossary",
            "fix the YAML at that line",
        ) from None
    entries = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise BadInputError(
            shown_as, 1, "the glossary has no list of terms", "start it with `terms:`"
        )
    terms: list[Term] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("en"), str):
            raise BadInputError(
                shown_as,
                None,
                f"term {number} of the glossary has no English (`en:`)",
                "give each term `en:` and its translation per language, e.g. `zh_CN:`",
            )
        translations = {
            str(key): str(value)
            for key, value in entry.items()
            if key not in ("en", "note", "wrong", "except") and isinstance(value, str)
        }
        terms.append(
            Term(
                entry["en"],
                translations,
                str(entry.get("note") or ""),
                tuple(str(item) for item in entry.get("wrong") or ()),
                tuple(str(item) for item in entry.get("except") or ()),
            )
        )
    terms.sort(key=lambda term: -len(term.english))
    return Glossary(terms)


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with ``start:end`` replaced by as many spaces (positions stay)."""
    return text[:start] + " " * (end - start) + text[end:]


def stray_terms(glossary: Glossary, language: str, source: str, translation: str) -> list[Term]:
    """The terms ``source`` uses that ``translation`` does not render as the glossary says.

    A term's matches take their words out of the source for the shorter terms after it,
    and its rendering out of the translation; its exceptions hide phrases from it alone.
    """
    stray: list[Term] = []
    for term in glossary.terms:
        wanted = term.translations.get(language)
        if not wanted:
            continue
        probe = source
        for phrase in term.exceptions:
            for hidden in re.finditer(re.escape(phrase), probe, flags=re.IGNORECASE):
                probe = _blank(probe, hidden.start(), hidden.end())
        matches = list(term.pattern().finditer(probe))
        if not matches:
            continue
        for match in matches:
            source = _blank(source, match.start(), match.end())
        # letters compare without case (Emploi, emploi); the replacement keeps the length
        at = translation.lower().find(wanted.lower())
        if at >= 0:
            end = at + len(wanted)
            translation = translation[:at] + "\u3000" * len(wanted) + translation[end:]
        else:
            stray.append(term)
    return stray


def glossary_findings(
    glossary: Glossary, locale_dir: Path, languages: Iterable[str], domains: Iterable[str]
) -> list[GlossaryFinding]:
    """Every translated, confirmed entry of the catalogues that strays from the glossary."""
    findings: list[GlossaryFinding] = []
    for language in languages:
        for domain in domains:
            path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
            if not path.is_file():
                continue
            with path.open("rb") as stream:
                catalogue = read_po(stream, locale=language)
            lines = path.read_text("utf-8").splitlines()
            for message in catalogue:
                if not message.id or message.fuzzy or not isinstance(message.string, str):
                    continue
                if not message.string.strip() or not isinstance(message.id, str):
                    continue
                for term in stray_terms(glossary, language, message.id, message.string):
                    findings.append(
                        GlossaryFinding(
                            path.as_posix(),
                            msgstr_line(lines, message),
                            term,
                            language,
                            message.string,
                        )
                    )
    return findings


def render_findings(findings: list[GlossaryFinding], name: str) -> str:
    """The findings under a heading, or a line saying the catalogues agree with it."""
    if not findings:
        return f"\nglossary ({name}): every translated term follows it\n"
    lines = ["", f"glossary ({name}): {len(findings)} entries render a term otherwise"]
    lines += [finding.render() for finding in findings]
    return "\n".join(lines) + "\n"
