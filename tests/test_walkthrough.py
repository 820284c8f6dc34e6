"""The README's and the guide's "Add an immediate outcome" work when followed literally.

Each step says "At the end of `FILE`" and gives the block to add; the test does exactly
that in a copy of the sample, then checks and builds it, as a new user would.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import REPO, copy_sample
from rbmdocs.cli import main

pytestmark = [pytest.mark.sphinx, pytest.mark.slow]

_STEP = re.compile(
    r"^\d+\. At the end of `(?P<file>[^`]+)`.*?^```(?:md|yaml)\n(?P<block>.*?)^```", re.M | re.S
)
_ID = re.compile(r"^\s*(?:- )?:?id:? (\w+)", re.M)


def steps(text: str) -> list[tuple[str, str]]:
    """(file, block to add at its end) for every numbered step of ``text``."""
    return [(match["file"], match["block"]) for match in _STEP.finditer(text)]


def follow(project: Path, text: str) -> list[str]:
    """Add every step's block at the end of its file; return the IDs added."""
    added: list[str] = []
    for file, block in steps(text):
        path = project / file
        current = path.read_text("utf-8")
        separator = "\n" if file.endswith(".md") else ""
        path.write_text(current.rstrip("\n") + "\n" + separator + block, "utf-8")
        added += _ID.findall(block)
    return added


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = text.find("\n#", start + len(heading))
    return text[start : following if following != -1 else None]


def test_readme_and_guide_give_the_same_steps() -> None:
    readme = steps(_section((REPO / "README.md").read_text("utf-8"), "### Add an immediate"))
    guide = steps(
        _section((REPO / "docs/writing.md").read_text("utf-8"), "## Adding an immediate outcome")
    )
    assert [file for file, _ in readme] == [
        "spf/employment.md",
        "programme_budget/employment.md",
        "programme_budget_2012/employment.md",
        "data/dwcp/BRA.yaml",
        "implementation_report/employment.md",
    ]
    assert guide == readme


def test_the_readme_walk_through_followed_literally_checks_and_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_sample(tmp_path / "sample")
    assert main(["check", "--source", str(project), "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)["summary"]["needs"]
    readme = (REPO / "README.md").read_text("utf-8")
    added = follow(project, _section(readme, "### Add an immediate outcome"))
    assert {"IO_20", "IND_20_1", "STR_20", "TGT_20_1", "CPO_BRA_404", "ORP_20"} <= set(added)
    assert {"STR_2012_20", "TGT_2012_20_1"} <= set(added)
    assert "RES_20_1" in added

    code = main(["check", "--source", str(project), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    assert code == 0
    assert report["summary"]["needs"] == before + len(added)

    build = ["build", "--source", str(project), "--lang", "en", "--format", "html", "--strict"]
    assert main(build) == 0
    page = (project / "_build/html/en/spf/employment.html").read_text("utf-8")
    assert 'id="IO_20"' in page


def test_each_step_alone_makes_the_check_ask_for_the_next_piece(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the first step, the check names every missing piece and the file it goes in."""
    project = copy_sample(tmp_path / "sample")
    readme = (REPO / "README.md").read_text("utf-8")
    first_step = "\n".join(_section(readme, "### Add an immediate").split("\n2. ")[:1])
    follow(project, first_step)
    assert main(["check", "--source", str(project), "--format", "json"]) == 1
    asked = {
        finding["rule"]: finding
        for finding in json.loads(capsys.readouterr().out)["findings"]
        if finding["need"] == "IO_20"
    }
    assert set(asked) == {"RBM024", "RBM026", "RBM031"}
    # the file, and its document as conf.py's rbmdocs_documents names it
    assert (
        "Write it in programme_budget/employment.md (Programme and Budget 2010-11), where "
        "the other outcome strategies of 2010-11 are." in asked["RBM024"]["hint"]
    )
    assert (
        "Write it in implementation_report/employment.md (Programme implementation report "
        "2010-11), where the other outcome reports of 2010-11 are." in asked["RBM031"]["hint"]
    )
    assert "Write it in" not in asked["RBM026"]["hint"]  # a CPO goes in its country's file
