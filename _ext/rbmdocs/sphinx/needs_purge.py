"""Forget a document's needs only when it has any: sphinx-needs' purge without the square.

Before Sphinx reads a document it emits ``env-purge-doc``, and sphinx-needs answers by
scanning every need it holds for ones from that document. In a full build that is once per
document over the needs read so far, so the build grows with documents times needs: 2 s of a
5,314-need build (cProfile). A document Sphinx
has never read (it is not in ``env.all_docs``) cannot own a need yet, so the scan is only
run for documents read by an earlier build: every one of those still has its needs
forgotten exactly as sphinx-needs does it.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.directives.need import purge_needs


def purge_needs_of_read_documents(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """``env-purge-doc``: sphinx-needs' own purge, for a document read before."""
    if docname in env.all_docs:
        purge_needs(app, env, docname)


def replace_needs_purge(app: Sphinx) -> None:
    """Swap sphinx-needs' ``env-purge-doc`` listener for the one above, at its priority."""
    for listener in list(app.events.listeners.get("env-purge-doc", [])):
        if listener.handler is purge_needs:
            app.disconnect(listener.id)
            app.connect("env-purge-doc", purge_needs_of_read_documents, listener.priority)
