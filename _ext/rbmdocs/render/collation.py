"""The order of names in a language, as its readers look them up.

Lists of countries and the DWCP navigation are read as indexes: an English reader looks
for "Côte d'Ivoire" among the Cs, whatever its accent or case; a Chinese reader looks for
孟加拉国 under M, because Chinese indexes are ordered by pinyin (then by tone, then by
character), not by code point, which scatters names by their radicals' place in Unicode.

Plain data in, a key out: nothing here knows Sphinx, so the tables, the check's reports
and the CLI can all sort the same way.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TypeAlias

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


@lru_cache(maxsize=8192)
def _chinese_key(text: str) -> SortKey:
    """Pinyin syllables and tones of ``text`` (cached: the same names sort on many pages)."""
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
