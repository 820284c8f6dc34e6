"""check, trace, diff and export iati answer from the project index, without Sphinx.

Each command runs in a fresh interpreter on a copy of a test root; afterwards neither
Sphinx's application nor sphinx-needs has been imported, and the answer is the one the
build's own path gives (``test_index_agreement.py`` proves the records agree).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOTS

PROBE = """
import sys
from rbmdocs.cli import main
code = main(sys.argv[1:])
started = sorted(name for name in ("sphinx.application", "sphinx_needs") if name in sys.modules)
print("STARTED:" + ",".join(started), file=sys.stderr)
sys.exit(code)
"""


def run_probe(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One command in its own interpreter, reporting what it imported of Sphinx."""
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args, "--source", str(project)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
        cwd=project,
    )


@pytest.fixture
def iati_project(tmp_path: Path) -> Path:
    project = tmp_path / "iati"
    shutil.copytree(ROOTS / "test-iati", project)
    return project


def test_check_runs_on_the_index(iati_project: Path) -> None:
    done = run_probe(iati_project, "check", "--format", "json")
    assert "STARTED:\n" in done.stderr, done.stderr
    assert json.loads(done.stdout)["summary"]["needs"] == 31
    assert (iati_project / "_build" / ".work" / "index" / "en.marshal").is_file()


def test_check_through_sphinx_on_request(iati_project: Path) -> None:
    done = run_probe(iati_project, "check", "--sphinx", "--format", "json")
    assert "STARTED:sphinx.application,sphinx_needs" in done.stderr
    assert json.loads(done.stdout)["summary"]["needs"] == 31


def test_trace_runs_on_the_index(iati_project: Path) -> None:
    done = run_probe(iati_project, "trace", "IO_1", "--up")
    assert done.returncode == 0, done.stderr
    assert "STARTED:\n" in done.stderr
    assert "IO_1" in done.stdout and "SO_1" in done.stdout


def test_export_runs_on_the_index(iati_project: Path) -> None:
    done = run_probe(iati_project, "export", "iati", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "STARTED:\n" in done.stderr
    assert (iati_project / "_build" / "iati" / "activities.xml").is_file()


def test_diff_runs_on_the_index(iati_project: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(iati_project), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=a@b", "-c", "user.name=a", "add", ".")
    git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "-m", "one")
    framework = iati_project / "framework.md"
    framework.write_text(framework.read_text("utf-8").replace(":id: IO_1", ":id: IO_1X"), "utf-8")
    done = run_probe(iati_project, "diff", "HEAD", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "STARTED:\n" in done.stderr
    assert "IO_1X" in done.stdout


def test_a_run_after_an_edit_reads_only_the_changed_file(iati_project: Path) -> None:
    from rbmdocs.cli import _raw_config
    from rbmdocs.index import index_project, settings_from_config

    settings = settings_from_config(iati_project, _raw_config(iati_project), "en")
    first = index_project(settings)
    assert sorted(first.reread) == sorted(first.files)
    assert index_project(settings).reread == []
    framework = iati_project / "framework.md"
    text = framework.read_text("utf-8")
    framework.write_text(text, "utf-8")  # touched, not changed: the content hash decides
    assert index_project(settings).reread == []
    framework.write_text(
        text.replace(":contributes_to: IMO_1\n:::", ":contributes_to: IMO_1\n\nNew.\n:::", 1),
        "utf-8",
    )
    again = index_project(settings)
    assert again.reread == ["framework.md"]
    assert [record.id for record in again.records] == [record.id for record in first.records]
    catalogue = iati_project / "locales" / "zh_CN" / "LC_MESSAGES" / "framework.po"
    chinese = settings_from_config(iati_project, _raw_config(iati_project), "zh_CN")
    index_project(chinese)
    catalogue.write_text(catalogue.read_text("utf-8") + "\n", "utf-8")
    assert index_project(chinese).reread == ["framework.md"]  # its pages read again


@pytest.mark.parametrize("path", [[], ["--sphinx"]], ids=["index", "sphinx"])
def test_a_reference_in_prose_to_no_need_fails_the_check(
    path: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rbmdocs.cli import main

    project = tmp_path / "minimal"
    shutil.copytree(ROOTS / "test-minimal", project)
    (project / "notes.md").write_text(
        "# Notes\n\nAs {need}`IO_1` shows,\nand {need}`the outcome <IO_11>` too.\n", "utf-8"
    )
    code = main(["check", "--source", str(project), "--format", "json", *path])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    (finding,) = [finding for finding in findings if finding["rule"] == "RBM014"]
    assert finding["need"] == "IO_11"
    assert (finding["file"], finding["line"]) == ("notes.md", 3)
    assert finding["severity"] == "error"
    assert finding["hint"].startswith("IO_11: did you mean IO_1?")
