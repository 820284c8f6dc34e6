"""``rbmdocs cycle next BIENNIUM``: the skeleton of the next P&B, on real projects.

The skeleton is checked the way a drafting team would use it: written, added to conf.py
and the root page, its targets filled in, then ``rbmdocs check`` must pass.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOTS, copy_sample
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(ROOTS / "test-cycle", target)
    return target


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    main(["check", "--source", str(root), "--format", "json"])
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


def _add_biennium(root: Path, biennium: str, folder: str, index: str = "index.md") -> None:
    """What the command's next steps tell the drafting team to do by hand."""
    conf = root / "conf.py"
    text = conf.read_text("utf-8")
    text = re.sub(r"rbmdocs_bienniums = \[(.*)\]", rf'rbmdocs_bienniums = [\1, "{biennium}"]', text)
    conf.write_text(text, "utf-8")
    page = root / index
    page.write_text(
        re.sub(r"(```\{toctree\}\n(?::.*\n|\n)*)", rf"\1{folder}/index\n", page.read_text("utf-8")),
        "utf-8",
    )


def _fill_targets(folder: Path) -> int:
    filled = 0
    for page in folder.glob("*.md"):
        text, count = re.subn(
            r"^:value:$", ":value: 9 member States", page.read_text("utf-8"), flags=re.M
        )
        page.write_text(text, "utf-8")
        filled += count
    return filled


def test_the_skeleton_of_the_next_biennium_checks_clean_once_filled_in(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cycle", "next", "2012-13", "--source", str(project)]) == 0
    out = capsys.readouterr().out
    assert "3 targets (3 baselines from 2010-11), 1 recommendation still open" in out
    folder = project / "programme_budget_2012"
    assert sorted(path.name for path in folder.iterdir()) == [
        "budget.md",
        "index.md",
        "open_recommendations.md",
        "resources.md",
    ]
    budget = (folder / "budget.md").read_text("utf-8")
    # one strategy per outcome, a target per indicator, each baseline the result of 2010-11
    assert re.findall(r":id: (\w+)", budget) == [
        "STR_2012_1",
        "TGT_2012_1_1",
        "TGT_2012_1_2",
        "STR_2012_2",
        "TGT_2012_2_1",
    ]
    assert re.findall(r":baseline: (.*)", budget) == [
        "6 member States",
        "3 member States",
        "2 member States",
    ]
    # amounts of 2010-11 to revise; the recommendations accepted in 2010-11 (REC_1 on the
    # outcome, REC_2 on its strategy) to follow up; REC_3 was rejected
    assert ":regular_budget: 1000000" in budget
    assert budget.count(":follows_up:") == 1
    assert ":follows_up: REC_1, REC_2" in budget
    still_open = (folder / "open_recommendations.md").read_text("utf-8")
    assert (
        "| REC_1: Keep a database of evaluation follow-up | in-progress | 2012-06-30" in still_open
    )
    assert "REC_2" not in still_open and "REC_3" not in still_open

    _add_biennium(project, "2012-13", "programme_budget_2012")
    report = _check(project, capsys)
    # the check names every target still to fill in, at its line
    empty = [
        (finding["need"], finding["file"], finding["line"])
        for finding in report["findings"]  # type: ignore[union-attr]
    ]
    lines = budget.splitlines()
    assert empty == [
        (need, "programme_budget_2012/budget.md", lines.index(f":id: {need}"))
        for need in ("TGT_2012_1_1", "TGT_2012_1_2", "TGT_2012_2_1")
    ]
    assert _fill_targets(folder) == 3
    report = _check(project, capsys)
    assert report["findings"] == []
    assert report["summary"]["errors"] == 0  # type: ignore[index]


def test_it_never_overwrites_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = project / "programme_budget_2012"
    folder.mkdir()
    (folder / "resources.md").write_text("# Kept\n", "utf-8")
    assert main(["cycle", "next", "2012-13", "--source", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "programme_budget_2012/resources.md exists; cycle next never overwrites a file" in err
    # nothing written, not even the files that did not exist
    assert sorted(path.name for path in folder.iterdir()) == ["resources.md"]
    assert (folder / "resources.md").read_text("utf-8") == "# Kept\n"
    # a second run over a first one is refused the same way
    assert main(["cycle", "next", "2012-13", "--source", str(project), "--folder", "pb"]) == 0
    before = {path.name: path.read_bytes() for path in (project / "pb").iterdir()}
    capsys.readouterr()
    assert main(["cycle", "next", "2012-13", "--source", str(project), "--folder", "pb"]) == 2
    assert "pb/" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in (project / "pb").iterdir()} == before


@pytest.mark.parametrize(
    ("biennium", "message"),
    [
        ("2012-14", "'2012-14' is not a biennium such as 2012-13"),
        ("2016-17", "2016-17 lies outside the SPF period 2010-2015"),
        ("2014-15", "there is no P&B for 2012-13 in the build to draft 2014-15 from"),
        ("2012-13 --folder ../elsewhere", "--folder ../elsewhere: give a folder inside"),
        ("2012-13 --folder /tmp/pb", "--folder /tmp/pb: give a folder inside the project"),
    ],
)
def test_a_biennium_it_cannot_draft_is_one_message(
    project: Path, capsys: pytest.CaptureFixture[str], biennium: str, message: str
) -> None:
    before = sorted(path.name for path in project.iterdir())
    words = biennium.split()
    assert main(["cycle", "next", *words, "--source", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rbmdocs: error: cycle next {words[0]}: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(path.name for path in project.iterdir() if path.name != "_build") == [
        name for name in before if name != "_build"
    ]


@pytest.mark.slow
def test_the_sample_drafts_its_third_biennium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = copy_sample(tmp_path / "sample")
    assert main(["cycle", "next", "2014-15", "--source", str(sample)]) == 0
    out = capsys.readouterr().out
    folder = sample / "programme_budget_2014"
    # the folder and files follow the P&B 2012-13, one per strategic objective and policy coherence
    assert sorted(path.name for path in folder.glob("*.md")) == [
        "employment.md",
        "index.md",
        "open_recommendations.md",
        "policy_coherence.md",
        "resources.md",
        "social_dialogue.md",
        "social_protection.md",
        "standards.md",
    ]
    assert "25 targets (0 baselines from 2012-13)" in out
    _add_biennium(sample, "2014-15", "programme_budget_2014")
    assert _fill_targets(folder) == 25
    report = _check(sample, capsys)
    assert report["findings"] == []
