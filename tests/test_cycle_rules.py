"""The cycle rules (RBM060-RBM064) on a real project: ``test-turn`` breaks each once.

The same findings come from ``rbmdocs check`` and from a Sphinx build, each at the file
and line a drafting team edits; putting each break right makes the project check clean.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_html
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx

EXPECTED = [
    ("RBM062", "warning", "TGT_2012_1_1", "budget_2012.md", 13),
    ("RBM064", "error", "TGT_2012_1_1", "budget_2012.md", 13),
    ("RBM060", "error", "CPO_KEN_101", "data/dwcp/KEN.yaml", 10),
    ("RBM061", "error", "DWCP_KSV", "data/dwcp/XKX.yaml", 1),
    ("RBM063", "warning", "REC_BASELINES", "evaluation.md", 11),
]


def _findings(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    main(["check", "--source", str(root), "--format", "json"])
    findings: list[dict[str, object]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def test_each_cycle_rule_fires_at_its_line(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("turn")
    assert main(["check", "--source", str(root), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    got = [(f["rule"], f["severity"], f["need"], f["file"], f["line"]) for f in findings]
    assert got == EXPECTED
    messages = {finding["rule"]: finding["message"] for finding in findings}
    assert messages["RBM060"] == "CPO_KEN_101 is for 2012-13, outside DWCP_KEN's period 2013-2016."
    assert "its file XKX.yaml calls for the ID DWCP_XKX" in messages["RBM061"]
    assert "'XKX' (from the file name) is not an ISO 3166-1 alpha-3" in messages["RBM061"]
    assert "is not what RES_1_1 reported for 2010-11: '16 member States" in messages["RBM062"]
    assert messages["RBM063"].startswith("REC_BASELINES, accepted in 2010-11, is followed up")
    assert "gives 20 in all but 7 + 4 + 1 + 5 + 2 = 19" in messages["RBM064"]


def test_a_sphinx_build_reports_the_same_findings(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("turn")
    _app, warnings = build_html(root)
    for rule, _severity, need, file, line in EXPECTED:
        located = [
            text for text in warnings.splitlines() if f"[rbmdocs.{rule}]" in text and need in text
        ]
        assert len(located) == 1, (rule, warnings)
        assert f"{Path(file).stem}" in located[0] and f":{line}:" in located[0]


def test_rbm063_is_an_error_once_the_next_p_and_b_is_final(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("turn")
    conf = root / "conf.py"
    conf.write_text(
        conf.read_text("utf-8").replace('"2012-13": "draft"', '"2012-13": "final"'), "utf-8"
    )
    by_rule = {finding["rule"]: finding for finding in _findings(root, capsys)}
    assert by_rule["RBM063"]["severity"] == "error"
    assert str(by_rule["RBM063"]["message"]).endswith("and that P&B is final.")


def test_putting_each_break_right_checks_clean(
    copy_root: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_root("turn")

    def edit(name: str, old: str, new: str) -> None:
        path = root / name
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new), "utf-8")

    # the programme started in 2012 (RBM060)
    edit("data/dwcp/KEN.yaml", "period: 2013-2016", "period: 2012-2016")
    # a file named after a country, holding that country's programme (RBM061)
    (root / "data/dwcp/XKX.yaml").rename(root / "data/dwcp/SRB.yaml")
    for old, new in (("DWCP_KSV", "DWCP_SRB"), ("_KSV_", "_SRB_"), ("Kosovo", "Serbia")):
        edit("data/dwcp/SRB.yaml", old, new)
    # the baseline is the result of 2010-11 (RBM062), the regions add up (RBM064)
    edit(
        "budget_2012.md",
        ":baseline: 14 member States (Africa 5, Americas 3, Arab States 1, "
        "Asia and the Pacific 3, Europe and Central Asia 2)",
        ":baseline: 16 member States (Africa 6, Americas 3, Arab States 1, "
        "Asia and the Pacific 4, Europe and Central Asia 2)",
    )
    edit(
        "budget_2012.md",
        "Europe and Central Asia 2)\n:baseline",
        "Europe and Central Asia 3)\n:baseline",
    )
    # the recommendation is taken up by the strategy of 2012-13 (RBM063)
    edit("budget_2012.md", ":follows_up: REC_COSTING", ":follows_up: REC_COSTING, REC_BASELINES")
    assert _findings(root, capsys) == []
