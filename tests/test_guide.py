"""The user guide builds warning-free, and its own examples pass the check: it never lies."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
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


def _examples() -> tuple[list[str], list[str]]:
    markdown, yaml_files = [], []
    for page in sorted(DOCS.glob("*.md")):
        for language, body in _FENCE.findall(page.read_text("utf-8")):
            if language == "md" and ":id:" in body:
                markdown.append(body)
            elif language == "yaml" and body.startswith("id: DWCP_"):
                yaml_files.append(body)
    return markdown, yaml_files


def test_guide_examples_make_a_project_that_passes_every_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    markdown, yaml_files = _examples()
    assert len(markdown) >= 2 and yaml_files
    (tmp_path / "conf.py").write_text(
        'extensions = ["rbmdocs"]\nrbmdocs_spf_period = "2010-2015"\n'
        'rbmdocs_bienniums = ["2010-11"]\nexclude_patterns = ["_build"]\n',
        "utf-8",
    )
    (tmp_path / "index.md").write_text(
        "# Guide examples\n\n" + "\n\n".join(markdown) + "\n", "utf-8"
    )
    dwcp_dir = tmp_path / "data/dwcp"
    dwcp_dir.mkdir(parents=True)
    for body in yaml_files:
        # each file is named after its programme's country, as RBM061 wants
        code = re.search(r"^id: DWCP_(\w+)", body, re.M)
        assert code is not None
        (dwcp_dir / f"{code[1]}.yaml").write_text(body, "utf-8")
    code = main(["check", "--source", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    assert code == 0
    written_ids = sum(body.count(":id:") for body in markdown) + sum(
        len(re.findall(r"^\s*(?:- )?id: ", body, re.M)) for body in yaml_files
    )
    assert report["summary"]["needs"] == written_ids
