"""``sphinx-build -j N`` builds in one process, as fast as ``-j 1``, unless asked otherwise.

Sphinx's parallel reading forks a process per chunk of documents, and each sends back the
whole environment, every need read so far included, pickled: the more needs, the more each
chunk costs, so at 10,000 needs a two-core build took 40% longer than one process. Its
parallel writing gains nothing here either: the main process still resolves every page
(need boxes, tables, links) and indexes it for the search, which is as much work as the
worker writing the HTML, and each worker copies the main process's memory. With reading
kept in one process, two runs at four sizes (1,122 to 21,244 needs) gave ``-j 2`` from 18%
less to 22% more time than ``-j 1``, 11% more in the median, and a third more memory.

So the job count is set to one when the builder starts (``builder-inited``, before Sphinx
reads anything), and ``rbmdocs build -j N`` uses its processes for languages instead.
``rbmdocs_sphinx_parallel = True`` leaves Sphinx's parallel mode on.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def build_in_one_process(app: Sphinx) -> None:
    """``builder-inited``: one process reads and writes, whatever ``-j`` says."""
    if app.parallel > 1 and not app.config.rbmdocs_sphinx_parallel:
        logger.info(
            "rbmdocs: building in one process (-j %d would be slower here; "
            "rbmdocs_sphinx_parallel = True to use it anyway)",
            app.parallel,
        )
        app.parallel = 1


def setup_parallel(app: Sphinx) -> None:
    """Connect to the start of the build."""
    app.connect("builder-inited", build_in_one_process)
