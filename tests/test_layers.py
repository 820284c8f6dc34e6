"""The package's folders are its pipeline, and the imports go one way along it.

``schema`` ← ``load`` ← ``graph`` ← ``render`` ← ``report``, each free of Sphinx, docutils
and sphinx-needs; the Sphinx bridge (``rbmdocs.sphinx``) depends on them and never the
other way; ``config`` imports nothing that renders. A forbidden import fails here with the
module and the line, before it can tie the engine or the reports to Sphinx again.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "_ext" / "rbmdocs"

#: The libraries a Sphinx-free layer must not import.
SPHINX_WORLD = ("sphinx", "docutils", "sphinx_needs", "myst_parser")

#: Layer → the layers of ours it may import. A layer missing here may import anything.
ALLOWED: dict[str, frozenset[str]] = {
    "schema": frozenset(),
    "documents": frozenset(),
    # what commands run at once share (file locks) and how they print: used from the CLI
    # and from any layer that keeps files under _build/.work, so they import none of ours
    "locking": frozenset(),
    "terminal": frozenset(),
    # files written whole or not at all (caches, records): for every layer that keeps one
    "files": frozenset(),
    "load": frozenset({"schema"}),
    "graph": frozenset({"schema", "load"}),
    "render": frozenset({"schema", "load", "graph", "files"}),
    "report": frozenset({"schema", "load", "graph", "render"}),
    "catalogues": frozenset({"schema", "load"}),
    # the project index reads the sources into the engine's records, beside the build:
    # above load (the DWCP loader) and graph (the records), below the commands and the
    # language server, which check what it read
    "index": frozenset({"schema", "load", "graph", "catalogues", "files"}),
    "config": frozenset({"schema", "load", "graph", "documents"}),
    "sphinx": frozenset(
        {
            "schema",
            "load",
            "graph",
            "render",
            "report",
            "config",
            "documents",
            "catalogues",
            "locking",
            "terminal",
            "files",
        }
    ),
}
#: Layers that run without Sphinx installed (``config`` registers itself with Sphinx).
SPHINX_FREE = frozenset(
    {"schema", "documents", "load", "graph", "render", "report", "locking", "terminal", "files"}
)

#: Layers that read Markdown as MyST does (its parser, its directive option parsing and
#: docutils' option converters) but never start Sphinx: they must not import Sphinx or
#: sphinx-needs, so that a command on the index never pays for (or depends on) a build.
MYST_WITHOUT_SPHINX = frozenset({"index"})
SPHINX_ITSELF = ("sphinx", "sphinx_needs")


def _layer(path: Path, package: Path) -> str:
    relative = path.relative_to(package)
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of the file, including those inside functions."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def forbidden_imports(package: Path) -> list[str]:
    """Every import that goes against the pipeline, as ``file:line: what`` lines."""
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        layer = _layer(path, package)
        allowed = ALLOWED.get(layer)
        for line, module in _imports(path):
            where = f"{path.relative_to(package.parent).as_posix()}:{line}"
            top = module.split(".")[0]
            if layer in SPHINX_FREE and top in SPHINX_WORLD:
                problems.append(f"{where}: {layer} imports {module}, but runs without Sphinx")
            if layer in MYST_WITHOUT_SPHINX and top in SPHINX_ITSELF:
                problems.append(f"{where}: {layer} imports {module}, but never starts Sphinx")
            if top != package.name or allowed is None:
                continue
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else ""
            if target and target != layer and target not in allowed:
                problems.append(f"{where}: {layer} imports {module} (allowed: {sorted(allowed)})")
    return problems


def test_imports_follow_the_pipeline() -> None:
    assert forbidden_imports(PACKAGE) == []


@pytest.mark.parametrize(
    ("layer", "source", "expected"),
    [
        ("graph/extra.py", "from sphinx.application import Sphinx\n", "runs without Sphinx"),
        ("graph/extra.py", "from rbmdocs.render.labels import label\n", "graph imports"),
        ("render/extra.py", "import docutils.nodes\n", "runs without Sphinx"),
        ("config.py", "def f():\n    from rbmdocs.sphinx import latex\n", "config imports"),
        ("report/extra.py", "from rbmdocs.sphinx.checking import check_result\n", "report"),
        ("index/extra.py", "import sphinx_needs.api\n", "never starts Sphinx"),
        ("index/extra.py", "from rbmdocs.report import render\n", "index imports"),
    ],
)
def test_a_forbidden_import_is_named_at_its_line(
    tmp_path: Path, layer: str, source: str, expected: str
) -> None:
    """The check is live: a copy of the package with one bad import fails it."""
    package = tmp_path / "rbmdocs"
    target = package / layer
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, "utf-8")
    (problem,) = forbidden_imports(package)
    assert expected in problem
    assert problem.startswith(f"rbmdocs/{layer}:{source.count(chr(10))}")
