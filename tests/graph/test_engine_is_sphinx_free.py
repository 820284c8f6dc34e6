"""The engine takes plain data: importing it must not pull in Sphinx or docutils."""

from __future__ import annotations

import subprocess
import sys


def test_graph_and_report_import_without_sphinx() -> None:
    probe = (
        "import sys, rbmdocs.graph, rbmdocs.report; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'docutils')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
