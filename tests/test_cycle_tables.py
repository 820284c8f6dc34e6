"""The programme-cycle tables (issue 7) in a real build: every figure read back from the HTML.

``tests/roots/test-cycle`` holds a small implementation report, evaluation follow-up, a
strategy matrix, milestones and CPOs with capacity options; each test changes the data
where it needs to and checks that the table follows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import build_html
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx


def _build(root: Path, **overrides: object) -> tuple[Path, str]:
    app, warnings = build_html(root, **overrides)
    return Path(app.outdir), warnings


class _Row(list[str]):
    """A table row's cell texts, and the needs each cell links to (the IDs a reader does
    not see: the tables name needs, they do not print their IDs)."""

    links: list[list[str]]


def _tables(outdir: Path, page: str, css_class: str) -> list[list[_Row]]:
    """Every table of ``css_class`` on the page, as rows of cell texts (header rows too)."""
    soup = BeautifulSoup((outdir / f"{page}.html").read_text("utf-8"), "html.parser")
    found = []
    for table in soup.select(f"table.{css_class}"):
        rows = []
        for tr in table.find_all("tr"):
            cells = tr.find_all(["th", "td"])
            row = _Row(_cell_text(cell) for cell in cells)
            row.links = [
                [link["href"].rpartition("#")[2] for link in cell.find_all("a", href=True)]
                for cell in cells
            ]
            rows.append(row)
        found.append(rows)
    return found


def _links_to(table: list[_Row], need_id: str) -> bool:
    return any(need_id in cell for row in table for cell in row.links)


def _cell_text(cell: Tag) -> str:
    """A cell's text, its paragraphs (the lines of a cell) joined by one space."""
    lines = cell.find_all("p") or [cell]
    return " ".join(" ".join(line.get_text().split()) for line in lines).strip()


def _row(rows: list[_Row], first_cell: str) -> _Row:
    """The row whose first cell starts with ``first_cell`` or links to the need of that ID."""
    return next(
        row for row in rows if row and (row[0].startswith(first_cell) or first_cell in row.links[0])
    )


def test_the_cycle_project_builds_without_warnings(copy_root: Callable[[str], Path]) -> None:
    _, warnings = _build(copy_root("cycle"))
    assert warnings == ""


def test_outcome_results_show_target_result_and_countries_by_region(
    copy_root: Callable[[str], Path],
) -> None:
    outdir, _ = _build(copy_root("cycle"))
    (table,) = [
        t for t in _tables(outdir, "report", "rbmdocs-outcome-results") if _links_to(t, "IND_1_1")
    ]
    assert table[0] == [
        "Indicator",
        "Target (2010-11)",
        "Result",
        "Countries of the CPOs named, by region",
    ]
    first = _row(table, "IND_1_1")
    assert first[0] == "Employment policies adopted"  # the indicator by its title
    assert first[1] == "5 member States" and first.links[1] == ["TGT_1_1"]
    assert first[2] == "6 member States Criteria met: criteria 1 and 2"
    assert first.links[2] == ["RES_1_1"]
    # the countries come from the DWCPs of the CPOs the result names, grouped by region
    assert first[3] == "Africa (2): Ghana, Kenya Americas (1): Peru"
    second = _row(table, "IND_1_2")
    assert second[3] == "Africa (1): Kenya"


