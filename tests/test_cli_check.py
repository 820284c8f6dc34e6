"""``rbmdocs check`` and ``rbmdocs trace`` on real projects: formats, exit codes, the cache."""

from __future__ import annotations

import gc
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rbmdocs.cli import main
from rbmdocs.sphinx.run import ToolError, doctree_dir, run_sphinx

pytestmark = pytest.mark.sphinx


def _break_link(root: Path) -> None:
    cpo_file = root / "data/dwcp/GHA.yaml"
    cpo_file.write_text(cpo_file.read_text("utf-8").replace("[IO_1]", "[IO_9]"), "utf-8")


def test_clean_project_checks_clean(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    # read as written, :rbsa: would be empty (RBM002); sphinx-needs copies 1000000 into it
    assert main(["check", "--source", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    assert report["summary"]["needs"] == 9
    assert report["summary"]["errors"] == 0
    assert not (root / "_build/html").exists()


def test_json_report_names_rule_need_file_and_line(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    _break_link(root)
    assert main(["check", "--source", str(root), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    by_rule = {finding["rule"]: finding for finding in findings}
    assert set(by_rule) == {"RBM010", "RBM020", "RBM026"}
    assert by_rule["RBM010"]["need"] == "CPO_GHA_101"
    assert (by_rule["RBM010"]["file"], by_rule["RBM010"]["line"]) == ("data/dwcp/GHA.yaml", 10)
    assert by_rule["RBM020"]["need"] == "PRI_GHA_1"
    assert "IO_9" in by_rule["RBM020"]["message"]
    assert by_rule["RBM026"]["severity"] == "warning"


def test_github_format_and_strict(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    conf = root / "conf.py"
    conf.write_text(
        conf.read_text("utf-8") + "rbmdocs_severity = {'RBM010': 'warning', 'RBM020': 'off'}\n",
        "utf-8",
    )
    _break_link(root)
    assert main(["check", "--source", str(root), "--format", "github"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::warning file=data/dwcp/GHA.yaml,line=10,title=RBM010::")
    assert main(["check", "--source", str(root), "--format", "github", "--strict"]) == 1


def test_second_check_after_one_edit_reads_only_what_changed(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("minimal")

    def check_once() -> str:
        status = io.StringIO()
        run_sphinx(
            root,
            builder="rbmdocs-check",
            language="en",
            outdir=doctree_dir(root, "en") / "_check",
            status=status,
        )
        return status.getvalue()

    check_once()
    assert re.search(r"0 added, 0 changed, 0 removed", check_once())
    _break_link(root)
    changed = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", check_once())
    assert changed is not None
    # no document: the edited DWCP file is data, read by rbmdocs' loader, and the pages
    # with generated tables are written again after a change of the needs, not read again
    assert changed.groups() == ("0", "0", "0")


def test_a_run_leaves_the_garbage_collector_as_it_found_it(
    copy_root: Callable[[str], Path],
) -> None:
    """On or off, its thresholds, nothing frozen: after a run, and after a run that failed."""
    root = copy_root("minimal")

    def collector() -> tuple[bool, tuple[int, int, int], int]:
        return gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()

    def check() -> None:
        run_sphinx(
            root,
            builder="rbmdocs-check",
            language="en",
            outdir=doctree_dir(root, "en") / "_check",
            status=None,
        )

    found = collector()
    check()
    assert collector() == found
    (root / "conf.py").write_text(
        (root / "conf.py").read_text("utf-8") + "\nraise RuntimeError('broken')\n", "utf-8"
    )
    gc.disable()
    try:
        with pytest.raises(ToolError):
            check()
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert collector() == found


def test_trace_prints_the_chain_up(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    assert main(["trace", "PRI_GHA_1", "--up", "--source", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("PRI_GHA_1")
    chain = ["CPO_GHA_101", "IO_1", "IMO_1", "SO_1"]
    positions = [out.index(need) for need in chain]
    assert positions == sorted(positions)
    # the programme holds its priority: named beside it, never a step of the chain
    assert "(part of DWCP_GHA Ghana)" in out.splitlines()[0]
    assert not any("DWCP_GHA" in line for line in out.splitlines()[1:])


def test_trace_down_from_an_objective_reaches_the_country(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    assert main(["trace", "SO_1", "--down", "--source", str(root)]) == 0
    out = capsys.readouterr().out
    for need in (
        "IMO_1",
        "IO_1",
        "IND_1_1",
        "TGT_1_1",
        "STR_1",
        "CPO_GHA_101",
        "PRI_GHA_1",
        "DWCP_GHA",
    ):
        assert need in out


def test_trace_unknown_id_exits_2(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("minimal")
    assert main(["trace", "IO_404", "--source", str(root)]) == 2
    assert "no need with ID 'IO_404'" in capsys.readouterr().err


def test_project_with_known_defects_reports_exactly_them(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole JSON report of a project with planted defects equals the reviewed snapshot.

    To update after a deliberate change of messages: run
    ``rbmdocs check --source tests/roots/test-defects --format json`` and review the diff.
    """
    root = copy_root("defects")
    expected = json.loads((root / "expected.json").read_text("utf-8"))
    assert main(["check", "--source", str(root), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == expected
    rules = {finding["rule"] for finding in expected["findings"]}
    planted = (1, 2, 3, 4, 10, 11, 12, 13, 20, 21, 22, 23, 24, 25, 31, 32, 33, 40, 50)
    assert rules >= {f"RBM0{n:02d}" for n in planted}


def test_check_counts_a_link_written_twice_once(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """sphinx-needs keeps one of two equal links and sorts them; the check sees that."""
    root = copy_root("minimal")
    budget = root / "budget.md"
    text = budget.read_text("utf-8")
    assert ":sets_target_for: IND_1_1\n" in text
    budget.write_text(
        text.replace(":sets_target_for: IND_1_1\n", ":sets_target_for: IND_1_1, IND_1_1\n"),
        "utf-8",
    )
    framework = root / "framework.md"
    text = framework.read_text("utf-8")
    assert ":measures: IO_1\n" in text
    # a dead link before a good one, and again: the order as written is not sphinx-needs'
    framework.write_text(
        text.replace(":measures: IO_1\n", ":measures: IO_9, IO_1, IO_10, IO_9\n"), "utf-8"
    )

    assert main(["check", "--source", str(root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)

    messages = [finding["message"] for finding in report["findings"]]
    assert not any("sets_target_for: has 2 targets" in message for message in messages), messages
    dead = [message for message in messages if "IO_9" in message]
    assert len(dead) == 1 and dead[0].index("IO_9") < dead[0].index("IO_10"), dead


def test_a_dynamic_function_makes_check_resolve_the_needs(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A value only sphinx-needs can compute is computed before the check reads it."""
    root = copy_root("minimal")
    budget = root / "budget.md"
    budget.write_text(
        budget.read_text("utf-8").replace(":rbsa: 50000", ':rbsa: [[copy("regular_budget")]]'),
        "utf-8",
    )
    # read as written, :rbsa: would be empty (RBM002); sphinx-needs copies 1000000 into it
    assert main(["check", "--source", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
