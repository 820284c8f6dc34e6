"""Run graphviz for the pages' diagrams on the other cores while Sphinx writes the pages.

Sphinx's graphviz extension runs ``dot`` once per diagram when the HTML writer reaches it,
and waits: about 14 ms each, nearly all of it ``dot`` starting up, so 2.8 s of a
21,244-need build (200 outcome diagrams), while the machine's other cores sit idle.
Here the diagrams of the pages to be written are handed to a few threads as writing
starts, in the order the pages are written; each thread runs the extension's own
``render_dot``, which writes the image file under the name the writer will look for.
When the writer reaches a diagram, ``render_dot`` finds its file and returns at once.
Before a page with diagrams is written its diagrams are waited for, so a file is never
written twice at once; after the last page, all are.

``render_dot`` reads two things of the translator it is given: the builder (with the
image folder as seen from the page, which the writer sets per page) and the page's
source. A job gives it exactly those. A diagram whose job failed (bad code) is left to
the writer, which runs it again and reports it as it always has; when ``dot`` cannot be
found nothing is started, so the writer's one warning about it is the only one.
"""

from __future__ import annotations

import os
import shutil
import weakref
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.ext.graphviz import render_dot
from sphinx.util.osutil import relative_uri


@dataclass(frozen=True, slots=True)
class DiagramJob:
    """One diagram of one page: its DOT source and its graphviz node's options."""

    docname: str
    code: str
    options: dict[str, Any]


class _BuilderSeenFromPage:
    """The builder, with the image folder as the writer sets it for one page."""

    def __init__(self, builder: Builder, imgpath: str) -> None:
        self._builder = builder
        self.imgpath = imgpath

    def __getattr__(self, name: str) -> Any:
        return getattr(self._builder, name)


class _PageTranslatorView:
    """What ``render_dot`` reads of the HTML translator of one page."""

    def __init__(self, builder: Builder, docname: str) -> None:
        page_uri = builder.get_target_uri(docname)
        self.builder = _BuilderSeenFromPage(builder, relative_uri(page_uri, builder.imagedir))
        self.document = {"source": os.fspath(builder.env.doc2path(docname))}


class _Prerendering:
    """The threads and the diagrams of each page still being drawn."""

    def __init__(self, workers: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rbmdocs-dot")
        self.by_page: dict[str, list[Future[object]]] = defaultdict(list)


_running: weakref.WeakKeyDictionary[Sphinx, _Prerendering] = weakref.WeakKeyDictionary()


def prerender_diagrams(app: Sphinx, jobs: Iterable[DiagramJob]) -> None:
    """Start drawing ``jobs`` in threads, in page order (the order Sphinx writes pages).

    Only for an HTML build writing its pages in this process: Sphinx's parallel writing
    forks worker processes, which must not inherit running threads.
    """
    if app.builder.format != "html" or app.parallel > 1:
        return
    if shutil.which(app.config.graphviz_dot) is None:
        return
    image_format = app.config.graphviz_output_format
    workers = max(1, min(4, (os.cpu_count() or 1) - 1))
    running = _running.setdefault(app, _Prerendering(workers))
    for job in sorted(jobs, key=lambda job: job.docname):
        view = _PageTranslatorView(app.builder, job.docname)
        running.by_page[job.docname].append(
            running.pool.submit(render_dot, view, job.code, job.options, image_format)  # type: ignore[arg-type]
        )


def wait_for_page_diagrams(app: Sphinx, docname: str) -> None:
    """Before a page is written: its diagrams are drawn (or failed, for the writer to redo)."""
    running = _running.get(app)
    if running is not None:
        wait(running.by_page.pop(docname, ()))


def finish_prerendering(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``, first: every diagram drawn, the threads gone."""
    running = _running.pop(app, None)
    if running is not None:
        running.pool.shutdown(wait=True, cancel_futures=exception is not None)


def setup_diagram_prerendering(app: Sphinx) -> None:
    """Join the threads before anything else reads the output folder."""
    app.connect("build-finished", finish_prerendering, priority=0)
