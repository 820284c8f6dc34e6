"""Keep Python's garbage collector from walking the whole build over and over.

In a full build Sphinx keeps every doctree it has read until it writes it, so by the time
the pages are written the process holds millions of long-lived objects, and every full
collection of the cyclic garbage collector walks all of them. Writing a page makes
garbage (a docutils tree is full of cycles: every node points at its parent and its
document), which triggers full collections again and again: at 5,314 needs they took
about a quarter of the build (30.1 s with, 24.3 s without; ``gc.get_stats()``), and both
their number and their size grow with the corpus.

Four measures, together:

* The collector is paused while Sphinx loads the environment of the last build (from
  ``config-inited`` to ``builder-inited``): unpickling millions of objects set off full
  collections that found nothing (with the pause, the collector's time while a one-file
  rebuild at 5,314 needs reads went from 0.5 s to 0.3 s).
* The collector is paused again while Sphinx saves the environment (from the last
  ``env-get-updated`` listener to ``env-check-consistency``, or ``write-started`` if
  nothing was saved): the pickler keeps every state it makes for an object until the end,
  hundreds of thousands of young containers that set off collections finding nothing
  (saving took 1.2 s instead of 0.9 s at 21,244 needs).
* What is alive is frozen (``gc.freeze``), so that later collections skip it: once the
  environment of the last build is loaded (most of an incremental build's heap, all of it
  alive), and, after one collection, each time the number of documents read doubles and
  when writing starts (without the collection when the build read fewer than 64
  documents: it would find next to nothing). All is unfrozen when the build finishes.
* A frozen object is never collected again, so a written page's tree must be freed by
  reference counting: its parent and document pointers, the cycles' back edges, are cut
  as soon as its HTML is written. Only the pointers that lead back up are cut, so a
  subtree that something else still holds stays whole.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

#: Doctrees resolved for writing, by page, until their page is written. Weak: a page that
#: is never written here (another builder, or a worker process of ``-j N``) is not kept.
_awaiting_write: weakref.WeakValueDictionary[tuple[int, str], nodes.document] = (
    weakref.WeakValueDictionary()
)


def note_resolved_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, last: remember the tree about to be written as ``docname``."""
    if app.builder.format == "html":
        _awaiting_write[id(app), docname] = doctree


def free_written_doctree(
    app: Sphinx, pagename: str, _template: str, _context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context``, last: the page's body is written; cut its tree's cycles."""
    doctree = _awaiting_write.pop((id(app), pagename), None)
    if doctree is None:
        return
    for node in list(doctree.findall()):
        node.parent = None
        vars(node)["_document"] = None  # the attribute behind docutils' ``document``
    doctree.transformer = None  # type: ignore[assignment]


def freeze_what_is_alive(*_args: object) -> None:
    """Collect once, then leave everything alive out of later collections."""
    gc.collect()
    gc.freeze()


def pause_while_saving(_app: Sphinx, _env: object) -> list[str]:
    """``env-get-updated``, last: Sphinx pickles the environment next, if anything changed."""
    gc.disable()
    return []


def resume_after_saving(_app: Sphinx, _env_or_builder: object) -> None:
    """``env-check-consistency`` or ``write-started``, first: the environment is saved."""
    gc.enable()


class _ReadCounter:
    """Freezes each time the number of documents read doubles: a handful of times in all."""

    def __init__(self) -> None:
        self.read = 0
        self.next_freeze = 64
        self.to_read = 0

    def reading_starts(self, _app: Sphinx, _env: object, docnames: list[str]) -> None:
        """``env-before-read-docs``, last: how many documents this build reads (any process)."""
        self.to_read = len(docnames)

    def document_read(self, _app: Sphinx, _doctree: nodes.document) -> None:
        """``doctree-read``: count, and freeze at 64, 128, 256, … documents."""
        self.read += 1
        if self.read >= self.next_freeze:
            self.next_freeze *= 2
            freeze_what_is_alive()

    def writing_starts(self, _app: Sphinx, _builder: object) -> None:
        """``write-started``, last: freeze what is alive, collecting first only after much reading.

        A read document's tree is cyclic garbage once Sphinx has saved it, so a build that
        read many collects before it freezes. After a one-file edit there is next to none:
        the collection would only walk what the build made since the environment was
        loaded (its records, signatures and sphinx-needs' back links, all alive), 0.29 s
        of a one-file rebuild at 21,244 needs. What little garbage there is stays frozen
        until the build finishes.
        """
        if self.to_read >= _COLLECT_BEFORE_WRITING_AFTER:
            gc.collect()
        gc.freeze()
        self.read = self.to_read = 0
        self.next_freeze = 64


#: Documents read by a build after which the freeze when writing starts collects first.
_COLLECT_BEFORE_WRITING_AFTER = 64


def pause_collection(_app: Sphinx, _config: object) -> None:
    """``config-inited``, last: no collection while the environment is unpickled."""
    gc.disable()


def resume_collection(_app: Sphinx) -> None:
    """``builder-inited``: the environment is loaded; freeze it, and go on.

    No collection first: what was just unpickled is alive, and a full collection of it
    took 0.4 s of a one-file rebuild at 21,244 needs (cProfile).
    """
    gc.freeze()
    gc.enable()


def unfreeze(_app: Sphinx, _exception: Exception | None) -> None:
    """``build-finished``: what the build kept may be collected again."""
    gc.enable()
    gc.unfreeze()


def setup_memory(app: Sphinx) -> None:
    """Connect the handlers, after every other handler of their events."""
    app.connect("doctree-resolved", note_resolved_doctree, priority=999)
    app.connect("html-page-context", free_written_doctree, priority=999)
    app.connect("config-inited", pause_collection, priority=999)
    app.connect("builder-inited", resume_collection, priority=0)
    counter = _ReadCounter()
    app.connect("env-before-read-docs", counter.reading_starts, priority=999)
    app.connect("doctree-read", counter.document_read, priority=999)
    app.connect("env-get-updated", pause_while_saving, priority=999)
    app.connect("env-check-consistency", resume_after_saving, priority=0)
    app.connect("write-started", resume_after_saving, priority=0)  # if nothing was saved
    app.connect("write-started", counter.writing_starts, priority=999)
    app.connect("build-finished", unfreeze, priority=999)
