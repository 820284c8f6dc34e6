"""The builder of ``rbmdocs check``: reads, resolves the needs, checks, and writes nothing.

Sphinx's ``dummy`` builder calls every document outdated and resolves each doctree
before discarding it, so sphinx-needs renders every need box of the project for
nothing. The check needs none of that: the needs are resolved and our engine runs on
``write-started``, which this builder still emits.
"""

from __future__ import annotations

from collections.abc import Set

from docutils import nodes
from sphinx.builders.dummy import DummyBuilder


class CheckBuilder(DummyBuilder):
    """Reads what changed, checks traceability, writes no page."""

    name = "rbmdocs-check"
    epilog = ""

    def get_outdated_docs(self) -> set[str]:
        """Nothing is ever out of date: no page is written."""
        return set()

    def write_documents(self, docnames: Set[str]) -> None:
        """Resolve and write nothing."""

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        """Never called (``write_documents`` writes nothing)."""