def test_a_target_without_result_says_so(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("cycle")
    report = root / "report.md"
    text = report.read_text("utf-8")
    start = text.index(":::{result} Three member States")
    end = text.index(":::\n", start) + 4
    report.write_text(text[:start] + text[end:], "utf-8")
    outdir, warnings = _build(root)
    # the report is final, so the missing result is an error of the build
    assert "[rbmdocs.RBM030]" in warnings and "TGT_1_2" in warnings
    (table,) = [
        t for t in _tables(outdir, "report", "rbmdocs-outcome-results") if _links_to(t, "IND_1_2")
    ]
    assert _row(table, "IND_1_2")[2:] == ["no result reported", "–"]


def test_budget_against_expenditure_with_subtotals(copy_root: Callable[[str], Path]) -> None:
    outdir, _ = _build(copy_root("cycle"))
    (table,) = _tables(outdir, "report", "rbmdocs-expenditure")
    assert table[0] == [
        "",
        "Regular budget (US$)",
        "Extra-budgetary (US$)",
        "RBSA (US$)",
        "All sources (US$)",
    ]
    assert table[1][0] == "Immediate outcome (2010-11)"
    assert _row(table, "IO_1")[1:] == [
        "1,000,000", "980,000", "400,000", "440,000", "100,000", "90,000",
        "1,500,000", "1,510,000", "100.7",
    ]  # fmt: skip
    assert _row(table, "Subtotal, Employment")[7:] == ["2,000,000", "2,010,000", "100.5"]
    assert _row(table, "Total, all strategic objectives")[1] == "1,500,000"


def test_an_outcome_without_report_shows_no_expenditure(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("cycle")
    report = root / "report.md"
    report.write_text(
        report.read_text("utf-8").replace(":reports_on: IO_2\n", ":reports_on: IO_1\n"), "utf-8"
    )
    outdir, warnings = _build(root)
    assert "[rbmdocs.RBM031]" in warnings
    (table,) = _tables(outdir, "report", "rbmdocs-expenditure")
    io_2 = _row(table, "IO_2")
    assert io_2[1:3] == ["500,000", "–"] and io_2[-1] == "–"
    # both reports now count for IO_1
    assert _row(table, "IO_1")[2] == "1,480,000"


def test_recommendation_follow_up_by_status_and_overdue(copy_root: Callable[[str], Path]) -> None:
    outdir, warnings = _build(copy_root("cycle"), rbmdocs_build_date="2012-07-01")
    assert (
        "[rbmdocs.RBM040]" in warnings
        and "REC_1 is in-progress and was due on 2012-06-30" in warnings
    )
    summary, detail = _tables(outdir, "evaluation", "rbmdocs-follow-up")
    assert summary[0] == ["Status", "Number", "Overdue on 2012-07-01"]
    assert summary[1:] == [
        ["Open", "0", "0"],
        ["In progress", "1", "1"],
        ["Implemented", "1", "0"],
        ["Rejected", "1", "0"],
        ["Total", "3", "1"],
    ]
    assert [row.links[0] for row in detail[1:]] == [["REC_1"], ["REC_2"], ["REC_3"]]
    assert detail[1][1:] == [
        "Member States adopt employment policies",
        "Evaluation Unit",
        "2012-06-30",
        "In progress, overdue",
    ]
    assert detail[3].links[1] == ["IMO_1", "IO_2"]
    assert detail[3][1] == "Employment policies Skills systems improve"


def test_nothing_is_overdue_before_the_due_date(copy_root: Callable[[str], Path]) -> None:
    outdir, warnings = _build(copy_root("cycle"))
    assert "RBM040" not in warnings
    summary, _ = _tables(outdir, "evaluation", "rbmdocs-follow-up")
    assert _row(summary, "Total") == ["Total", "3", "0"]


def test_strategy_matrix_rows_against_core_strategies(copy_root: Callable[[str], Path]) -> None:
    outdir, _ = _build(copy_root("cycle"))
    (matrix,) = _tables(outdir, "strategies", "rbmdocs-strategy-matrix")
    assert matrix[0] == ["", "Links with the core management strategies"]
    assert matrix[1] == ["Strategy", "Human resources", "Information technology", "Knowledge"]
    assert matrix[2:] == [
        ["Human resources", "", "Update IT skills among staff", ""],
        ["Information technology", "", "", "Support knowledge sharing"],
        ["Gender equality", "Improve the gender balance of staff", "", ""],
    ]
    soup = BeautifulSoup((outdir / "strategies.html").read_text("utf-8"), "html.parser")
    cell = soup.select_one("table.rbmdocs-strategy-matrix a[href$='#SLK_HR_IT']")
    assert isinstance(cell, Tag)


def test_milestones_of_one_area_in_year_order(copy_root: Callable[[str], Path]) -> None:
    outdir, _ = _build(copy_root("cycle"))
    (table,) = _tables(outdir, "strategies", "rbmdocs-milestones")
    assert table == [
        ["Milestone", "Year", "Status"],
        ["A results-based IT strategy is adopted", "2007", "Adopted, with an update due"],
        ["Common terms for all strategies are adopted", "2008", "Work has begun"],
    ]


def test_capacity_table_counts_cpos_by_level_kind_and_region(
    copy_root: Callable[[str], Path],
) -> None:
    outdir, _ = _build(copy_root("cycle"))
    (table,) = _tables(outdir, "capacity", "rbmdocs-capacity")
    assert table[0] == ["", "Individual", "Organizational", "Enabling environment", "", ""]
    assert table[1] == [
        "Region", "Technical", "Functional", "Technical", "Functional", "Technical",
        "Functional", "With capacity recorded", "All CPOs",
    ]  # fmt: skip
    assert _row(table, "Africa")[1:] == ["1", "0", "0", "0", "1", "0", "2", "2"]
    assert _row(table, "Americas")[1:] == ["0", "0", "0", "1", "0", "0", "1", "2"]
    assert _row(table, "Total")[1:] == ["1", "0", "0", "1", "1", "0", "3", "4"]


def test_a_table_option_naming_nothing_is_said_once(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("cycle")
    report = root / "report.md"
    report.write_text(
        report.read_text("utf-8").replace(":outcome: IO_2", ":outcome: IO_9"), "utf-8"
    )
    _, warnings = _build(root)
    lines = [line for line in warnings.splitlines() if "outcome-results" in line]
    assert len(lines) == 1
    assert "report.md" in lines[0] and "IO_9 names no immediate outcome" in lines[0]


def test_tables_in_chinese(copy_root: Callable[[str], Path]) -> None:
    """Headers, statuses and regions come in the build language; figures stay as they are."""
    root = copy_root("cycle")
    outdir, _ = _build(root, language="zh_CN")
    (expenditure,) = _tables(outdir, "report", "rbmdocs-expenditure")
    assert expenditure[0][1] == "经常预算（美元）"
    assert _row(expenditure, "IO_1")[1] == "1,000,000"
    summary, _ = _tables(outdir, "evaluation", "rbmdocs-follow-up")
    assert [row[0] for row in summary[1:]] == ["未落实", "正在落实", "已落实", "未采纳", "合计"]
    (results,) = [
        t for t in _tables(outdir, "report", "rbmdocs-outcome-results") if _links_to(t, "IND_1_1")
    ]
    assert _row(results, "IND_1_1")[3] == "非洲（2）：加纳、肯尼亚 美洲（1）：秘鲁"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "rbmdocs_reports = {'2012-13': 'final'}",
            "rbmdocs_reports: 2012-13 is not a P&B biennium",
        ),
        ("rbmdocs_reports = {'2010-11': 'done'}", "rbmdocs_reports['2010-11'] is 'done'"),
        ("rbmdocs_build_date = '1 March 2012'", "rbmdocs_build_date must be a date"),
    ],
)
def test_bad_report_settings_are_one_clear_message(
    copy_root: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    setting: str,
    message: str,
) -> None:
    root = copy_root("cycle")
    conf = root / "conf.py"
    conf.write_text(conf.read_text("utf-8") + setting + "\n", "utf-8")
    assert main(["check", "--source", str(root)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
