"""Where the CPU seconds of a Chinese build go that an English build does not spend.

    cd PROJECT && python /path/to/benchmarks/chinese_causes.py build --lang zh_CN --format html

Runs one ``rbmdocs`` command in this process (its arguments as given) with a timer around
each cause: Sphinx's ``Locale`` transform and, within it, the parse of each translated
message (myst-parser's ``make_document`` and ``create_md_parser`` apart), the search
index's splitting (jieba's dictionary apart), the pinyin keys, the catalogue check, the
kept words read and written, and jieba's import. The timers replace module attributes
for the length of this measurement only, which a build never does; without a profiler the
seconds are the build's own (CPU seconds of this process, ``time.process_time``). A
call within a call of the same timer is counted once. Not part of the tests.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
from collections.abc import Callable
from typing import Any

_seconds: dict[str, float] = {}


def _timed(original: Callable[..., Any], label: str) -> Callable[..., Any]:
    running = [0]

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if running[0]:
            return original(*args, **kwargs)
        running[0] += 1
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            _seconds[label] = _seconds.get(label, 0.0) + time.process_time() - started
            running[0] -= 1

    return timed


def _time(owner: Any, name: str, label: str) -> None:
    setattr(owner, name, _timed(getattr(owner, name), label))


def main(arguments: list[str]) -> int:
    started = time.process_time()
    import sphinx.transforms.i18n

    _time(sphinx.transforms.i18n.Locale, "apply", "Locale transform, in all")
    _time(sphinx.transforms.i18n, "_publish_msgstr", "  parsing each translated message")
    _time(
        importlib.import_module("myst_parser.mdit_to_docutils.base"),
        "make_document",
        "    of which myst-parser's make_document (docutils settings)",
    )
    _time(
        importlib.import_module("myst_parser.parsers.sphinx_"),
        "create_md_parser",
        "    of which myst-parser's create_md_parser",
    )
    import rbmdocs.render.collation
    import rbmdocs.sphinx.run

    _time(rbmdocs.sphinx.run, "preflight_catalogues", "catalogue check (Babel)")
    _time(rbmdocs.render.collation, "_pinyin_key", "pinyin keys (pypinyin's import included)")
    if any(argument.startswith("zh") for argument in arguments):  # an English build never
        before_import = time.process_time()  # imports it
        import rbmdocs.sphinx.chinese_search as chinese_search

        _seconds["importing jieba (Sphinx's Chinese search)"] = time.process_time() - before_import
        search = chinese_search.ChineseSearch
        _time(search, "split", "search index: splitting texts")
        _time(search, "_load_dictionary", "  of which loading jieba's dictionary")
        _time(search, "__init__", "search index: reading the kept words")
        _time(search, "keep_words", "search index: writing the kept words")
    from rbmdocs.cli import main as rbmdocs_main

    code = rbmdocs_main(arguments)
    print(f"{time.process_time() - started:7.2f}  the whole command (CPU s of this process)")
    for label, seconds in _seconds.items():
        print(f"{seconds:7.2f}  {label}")
    return code


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
