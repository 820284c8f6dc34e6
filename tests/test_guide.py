"""The user guide builds warning-free, and its own examples pass the check: it never lies."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import copy_sample
from rbmdocs.cli import main
from sphinx.testing.util import SphinxTestApp

pytestmark = pytest.mark.sphinx

DOCS = Path(__file__).parent.parent / "docs"
_FENCE = re.compile(r"^```(md|yaml)\n(.*?)^```", re.M | re.S)


def test_guide_builds_without_warnings(tmp_path: Path) -> None:
    warnings = io.StringIO()
    app = SphinxTestApp(
        "html",
        srcdir=DOCS,
        builddir=tmp_path,
        status=io.StringIO(),
        warning=warnings,
    )
    app.build()
    app.cleanup()
    assert warnings.getvalue() == ""
    rules = (tmp_path / "html/checking.html").read_text("utf-8")
    for rule in ("RBM001", "RBM013", "RBM020", "RBM026"):
        assert rule in rules


def _examples() -> list[tuple[str, str, str]]:
    """(page, language, block) of every need example: Markdown with an ID, DWCP files."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for language, body in _FENCE.findall(page.read_text("utf-8")):
            if (language == "md" and ":id:" in body) or (
                language == "yaml" and body.startswith("id: DWCP_")
            ):
                found.append((page.name, language, body))
    return found


_ID = re.compile(r"^\s*(?:- )?:?id:? (\w+)", re.M)


@pytest.mark.slow
def test_guide_examples_paste_into_the_sample_and_pass_every_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pasted into the sample, the guide's examples collide with none of its IDs and pass.

    The step-by-step of writing.md is followed first (its blocks go at the end of the
    files it names); every other example goes on a page of its own, a DWCP example in its
    own file. Only the examples of the reporting pages, which show needs of the sample
    itself, are left out, and only when every ID they hold is the sample's.
    """
    from test_walkthrough import follow, steps

    project = copy_sample(tmp_path / "sample")
    assert main(["check", "--source", str(project), "--format", "json"]) == 0
    sample_ids = {
        match
        for path in project.rglob("*.*")
        if path.suffix in (".md", ".yaml")
        for match in _ID.findall(path.read_text("utf-8"))
    }
    capsys.readouterr()
    guide_steps = (DOCS / "writing.md").read_text("utf-8")
    added = follow(project, guide_steps)
    step_blocks = {block for _, block in steps(guide_steps)}
    pasted: list[str] = []
    for number, (page, language, body) in enumerate(_examples()):
        if body in step_blocks:
            continue
        ids = _ID.findall(body)
        if page == "reporting.md" and set(ids) <= sample_ids:
            continue
        assert not set(ids) & (sample_ids | set(added)), f"{page}: {ids} are taken"
        if language == "md":
            (project / f"example_{number}.md").write_text(f"# Example\n\n{body}", "utf-8")
        else:
            (project / "data/dwcp" / f"{ids[0].removeprefix('DWCP_')}.yaml").write_text(
                body, "utf-8"
            )
        pasted.append(page)
        added += ids
    assert "dwcp-data.md" in pasted and len(added) >= 10
    code = main(["check", "--source", str(project), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    assert code == 0
