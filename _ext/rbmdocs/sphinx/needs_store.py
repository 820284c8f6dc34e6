"""Keep sphinx-needs' needs in a dict whose ``repr`` is one line, not the whole programme.

Sphinx writes every event's arguments to its debug log, and computes ``repr()`` of them
whether or not debug output is on; since Sphinx 8 it no longer cuts that text short
(sphinx-doc/sphinx issue 12719). sphinx-needs passes its dict of every need with two of
its events (``needs-before-post-processing`` and ``needs-before-sealing``), so each build
wrote out every need twice into text it threw away: at 21,244 needs 0.33 s and 41 MB of
text each time, two tenths of a one-file rebuild and a visible step in its peak memory.

The dict stays the very same mapping sphinx-needs reads and writes (a ``dict``, with
every need in it), only its ``repr`` changes. It is pickled with the environment like the
plain dict it replaces.
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


def setup_needs_store(app: Sphinx) -> None:
    """Before any other listener of the event may take the dict."""
    app.connect("env-before-read-docs", keep_needs_in_short_repr_dict, priority=0)
