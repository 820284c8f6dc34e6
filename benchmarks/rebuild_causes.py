"""Where the CPU seconds of one ``rbmdocs build`` go, by step, without a profiler.

    cd PROJECT && python /path/to/benchmarks/rebuild_causes.py build --lang en --format html

Made for the rebuild after a one-file edit at 20,000 needs (issue 22), where cProfile
doubles the time and blurs the shares. Runs one ``rbmdocs`` command in this process (its
arguments as given) with a timer around each step: Sphinx's set-up, reading, the
listeners that find the pages to write again, sphinx-needs' post-processing, the
traceability check, the documents written, the DWCP pages, the search index (Sphinx's
own writing of it, and the DWCP pages fed to it again, which only an upstream change can
spare: ``docs/upstream.md``), publishing. The timers replace module and class attributes
for the length of this measurement only, which a build never does; the seconds are CPU
seconds of this process (``time.process_time``). A call within a call of the same timer
is counted once; steps nest as their labels' indentation shows. Not part of the tests.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from step_timers import run_and_report, time_attribute

#: (module, owner inside it or "", attribute, label): the steps timed, in the order shown.
_STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("sphinx.application", "Sphinx", "__init__", "Sphinx's set-up (extensions, environment)"),
    ("sphinx.builders", "Builder", "read", "reading (what changed)"),
    ("rbmdocs.sphinx.dwcp_data", "", "load_dwcp_data", "  the DWCP data (cache and files)"),
    ("sphinx.environment", "BuildEnvironment", "check_dependents", "finding pages to write"),
    ("rbmdocs.sphinx.need_views", "", "pages_with_changed_views", "  need views' digests"),
    ("rbmdocs.sphinx.diagrams", "", "outcomes_with_changed_neighbourhood", "  diagrams"),
    ("rbmdocs.sphinx.tables", "", "generated_pages_to_rewrite", "  table pages"),
    (
        "sphinx_needs.directives.need",
        "",
        "post_process_needs_data",
        "sphinx-needs' post-processing",
    ),
    ("rbmdocs.sphinx.checking", "", "run_traceability_check", "the traceability check"),
    ("rbmdocs.sphinx.trace_links", "", "write_graph", "the trace graph file"),
    ("sphinx.builders", "Builder", "write_documents", "documents written"),
    ("rbmdocs.sphinx.dwcp_pages", "", "collect_dwcp_pages", "DWCP pages written"),
    (
        "sphinx.builders.html",
        "StandaloneHTMLBuilder",
        "dump_search_index",
        "Sphinx writing its search index",
    ),
    ("rbmdocs.sphinx.dwcp_pages", "", "add_pages_to_search", "DWCP pages to the search index"),
    ("sphinx.search", "IndexBuilder", "feed", "  of which Sphinx's feed (every DWCP page)"),
    ("sphinx.search", "IndexBuilder", "dump", "  of which writing the index again"),
    ("rbmdocs.sphinx.run", "", "publish", "publishing (links to unchanged files)"),
)


def main(arguments: list[str]) -> int:
    started = time.process_time()
    for module_name, owner_name, attribute, label in _STEPS:
        module = importlib.import_module(module_name)
        time_attribute(getattr(module, owner_name) if owner_name else module, attribute, label)
    import rbmdocs.cli  # noqa: F401 (its import timed apart from the build)

    imported = time.process_time() - started
    print(f"{imported:7.2f}  importing Sphinx, sphinx-needs, myst-parser and rbmdocs")
    return run_and_report(arguments, [label for *_where, label in _STEPS], started)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
