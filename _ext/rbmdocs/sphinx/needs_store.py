"""Two costs of how sphinx-needs stores needs, paid in every build, taken away.

**The dict of all needs prints itself in one line.** Sphinx writes every event's
arguments to its debug log, and computes ``repr()`` of them whether or not debug output is
on; since Sphinx 8 it no longer cuts that text short (sphinx-doc/sphinx issue 12719).
sphinx-needs passes its dict of every need with two of its events
(``needs-before-post-processing`` and ``needs-before-sealing``), so each build wrote out
every need twice into text it threw away: at 21,244 needs 0.33 s and 41 MB of text each
time, two tenths of a one-file rebuild. The dict stays the very mapping sphinx-needs reads
and writes, only its ``repr`` changes; it is pickled with the environment like the plain
dict it replaces.

**One table of back-link names for all needs.** Each need carries its own mapping from
the names of its back links to its link options (``contributes_to_back`` →
``contributes_to``): the same fourteen entries, made afresh for every need, read and never
changed. They were a third of the needs' share of the pickled environment (5.8 of 19 MB at
21,244 needs) and about 1.5 KB of memory per need. After reading, needs whose mappings are
equal share one; the environment is saved and loaded 0.2 s faster.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.data import SphinxNeedsData


class NeedsById(dict[str, Any]):
    """sphinx-needs' needs by ID; ``repr`` gives their number (``<21244 needs>``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} needs>"


def keep_needs_in_short_repr_dict(
    _app: Sphinx, env: BuildEnvironment, _docnames: list[str]
) -> None:
    """``env-before-read-docs``: move the needs into a ``NeedsById`` unless they are in one.

    Before reading, so that every later holder of the dict (readers, post-processing,
    writers) gets this one; an environment pickled by the last build has one already.
    """
    needs = SphinxNeedsData(env).get_needs_mutable()
    if type(needs) is dict:
        env._needs_all_needs = NeedsById(needs)  # type: ignore[attr-defined]


def share_back_link_names(_app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: equal back-link name tables of all needs become one, before saving.

    Only needs read by this build have their own table; those of earlier builds share
    one already (pickling keeps sharing). A need without the table (another sphinx-needs
    version) is left as it is.
    """
    shared: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for need in SphinxNeedsData(env).get_needs_mutable().values():
        names = getattr(need, _BACK_LINK_NAMES, None)
        if isinstance(names, dict):
            setattr(need, _BACK_LINK_NAMES, shared.setdefault(tuple(names.items()), names))


#: sphinx-needs' ``NeedItem`` slot with the back-link name table (read-only after creation).
_BACK_LINK_NAMES = "_backlinks_keymap"


def setup_needs_store(app: Sphinx) -> None:
    """Connect both, before any other listener of their events may take the needs."""
    app.connect("env-before-read-docs", keep_needs_in_short_repr_dict, priority=0)
    app.connect("env-updated", share_back_link_names, priority=0)
