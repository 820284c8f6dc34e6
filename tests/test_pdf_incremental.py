"""A PDF is made again only when what it shows changed; languages are built side by side.

Real builds of a small project with two PDFs (the framework and the budget) in English
and French, read back with pdftotext. Whether a PDF was made again is seen on the files
themselves (a kept PDF keeps its inode and modification time) and on the build's line,
never on timings.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from rbmdocs.cli import main

NAMES = ("framework", "budget")
LANGUAGES = ("en", "fr")

_TWO_DOCUMENTS = """
rbmdocs_languages = ["en", "fr"]
rbmdocs_documents = [
    {"name": "framework", "start": "framework", "title": "Minimal results framework",
     "symbol": "GB.999/1", "date": "March 2016", "place": "Geneva"},
    {"name": "budget", "start": "budget", "title": "Minimal programme and budget",
     "symbol": "GB.999/2", "date": "March 2016", "place": "Geneva"},
]
"""


@pytest.fixture
def project(copy_root: Callable[[str], Path]) -> Path:
    """The i18n root with two PDFs, in English and French, built once with every format."""
    root = copy_root("i18n")
    conf = root / "conf.py"
    conf.write_text(conf.read_text("utf-8") + _TWO_DOCUMENTS, "utf-8")
    assert main(["build", "--source", str(root)]) == 0
    return root


def _stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Each published PDF's inode and modification time."""
    stamps = {}
    for language in LANGUAGES:
        for name in NAMES:
            status = (root / "_build/pdf" / language / f"{name}.pdf").stat()
            stamps[f"{language}/{name}"] = (status.st_ino, status.st_mtime_ns)
    return stamps


def _pdf_lines(output: str) -> dict[str, str]:
    """The build's line for each language's PDFs, without the ``pdf (xx): `` prefix."""
    lines = {}
    for line in output.splitlines():
        for language in LANGUAGES:
            prefix = f"pdf ({language}): "
            if line.startswith(prefix):
                lines[language] = line.removeprefix(prefix)
    return lines


def _text(root: Path, language: str, name: str) -> str:
    pdf = root / "_build/pdf" / language / f"{name}.pdf"
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


