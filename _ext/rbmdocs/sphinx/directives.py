"""The need directives of our types: sphinx-needs' own, noting what it would not record."""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.directives.need import NeedDirective
from sphinx_needs.nodes import Need

from rbmdocs.schema import NEED_TYPES
from rbmdocs.sphinx.env_data import DroppedNeed, notes_for
from rbmdocs.sphinx.i18n import messages_node, translate_need_text


class TracedNeedDirective(NeedDirective):
    """A sphinx-needs need directive that keeps duplicates and generated IDs in view.

    sphinx-needs refuses a second need with an existing ID (with its own warning) and
    invents an ID when none is written. Both are findings of ours (RBM004, RBM002) with a
    hint, so the duplicate is noted instead of passed on, and an invented ID is noted.
    The title and text options go through the document's catalogue first (``i18n``).
    """

    def run(self) -> Sequence[nodes.Node]:
        """Note a duplicate or a missing ID, translate, then let sphinx-needs create the need."""
        docname = self.env.docname
        need_id = (self.options.get("id") or "").strip()
        if need_id and need_id in SphinxNeedsData(self.env).get_needs_mutable():
            title = self.arguments[0] if self.arguments else ""
            notes_for(self.env, docname).dropped.append(
                DroppedNeed(need_id, self.name, self.lineno, title)
            )
            return []
        originals = translate_need_text(self.env, self.name, self.arguments, self.options)
        result = [*super().run()]
        if originals:
            source, line = self.get_source_info()
            result.append(messages_node(originals, source, line))
        if not need_id:
            for node in result:
                if isinstance(node, Need) and node["ids"]:
                    notes_for(self.env, docname).generated_ids.add(node["ids"][0])
        return result


def register_traced_directives(app: Sphinx, _config: Config) -> None:
    """Put our directive under each of our need types (after sphinx-needs registered its own)."""
    for spec in NEED_TYPES:
        app.add_directive(spec.directive, TracedNeedDirective, override=True)
