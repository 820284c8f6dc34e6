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

import functools
import importlib
import inspect
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

_seconds: dict[str, float] = {}

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


def _timed(original: Callable[..., Any], label: str) -> Callable[..., Any]:
    running = [0]

    def counted(started: float) -> None:
        _seconds[label] = _seconds.get(label, 0.0) + time.process_time() - started

    def drained(generator: Iterator[Any]) -> Iterator[Any]:
        """A generator's steps timed as it is read (its caller's work in between not)."""
        while True:
            started = time.process_time()
            try:
                item = next(generator)
            except StopIteration:
                counted(started)
                return
            counted(started)
            yield item

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if running[0]:
            return original(*args, **kwargs)
        running[0] += 1
        started = time.process_time()
        try:
            result = original(*args, **kwargs)
        finally:
            counted(started)
            running[0] -= 1
        # Sphinx's check_dependents and the html-collect-pages listener are generators
        return drained(result) if inspect.isgenerator(result) else result

    return timed


def main(arguments: list[str]) -> int:
    started = time.process_time()
    for module_name, owner_name, attribute, label in _STEPS:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        setattr(owner, attribute, _timed(getattr(owner, attribute), label))
    from rbmdocs.cli import main as rbmdocs_main

    imported = time.process_time() - started
    code = rbmdocs_main(arguments)
    print(f"{time.process_time() - started:7.2f}  the whole command (CPU s of this process)")
    print(f"{imported:7.2f}  importing Sphinx, sphinx-needs, myst-parser and rbmdocs")
    for _module, _owner, _attribute, label in _STEPS:
        print(f"{_seconds.get(label, 0.0):7.2f}  {label}")
    return code


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