def test_a_dwcp_edit_no_pdf_shows_makes_no_pdf_and_runs_no_latex(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stamps(project)
    latexmkrc = {
        language: (project / "_build/.work/pdf" / language / "latexmkrc").stat().st_mtime_ns
        for language in LANGUAGES
    }
    capsys.readouterr()
    # the priority's title is on the DWCP page, which is in no PDF
    _edit(project / "data/dwcp/GHA.yaml", "en: Jobs for young people", "en: Work for youth")

    assert main(["build", "--source", str(project)]) == 0

    lines = _pdf_lines(capsys.readouterr().out)
    for language in LANGUAGES:
        assert lines[language].startswith("unchanged, 9 needs"), lines
        # Sphinx's LaTeX builder rewrites its latexmkrc whenever it runs: it did not
        latexmkrc_now = project / "_build/.work/pdf" / language / "latexmkrc"
        assert latexmkrc_now.stat().st_mtime_ns == latexmkrc[language]
    assert _stamps(project) == before
    assert "Work for youth" in (project / "_build/html/en/data/dwcp/GHA.html").read_text("utf-8")


def test_a_dwcp_edit_one_pdf_shows_makes_that_pdf_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stamps(project)
    assert "Ghana" in _text(project, "en", "framework")
    capsys.readouterr()
    # the country is named in the framework's outcome (its countries), not in the budget
    _edit(project / "data/dwcp/GHA.yaml", "country: {en: Ghana", "country: {en: Gold Coast")

    assert main(["build", "--source", str(project)]) == 0

    lines = _pdf_lines(capsys.readouterr().out)
    for language in LANGUAGES:
        assert lines[language].startswith("framework made again, 1 unchanged, "), lines
        assert _stamps(project)[f"{language}/budget"] == before[f"{language}/budget"]
        assert _stamps(project)[f"{language}/framework"] != before[f"{language}/framework"]
        assert "Gold Coast" in _text(project, language, "framework")


def test_a_page_edit_makes_only_the_pdf_of_that_page_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stamps(project)
    capsys.readouterr()
    _edit(project / "budget.md", "# Budget", "# Budget\n\nA sentence added to the budget.")

    assert main(["build", "--source", str(project), "--lang", "en"]) == 0

    lines = _pdf_lines(capsys.readouterr().out)
    assert lines["en"].startswith("budget made again, 1 unchanged, "), lines
    after = _stamps(project)
    assert after["en/framework"] == before["en/framework"]
    assert after["en/budget"] != before["en/budget"]
    assert "A sentence added to the budget." in _text(project, "en", "budget")
    assert "A sentence added to the budget." not in _text(project, "en", "framework")


def test_a_catalogue_edit_makes_that_languages_pdfs_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stamps(project)
    catalogue = project / "locales/fr/LC_MESSAGES/framework.po"
    translated = "Des emplois plus nombreux et de meilleure qualité."
    assert translated in catalogue.read_text("utf-8")
    capsys.readouterr()
    _edit(catalogue, translated, "Des emplois plus nombreux et meilleurs.")

    assert main(["build", "--source", str(project)]) == 0

    lines = _pdf_lines(capsys.readouterr().out)
    assert lines["en"].startswith("unchanged, "), lines
    assert not lines["fr"].startswith("unchanged") and "made again" not in lines["fr"], lines
    after = _stamps(project)
    for name in NAMES:
        assert after[f"en/{name}"] == before[f"en/{name}"]
    # both French PDFs went through LaTeX; the budget's .tex came out the same (the
    # sentence is not in it), so latexmk left its PDF as it was
    assert after["fr/framework"] != before["fr/framework"]
    assert "Des emplois plus nombreux et meilleurs." in _text(project, "fr", "framework")


def test_fresh_makes_every_pdf_again(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _stamps(project)
    capsys.readouterr()

    assert main(["build", "--source", str(project), "--fresh"]) == 0

    lines = _pdf_lines(capsys.readouterr().out)
    assert not any("unchanged" in line or "made again" in line for line in lines.values())
    after = _stamps(project)
    assert all(after[key] != before[key] for key in before)
    assert "Ghana" in _text(project, "fr", "framework")


def test_pdfs_alone_are_all_made_and_then_made_again_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without an HTML build before them, nothing says what the PDFs show: all are made."""
    capsys.readouterr()
    assert main(["build", "--source", str(project), "--lang", "en", "--format", "pdf"]) == 0
    assert "unchanged" not in _pdf_lines(capsys.readouterr().out)["en"]
    assert main(["build", "--source", str(project), "--lang", "en"]) == 0
    assert "unchanged" not in _pdf_lines(capsys.readouterr().out)["en"]
    assert main(["build", "--source", str(project), "--lang", "en"]) == 0
    assert _pdf_lines(capsys.readouterr().out)["en"].startswith("unchanged, ")


def _lock_holders(root: Path) -> dict[str, int]:
    """The process that last held each language's lock (it writes its pid there)."""
    return {
        language: int((root / "_build/.work/locks" / f"{language}.lock").read_text().split()[0])
        for language in ("en", "zh_CN", "fr")
    }


@pytest.mark.parametrize(
    ("cpus", "jobs", "side_by_side"),
    [({0, 1}, [], True), ({0}, [], False), ({0, 1}, ["-j", "1"], False)],
    ids=["two-cpus-default", "one-cpu-default", "two-cpus-j1"],
)
def test_languages_are_built_side_by_side_by_default_where_there_are_cpus(
    copy_root: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cpus: set[int],
    jobs: list[str],
    side_by_side: bool,
) -> None:
    root = copy_root("i18n")
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: cpus, raising=False)

    assert main(["build", "--source", str(root), "--format", "html", *jobs]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["html (en)", "html (zh_CN)", "html (fr)"]
    holders = _lock_holders(root)
    if side_by_side:  # each language in a process of its own
        assert os.getpid() not in holders.values()
        assert len(set(holders.values())) >= 2
    else:  # one after the other, in this process
        assert set(holders.values()) == {os.getpid()}


def test_a_latex_failure_in_one_language_is_reported_and_the_other_published(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stamps(project)
    # what LaTeX reads back from its last run is broken, in French alone
    (project / "_build/.work/pdf/fr/budget.aux").write_text("\\undefinedmacro\n", "utf-8")
    _edit(project / "budget.md", "# Budget", "# Budget\n\nA sentence added to the budget.")
    capsys.readouterr()

    assert main(["build", "--source", str(project)]) == 2

    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if "LaTeX stopped" in line]
    assert len(errors) == 1, captured.err
    assert errors[0].startswith("rbmdocs: error: PDF budget: LaTeX stopped at ./budget.aux:1:")
    assert "_build/.work/pdf/fr/budget.log" in errors[0]
    lines = _pdf_lines(captured.out)
    assert lines["en"].startswith("budget made again, 1 unchanged, "), lines
    assert "fr" not in lines
    after = _stamps(project)
    assert after["fr/budget"] == before["fr/budget"]  # the last good PDF stays
    assert "A sentence added to the budget." in _text(project, "en", "budget")
