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

import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from step_timers import SECONDS, run_and_report, time_attribute


def main(arguments: list[str]) -> int:
    started = time.process_time()
    import sphinx.transforms.i18n

    time_attribute(sphinx.transforms.i18n.Locale, "apply", "Locale transform, in all")
    time_attribute(sphinx.transforms.i18n, "_publish_msgstr", "  parsing each translated message")
    time_attribute(
        importlib.import_module("myst_parser.mdit_to_docutils.base"),
        "make_document",
        "    of which myst-parser's make_document (docutils settings)",
    )
    time_attribute(
        importlib.import_module("myst_parser.parsers.sphinx_"),
        "create_md_parser",
        "    of which myst-parser's create_md_parser",
    )
    import rbmdocs.render.collation
    import rbmdocs.sphinx.run

    time_attribute(rbmdocs.sphinx.run, "preflight_catalogues", "catalogue check (Babel)")
    time_attribute(
        rbmdocs.render.collation, "_pinyin_key", "pinyin keys (pypinyin's import included)"
    )
    if any(argument.startswith("zh") for argument in arguments):  # an English build never
        before_import = time.process_time()  # imports it
        import rbmdocs.sphinx.chinese_search as chinese_search

        SECONDS["importing jieba (Sphinx's Chinese search)"] = time.process_time() - before_import
        search = chinese_search.ChineseSearch
        time_attribute(search, "split", "search index: splitting texts")
        time_attribute(search, "_load_dictionary", "  of which loading jieba's dictionary")
        time_attribute(search, "__init__", "search index: reading the kept words")
        time_attribute(search, "keep_words", "search index: writing the kept words")
    return run_and_report(arguments, None, started)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
