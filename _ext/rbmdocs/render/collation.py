"""The order of names in a language, as its readers look them up.

Lists of countries and the DWCP navigation are read as indexes: an English reader looks
for "Côte d'Ivoire" among the Cs, whatever its accent or case; a Chinese reader looks for
孟加拉国 under M, because Chinese indexes are ordered by pinyin (then by tone, then by
character), not by code point, which scatters names by their radicals' place in Unicode.

Plain data in, a key out: nothing here knows Sphinx, so the tables, the check's reports
and the CLI can all sort the same way.
"""

from __future__ import annotations

import json
import unicodedata
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeAlias

from rbmdocs.files import keep_for_next_build

#: Syllables (or folded words), then tones (Chinese only), then the text itself, so that
#: two different names never compare equal and the order is total and stable.
SortKey: TypeAlias = tuple[tuple[str, ...], tuple[int, ...], str]


def sort_key(text: str, language: str | None) -> SortKey:
    """The key that puts ``text`` where a reader of ``language`` looks for it.

    Chinese (``zh``, ``zh_CN``, …): by the pinyin of each character, syllable by syllable
    as Chinese dictionaries are ordered, then by tone, then by character; letters and
    digits among the characters sort as words. Any other language: case and accents
    folded ("Côte" with "cote"), then the text as written.
    """
    if (language or "").lower().startswith("zh"):
        return _chinese_key(text)
    return ((fold(text),), (), text)


def fold(text: str) -> str:
    """``text`` without case and accents: "Côte d'Ivoire" → "cote d'ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


#: The pinyin key of each Chinese text sorted in this process, or read from a file of
#: keys (``read_chinese_keys``): a key depends on the text and pypinyin's dictionaries
#: alone, so it is computed once per text and pypinyin version, whatever the project.
_chinese_keys: dict[str, SortKey] = {}
#: How many keys each file of keys holds, as read or written in this process.
_keys_in_file: dict[Path, int] = {}


def _chinese_key(text: str) -> SortKey:
    """The Chinese key of ``text``, computed the first time only.

    The same names sort on many pages, and again in the next build.
    """
    key = _chinese_keys.get(text)
    if key is None:
        key = _chinese_keys[text] = _pinyin_key(text)
    return key


def _pypinyin_version() -> str:
    """The version of pypinyin, from its metadata: asking does not import it."""
    try:
        return version("pypinyin")
    except PackageNotFoundError:
        return ""


def read_chinese_keys(path: Path) -> None:
    """Remember the keys a previous build wrote to ``path`` (``write_chinese_keys``).

    Importing pypinyin loads its phrase dictionary, which costs an incremental Chinese
    build more than all the sorting it does; with the keys of the names it sorted last
    time, a build whose names did not change never imports it. Keys written by another
    pypinyin version, or a file that cannot be read, are ignored (the keys are computed
    again).
    """
    try:
        stored: Any = json.loads(path.read_text("utf-8"))
        if not isinstance(stored, dict) or stored.get("pypinyin") != _pypinyin_version():
            return
        keys: dict[str, SortKey] = {
            str(text): (tuple(map(str, syllables)), tuple(map(int, tones)), str(text))
            for text, (syllables, tones) in stored["keys"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    for text, key in keys.items():
        _chinese_keys.setdefault(text, key)
    _keys_in_file[path] = len(keys)


def write_chinese_keys(path: Path) -> None:
    """Write the keys known in this process to ``path``, if it lacks some.

    Whole or not at all: a temporary file, then renamed.
    """
    if len(_chinese_keys) <= _keys_in_file.get(path, -1):
        return
    keys = {text: [list(key[0]), list(key[1])] for text, key in sorted(_chinese_keys.items())}
    stored = {"pypinyin": _pypinyin_version(), "keys": keys}
    keep_for_next_build(path, json.dumps(stored, ensure_ascii=False))
    _keys_in_file[path] = len(keys)


def _pinyin_key(text: str) -> SortKey:
    """Pinyin syllables and tones of ``text``, from pypinyin."""
    # imported here: its phrase dictionary is slow to load, which a build that sorts
    # no Chinese (every English build, every check) should not pay
    from pypinyin import Style, lazy_pinyin

    syllables: list[str] = []
    tones: list[int] = []
    # with phrases, so that a character with several readings gets the one of the name
    for item in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True):
        if _is_syllable(item):
            syllables.append(item[:-1])
            tones.append(int(item[-1]))
        else:  # not Chinese (Latin letters, digits, punctuation): compared as folded text
            word = fold(item).strip()
            if word:
                syllables.append(word)
                tones.append(0)
    return (tuple(syllables), tuple(tones), text)


def _is_syllable(item: str) -> bool:
    """Whether pypinyin gave a syllable with its tone digit ("guo2"), not a run of text."""
    return len(item) > 1 and item[-1] in "12345" and item[:-1].isascii() and item[:-1].isalpha()
