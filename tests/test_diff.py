"""``rbmdocs diff``: every kind of change to the results framework appears once, with its
before and after, read from a git repository made in the test."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx

NEW_PRIORITY = """  - id: PRI_GHA_2
    title: {en: Social security for rural workers, zh_CN: 农村工人的社会保障}
    outcomes:
      - id: CPO_GHA_201
        title: {en: Rural workers join the national scheme, zh_CN: 农村工人加入国家计划}
        biennium: 2016-17
        contributes_to: [IO_9]
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), "utf-8")


@pytest.fixture
def repository(copy_root: Callable[[str], Path]) -> Path:
    """The minimal project in a git repository, one commit, then one change of each kind."""
    root = copy_root("minimal")
    (root / ".gitignore").write_text("_build/\n", "utf-8")  # as in every rbmdocs project
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "drafting@example.org")
    _git(root, "config", "user.name", "Drafting team")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "P&B as proposed")

    framework, budget = root / "framework.md", root / "budget.md"
    dwcp = root / "data/dwcp/GHA.yaml"
    _edit(framework, "Member States adopt employment policies", "Member States adopt jobs policies")
    _edit(budget, ":value: 5 member States", ":value: 7 member States")
    _edit(budget, ":regular_budget: 1000000", ":regular_budget: 1200000")
    _edit(dwcp, "contributes_to: [IO_1]", "contributes_to: [IO_1, IO_2]")  # IO_2: no such need
    dwcp.write_text(dwcp.read_text("utf-8") + NEW_PRIORITY, "utf-8")
    return root


def _diff(root: Path, *revisions: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["diff", "--source", str(root), *revisions, "--format", "json"]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_every_kind_of_change_appears_once_with_before_and_after(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _git(repository, "commit", "-q", "-am", "revised")  # the new lines are tracked already
    _git(repository, "add", ".")
    _git(repository, "commit", "-q", "--amend", "--no-edit")

    diff = _diff(repository, "HEAD~1", "HEAD", capsys=capsys)

    assert [need["id"] for need in diff["added"]] == ["CPO_GHA_201", "PRI_GHA_2"]
    assert diff["removed"] == []
    assert diff["retitled"] == [
        {
            "need": "IO_1",
            "what": "title",
            "before": "Member States adopt employment policies",
            "after": "Member States adopt jobs policies",
        }
    ]
    assert diff["relinked"] == [
        {"need": "CPO_GHA_101", "what": "contributes_to", "before": "IO_1", "after": "IO_1, IO_2"}
    ]
    assert diff["targets"] == [
        {
            "need": "TGT_1_1",
            "what": "value",
            "before": "5 member States",
            "after": "7 member States",
        }
    ]
    assert diff["resources"] == [
        {"need": "STR_1", "what": "regular_budget", "before": "1000000", "after": "1200000"}
    ]
    introduced = {(f["rule"], f["need"]) for f in diff["findings_introduced"]}
    # IO_2 does not exist, and the new priority points to IO_9, which does not either
    assert introduced == {
        ("RBM010", "CPO_GHA_101"),
        ("RBM010", "CPO_GHA_201"),
        ("RBM020", "PRI_GHA_2"),
    }
    assert diff["findings_fixed"] == []
    coverage = {row["measure"]: (row["before"], row["after"]) for row in diff["coverage"]}
    assert coverage["DWCP priorities that reach an immediate outcome"] == ("1/1", "1/2")
    assert diff["totals"]["needs"] == {"before": 9, "after": 11}


def test_the_working_tree_is_compared_and_left_as_it_was(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status_before = _git(repository, "status", "--porcelain")
    head_before = _git(repository, "rev-parse", "HEAD")

    diff = _diff(repository, "HEAD", capsys=capsys)

    assert diff["after_name"] == "working tree"
    assert [change["need"] for change in diff["retitled"]] == ["IO_1"]
    assert _git(repository, "status", "--porcelain") == status_before
    assert _git(repository, "rev-parse", "HEAD") == head_before


def test_a_fix_shows_as_a_finding_fixed_and_markdown_reads_well(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _git(repository, "add", ".")
    _git(repository, "commit", "-q", "-m", "with a dead link")
    _edit(
        repository / "data/dwcp/GHA.yaml", "contributes_to: [IO_1, IO_2]", "contributes_to: [IO_1]"
    )
    capsys.readouterr()

    assert main(["diff", "--source", str(repository), "HEAD"]) == 0

    markdown = capsys.readouterr().out
    assert markdown.startswith("## Results framework: HEAD (")
    assert "### Re-linked (1)" in markdown
    assert "### Findings fixed (1)" in markdown
    assert "- **RBM010** error `CPO_GHA_101`" in markdown
    assert "### Needs added" not in markdown  # empty sections are left out


def test_no_change_says_so(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git(repository, "add", ".")
    _git(repository, "commit", "-q", "-m", "all in")
    capsys.readouterr()

    assert main(["diff", "--source", str(repository), "HEAD"]) == 0

    assert "No change to the results framework" in capsys.readouterr().out


def test_an_unknown_revision_is_one_clear_message(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "--source", str(repository), "no-such-branch"]) == 2

    err = capsys.readouterr().err
    assert err.startswith("rbmdocs: error: git rev-parse")
    assert "Traceback" not in err


def test_expenditure_reported_changes_as_money(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """An outcome report's spending is money, like a budget: listed with the change."""
    root = copy_root("cycle")
    (root / ".gitignore").write_text("_build/\n", "utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "drafting@example.org")
    _git(root, "config", "user.name", "Drafting team")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "report as drafted")
    _edit(root / "report.md", ":spent_regular_budget: 980000", ":spent_regular_budget: 995000")

    diff = _diff(root, "HEAD", capsys=capsys)

    assert diff["resources"] == [
        {"need": "ORP_1", "what": "spent_regular_budget", "before": "980000", "after": "995000"}
    ]
    assert diff["other_options"] == []
