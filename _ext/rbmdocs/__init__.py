"""rbmdocs: results-based programme cycle documents on Sphinx and sphinx-needs.

List ``rbmdocs`` alone in ``extensions``: it sets up MyST (colon fences) and sphinx-needs,
declares the results framework of ``schema.py`` to sphinx-needs, reads the DWCP YAML
files as pages, checks traceability once per build and fills the generated tables.

The pipeline, one folder a step, the imports going one way (``tests/test_layers.py``):
``schema`` (the need types and rules) ← ``load`` (YAML into entries with lines) ← ``graph``
(the engine) ← ``render`` (what each need shows, labels, collation) ← ``report`` (text,
json, github, junit, codequality, IATI), all free of Sphinx; ``sphinx`` is the bridge that
feeds them from sphinx-needs and turns their results into pages, tables and PDFs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine and the CLI's reports import this package without Sphinx
    from sphinx.application import Sphinx

__version__ = "0.1.0"

#: Bump when what we keep on the environment changes shape, so old caches are dropped
#: (5: each document's notes hold its {need} references, for RBM014, and the lines of
#: YAML options; the need_messages node carries contexts).
ENV_VERSION = 5


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension; nothing else happens here."""
    from rbmdocs.sphinx.bridge import setup_bridge

    setup_bridge(app)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
