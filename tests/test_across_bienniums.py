"""The report across bienniums (issue 20 item 6), read back from real builds.

``tests/roots/test-bienniums`` holds one SPF period with targets for 2010-11 and 2012-13,
the results of 2010-11 (final) and one result of 2012-13 (draft). Each table of
``{results-across-bienniums}`` is read back from the HTML and compared with the needs as
sphinx-needs holds them after the same build, in English and in Chinese; the PDF is read
with pdftotext.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import build_html
from rbmdocs.cli import main
from rbmdocs.render.labels import label
from sphinx_needs.data import SphinxNeedsData

pytestmark = pytest.mark.sphinx

BIENNIUMS = ("2010-11", "2012-13")
TABLE = "table.rbmdocs-across-bienniums"


def _html_tables(outdir: Path, page: str) -> dict[str, list[list[str]]]:
    """Outcome ID (from the table's anchor) → the table's rows of cell texts."""
    soup = BeautifulSoup((outdir / f"{page}.html").read_text("utf-8"), "html.parser")
    tables: dict[str, list[list[str]]] = {}
    for table in soup.select(TABLE):
        outcome = next(i for i in table.get("id", "").split() if i.startswith("across-"))
        rows = [
            [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
            for row in table.find_all("tr")
        ]
        tables[outcome.removeprefix("across-").upper().replace("-", "_")] = rows
    return tables


def _expected(
    needs: Any, language: str, final: set[str], bienniums: tuple[str, ...] = BIENNIUMS
) -> dict[str, list[list[str]]]:
    """The tables as the needs give them: an oracle written against sphinx-needs' data."""

    def of(kind: str, link: str, target: str) -> list[Any]:
        found = [n for n in needs.values() if n["type"] == kind and target in (n[link] or [])]
        return sorted(
            found, key=lambda n: [int(p) if p.isdigit() else p for p in n["id"].split("_")]
        )

    expected: dict[str, list[list[str]]] = {}
    outcomes = sorted(
        (n for n in needs.values() if n["type"] == "immediate-outcome"), key=lambda n: n["id"]
    )
    for outcome in outcomes:
        rows = [
            ["", *bienniums],
            [label("table.indicator", language)]
            + [label("across.target", language), label("across.result", language)] * len(bienniums),
        ]
        for indicator in of("indicator", "measures", outcome["id"]):
            row = [indicator["title"]]
            for biennium in bienniums:
                targets = [
                    t
                    for t in of("target", "sets_target_for", indicator["id"])
                    if t["biennium"] == biennium
                ]
                if not targets:
                    row += [label("across.no_target", language), "–"]
                    continue
                results = [
                    r["value"]
                    for r in of("result", "reports_on", targets[0]["id"])
                    if r["biennium"] == biennium
                ]
                missing = "table.no_result" if biennium in final else "across.not_yet_reported"
                row += [targets[0]["value"], " ".join(results) or label(missing, language)]
            rows.append(row)
        expected[outcome["id"]] = rows
    return expected


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_table_read_back_equals_the_needs(
    copy_root: Callable[[str], Path], language: str
) -> None:
    root = copy_root("bienniums")
    app, warnings = build_html(root, language=language)
    tables = _html_tables(Path(app.outdir), "across")
    needs = SphinxNeedsData(app.env).get_needs_view()
    assert tables == _expected(needs, language, final={"2010-11"})
    assert set(tables) == {"IO_1", "IO_2"}
    # the values are the build language's: the catalogue translates them
    if language == "zh_CN":
        assert tables["IO_1"][2][1:] == ["5个成员国", "6个成员国", "7个成员国", "8个成员国"]
    else:
        values = [f"{count} member States" for count in (5, 6, 7, 8)]
        assert tables["IO_1"][2][1:] == values
    soup = BeautifulSoup((Path(app.outdir) / "across.html").read_text("utf-8"), "html.parser")
    note = soup.select_one(".rbmdocs-across-note")
    assert note is not None and "2014-15" in note.get_text()
    assert "results-across-bienniums" not in warnings


def test_a_new_result_and_a_third_biennium_follow_the_data(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("bienniums")
    report = root / "report.md"
    report.write_text(
        report.read_text("utf-8")
        + "\n:::{result} Six reformed\n:id: RES_1_2_B2\n:reports_on: TGT_1_2_B2\n"
        ":achieved_through: CPO_GHA_201\n:biennium: 2012-13\n:value: 6 member States\n:::\n",
        "utf-8",
    )
    app, _warnings = build_html(root, rbmdocs_reports={"2010-11": "final", "2012-13": "final"})
    tables = _html_tables(Path(app.outdir), "across")
    assert tables["IO_1"][3] == [
        "Employment services reformed",
        "4 member States",
        "3 member States",
        "5 member States",
        "6 member States",
    ]
    # 2012-13 is final now: its missing result is missing, not still to come
    assert tables["IO_2"][2][-1] == "no result reported"


def test_one_outcome_alone_and_a_wrong_outcome(copy_root: Callable[[str], Path]) -> None:
    root = copy_root("bienniums")
    (root / "across.md").write_text(
        "# Across\n\n```{results-across-bienniums}\n:outcome: IO_2\n```\n\n"
        "```{results-across-bienniums}\n:outcome: IO_9\n```\n",
        "utf-8",
    )
    app, warnings = build_html(root)
    tables = _html_tables(Path(app.outdir), "across")
    assert list(tables) == ["IO_2"]
    assert "across.md" in warnings and ":outcome: IO_9 names no immediate outcome" in warnings


@pytest.mark.slow
def test_the_pdf_shows_the_table(copy_root: Callable[[str], Path]) -> None:
    if shutil.which("xelatex") is None:
        pytest.skip("no TeX")
    root = copy_root("bienniums")
    assert main(["build", "--source", str(root), "--format", "pdf", "--lang", "all"]) == 0
    for language, row in [
        (
            "en",
            r"Employment policies\s+5 member States\s+6 member States\s+7 member States\s+8 member",
        ),
        ("zh_CN", r"通过就业政策\s+5\s*个成员国\s+6\s*个成员国\s+7\s*个成员国\s+8\s*个成员国"),
    ]:
        pdf = root / "_build" / "pdf" / language / "report.pdf"
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert re.search(row, text), text[-3000:]
        assert label("across.not_yet_reported", language) in text


@pytest.mark.slow
def test_the_sample_page_equals_the_needs(bilingual_sample: Path) -> None:
    """The sample's page in the implementation report, read back in both languages."""
    from rbmdocs.sphinx.run import doctree_dir, run_sphinx

    for language in ("en", "zh_CN"):
        run = run_sphinx(
            bilingual_sample,
            builder="rbmdocs-check",
            language=language,
            outdir=doctree_dir(bilingual_sample, language) / "_check",
            status=None,
        )
        assert run.result is not None
        records = run.result.graph.needs_of_type
        needs = {
            record.id: {"id": record.id, "type": record.type, "title": record.title}
            | dict(record.fields)
            | {name: list(targets) for name, targets in record.links.items()}
            for kind in ("immediate-outcome", "indicator", "target", "result")
            for record in records(kind)
        }
        for need in needs.values():
            need.setdefault("measures", [])
            need.setdefault("sets_target_for", [])
            need.setdefault("reports_on", [])
        bienniums = tuple(sorted({n["biennium"] for n in needs.values() if n["type"] == "target"}))
        html = bilingual_sample / "_build/html" / language
        tables = _html_tables(html, "implementation_report/across_bienniums")
        expected = _expected(needs, language, {"2010-11"}, bienniums)
        assert tables == expected
        assert len(tables) == len([n for n in needs.values() if n["type"] == "immediate-outcome"])
