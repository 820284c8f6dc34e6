"""The IDs a mistyped ID may have meant: for RBM010's hint and the editor's quick fix.

A drafter who writes ``IO_44`` for ``IO_4`` wants the right ID named, not a list of every
outcome. The closest IDs are those fewest single-character edits away (insert, delete,
replace), among the needs of the types the link allows; a candidate too far away (more
than a quarter of the ID's length, at least one edit) is no suggestion at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from rbmdocs.graph.model import natural_key


def edit_distance(first: str, second: str, limit: int) -> int:
    """Levenshtein distance of two IDs, or ``limit + 1`` as soon as it exceeds ``limit``.

    The cut-off keeps the search cheap over thousands of candidates: most are abandoned
    after a row or two.
    """
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous = list(range(len(second) + 1))
    for row, first_char in enumerate(first, start=1):
        current = [row]
        for column, second_char in enumerate(second, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (first_char != second_char),
                )
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def closest_ids(wrong: str, candidates: Iterable[str], most: int = 3) -> list[str]:
    """Up to ``most`` candidate IDs nearest to ``wrong``, the nearest first, ties by ID order.

    Comparison ignores case (``io_4`` meant ``IO_4``), so a wrongly cased ID is one
    suggestion away from the right one.
    """
    limit = max(1, len(wrong) // 4)
    wanted = wrong.upper()
    scored: list[tuple[int, tuple[tuple[tuple[int, int | str], ...], str]]] = []
    for candidate in candidates:
        if candidate == wrong:
            continue
        distance = edit_distance(wanted, candidate.upper(), limit)
        if distance <= limit:
            scored.append((distance, natural_key(candidate)))
    scored.sort()
    return [key[1] for _, key in scored[:most]]


def did_you_mean(wrong: str, suggestions: list[str]) -> str:
    """``IO_44: did you mean IO_4?`` (or ``IO_4 or IO_14``), for a hint or a quick fix."""
    if not suggestions:
        return ""
    if len(suggestions) == 1:
        named = suggestions[0]
    else:
        named = ", ".join(suggestions[:-1]) + f" or {suggestions[-1]}"
    return f"{wrong}: did you mean {named}?"
