"""What a translator can break in a ``.po`` file, found at its line without GNU gettext.

Babel reads catalogues leniently (an unclosed quote is taken as the end of the line), and
GNU ``msgfmt`` is not on every translator's laptop, so the checks that decide whether a
build may go on are ours and give the same answer everywhere:

* ``check_syntax``: every line is a comment, a keyword with one quoted string, or a quoted
  continuation; every ``msgid`` has its ``msgstr``. An unterminated string is reported at
  its own line.
* ``check_placeholders``: a ``python-brace-format`` message keeps the ``{fields}`` of its
  msgid (the labels in ``rbmdocs.po`` are formatted with them).
* ``check_markup``: a translated paragraph keeps the MyST references of its msgid (roles
  such as ``{need}`IO_1```, link targets) and closes every role it opens.

Fuzzy and empty translations are never used by a build, so they are not checked.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message

_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(rf"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s*({_STRING})\s*$")
_CONTINUATION = re.compile(rf"^{_STRING}\s*$")
_KEYWORD_START = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\b")


@dataclass(frozen=True, slots=True)
class CatalogueProblem:
    """One problem in a catalogue, at the line a translator opens."""

    line: int | None
    message: str
    hint: str


def check_syntax(path: Path) -> CatalogueProblem | None:
    """The first line of ``path`` that is not gettext PO syntax, or None.

    Lines of obsolete (``#~``) and previous (``#|``) entries are checked like the others,
    since editors read them back.
    """
    data = path.read_bytes()
    expecting_msgstr_since: int | None = None
    in_entry = False
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError as error:
            return CatalogueProblem(
                number, f"the line is not UTF-8 ({error.reason})", "save the .po file as UTF-8"
            )
        if line.startswith("#|"):  # a previous msgid: well-formed, and no entry of its own
            previous = line[2:].strip()
            if previous and not (_KEYWORD_LINE.match(previous) or _CONTINUATION.match(previous)):
                return CatalogueProblem(number, *_describe_bad_line(previous))
            continue
        if line.startswith("#~"):
            line = line[2:].strip()
            if not line:
                continue
        elif not line or line.startswith("#"):
            in_entry = False  # a comment or a blank line ends a value
            continue
        keyword = _KEYWORD_LINE.match(line)
        if keyword is not None:
            word = keyword[1]
            if word in ("msgctxt", "msgid") and expecting_msgstr_since is not None:
                return _missing_msgstr(expecting_msgstr_since)
            if word == "msgid":
                expecting_msgstr_since = number
            elif word.startswith("msgstr"):
                expecting_msgstr_since = None
            in_entry = True
            continue
        if _CONTINUATION.match(line) and in_entry:
            continue
        return CatalogueProblem(number, *_describe_bad_line(line))
    if expecting_msgstr_since is not None:
        return _missing_msgstr(expecting_msgstr_since)
    return None


def _missing_msgstr(line: int) -> CatalogueProblem:
    return CatalogueProblem(
        line,
        "this msgid has no msgstr",
        'add msgstr "" after it (or the translation), as every entry has',
    )


def _describe_bad_line(line: str) -> tuple[str, str]:
    if (_KEYWORD_START.match(line) or line.startswith('"')) and not line.endswith('"'):
        return (
            "the string is not closed: the line ends inside quotes",
            'close it with " at the end of the line (write \\" for a quote inside the text)',
        )
    if _KEYWORD_START.match(line) or line.startswith('"'):
        return (
            "a quote inside the string is not escaped",
            'write \\" for a quote inside the text',
        )
    return (
        f"not a line of a .po file: {line[:40]!r}",
        'each line is a # comment, msgid "...", msgstr "..." or a "..." continuation',
    )


def msgstr_line(path_lines: list[str], message: Message) -> int | None:
    """The line of ``message``'s msgstr (1-based), found after its msgid line."""
    if not message.lineno:
        return None
    for index in range(message.lineno - 1, min(len(path_lines), message.lineno + 200)):
        if path_lines[index].lstrip().startswith("msgstr"):
            return index + 1
    return message.lineno


def _fields(text: str) -> Counter[str] | None:
    try:
        return Counter(
            field.split(".")[0].split("[")[0]
            for _, field, _, _ in string.Formatter().parse(text)
            if field is not None
        )
    except ValueError:
        return None


def check_placeholders(catalogue: Catalog, lines: list[str]) -> CatalogueProblem | None:
    """The first translated brace-format message whose ``{fields}`` differ from its msgid."""
    for message in catalogue:
        if not message.id or "python-brace-format" not in message.flags:
            continue
        if message.fuzzy or not isinstance(message.string, str) or not message.string:
            continue
        wanted, written = _fields(str(message.id)), _fields(message.string)
        if written is None:
            return CatalogueProblem(
                msgstr_line(lines, message),
                f"a brace is not closed in the translation of {str(message.id)!r}",
                "write {{ and }} for a literal brace; keep {name} placeholders as in the msgid",
            )
        if wanted is not None and set(written) != set(wanted):
            missing = ", ".join(f"{{{name}}}" for name in sorted(set(wanted) - set(written)))
            unknown = ", ".join(f"{{{name}}}" for name in sorted(set(written) - set(wanted)))
            said = _joined(
                f"{missing} is missing" if missing else "",
                f"{unknown} is not in the msgid" if unknown else "",
            )
            return CatalogueProblem(
                msgstr_line(lines, message),
                f"the placeholders of the translation differ from the msgid: {said}",
                "keep each {name} of the msgid as written (only the words around it change)",
            )
    return None


_ROLE = re.compile(r"\{([\w:.+-]+)\}(`+)(.*?)\2", re.DOTALL)
_ROLE_OPEN = re.compile(r"\{([\w:.+-]+)\}`")
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
_EXPLICIT_TARGET = re.compile(r"<([^<>]+)>\s*$", re.DOTALL)


def references(text: str) -> tuple[Counter[str], str | None]:
    """The MyST references of ``text`` (``role:target``, link targets) and an unclosed role.

    A role's target is what it points at: ``{doc}`the report <report>``` → ``doc:report``.
    """
    found: Counter[str] = Counter()
    rest = text
    for match in _ROLE.finditer(text):
        content = match[3]
        explicit = _EXPLICIT_TARGET.search(content)
        target = explicit[1] if explicit else content
        found[f"{match[1]}:{target.strip()}"] += 1
        rest = rest.replace(match[0], " ", 1)
    unclosed = _ROLE_OPEN.search(rest)
    found.update(f"link:{target}" for target in _LINK_TARGET.findall(text))
    return found, (rest[unclosed.start() : unclosed.start() + 40] if unclosed else None)


def check_markup(catalogue: Catalog, lines: list[str]) -> CatalogueProblem | None:
    """The first translation that drops, adds or breaks a reference of its msgid."""
    for message in catalogue:
        if not message.id or message.fuzzy or not isinstance(message.string, str):
            continue
        source, translation = str(message.id), message.string
        if not translation or ("`" not in source and "`" not in translation and "](" not in source):
            continue
        wanted, _ = references(source)
        written, unclosed = references(translation)
        if unclosed is not None:
            return CatalogueProblem(
                msgstr_line(lines, message),
                f"a role is not closed in the translation: {unclosed}…",
                "close the role with a backtick, as in the msgid",
            )
        if written != wanted:
            lost = ", ".join(sorted((wanted - written).elements()))
            new = ", ".join(sorted((written - wanted).elements()))
            said = _joined(
                f"missing {lost}" if lost else "",
                f"not in the msgid {new}" if new else "",
            )
            return CatalogueProblem(
                msgstr_line(lines, message),
                f"the references of the translation differ from the msgid ({said})",
                "copy each {role}`target` and link target of the msgid unchanged",
            )
    return None


def _joined(*parts: str) -> str:
    """What a translation lacks and what it adds, whichever there is, in one clause."""
    return "; ".join(part for part in parts if part)
