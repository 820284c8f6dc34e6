"""With ``-j N``, read the sources one by one and write the pages in parallel.

Sphinx's parallel reading forks a process per chunk of documents, and each sends back the
whole environment, every need read so far included, pickled: the more needs, the more each
chunk costs, so at 10,000 needs a two-core build took 40% longer than reading serially.
Its parallel writing costs nothing of the kind: the main process resolves each page while
a worker writes the HTML of the pages resolved before it (at 21,244 needs, English HTML,
2 cores: 116 s serial, 88 s with ``-j 2``).

Sphinx decides at the start of reading (``self._app.parallel > 1``) and again at the
start of writing, and has no setting for one without the other, so the job count is set to
one for reading (``env-before-read-docs``) and given back when reading ends
(``env-updated``). ``rbmdocs_parallel_read = True`` leaves Sphinx's own choice alone.
"""

from __future__ import annotations

import weakref

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

#: The job count set aside while reading, per application.
_jobs_set_aside: weakref.WeakKeyDictionary[Sphinx, int] = weakref.WeakKeyDictionary()


def read_serially(app: Sphinx, _env: BuildEnvironment, _docnames: list[str]) -> None:
    """``env-before-read-docs``: one process reads, whatever ``-j`` says."""
    if app.parallel > 1 and not app.config.rbmdocs_parallel_read:
        _jobs_set_aside[app] = app.parallel
        app.parallel = 1


def write_in_parallel(app: Sphinx, _env: BuildEnvironment) -> list[str]:
    """``env-updated``: reading is over; the pages are written with ``-j`` jobs again."""
    jobs = _jobs_set_aside.pop(app, None)
    if jobs is not None:
        app.parallel = jobs
    return []


def setup_parallel(app: Sphinx) -> None:
    """Connect last to the start of reading and first to its end."""
    app.connect("env-before-read-docs", read_serially, priority=999)
    app.connect("env-updated", write_in_parallel, priority=1)
