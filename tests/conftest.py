"""Shared fixtures: real Sphinx projects under tests/roots/, copied to a temporary folder."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

pytest_plugins = ("sphinx.testing.fixtures",)

collect_ignore = ["roots"]

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent

#: What the sample project is made of (the rest of the repository is code and tooling).
SAMPLE_PARTS = (
    "conf.py",
    "index.md",
    "dwcps.md",
    "traceability.md",
    "spf",
    "programme_budget",
    "programme_budget_2012",
    "implementation_report",
    "data",
    "locales",
    "_static",
)


@pytest.fixture
def copy_root(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/roots/test-<name>`` to a fresh folder and return it."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(ROOTS / f"test-{name}", target)
        return target

    return copy


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A copy of the repository's sample project (SPF, P&B, DWCP data)."""
    return copy_sample(tmp_path / "sample")


def copy_sample(target: Path) -> Path:
    """Copy the sample project (not its compiled catalogues) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in SAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("*.mo"))
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


@pytest.fixture(scope="session")
def bilingual_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built once per session with ``rbmdocs build --lang all --format all``."""
    from rbmdocs.cli import main

    target = copy_sample(tmp_path_factory.mktemp("bilingual"))
    assert main(["build", "--source", str(target), "--lang", "all", "--format", "all"]) == 0
    return target


def build_html(root: Path, **overrides: object) -> tuple[SphinxTestApp, str]:
    """One HTML build of ``root`` with conf.py values overridden; the app and its warnings."""
    warnings = io.StringIO()
    app = SphinxTestApp(
        "html", srcdir=root, confoverrides=dict(overrides), status=io.StringIO(), warning=warnings
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return app, warnings.getvalue()


def country_name(project: Path, data_file: Path, language: str) -> str:
    """A DWCP's country name in ``language`` as the data gives it.

    The YAML holds the source text and ``locales/<language>/LC_MESSAGES/data.po`` its
    translation (``msgctxt "DWCP_KEN.country"``); a file not migrated yet still writes the
    languages inline (``{en: ..., zh_CN: ...}``).
    """
    import yaml
    from babel.messages.pofile import read_po

    data = yaml.safe_load(data_file.read_text("utf-8"))
    country = data["country"]
    if isinstance(country, dict):
        return str(country.get(language) or country["en"])
    catalogue_file = project / "locales" / language / "LC_MESSAGES" / "data.po"
    if language == "en" or not catalogue_file.is_file():
        return str(country)
    with catalogue_file.open("rb") as stream:
        message = read_po(stream).get(country, f"{data['id']}.country")
    return str(message.string) if message is not None and message.string else str(country)
