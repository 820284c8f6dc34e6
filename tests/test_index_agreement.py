"""The project index and the build agree: the same records and the same findings.

Every corpus is checked both ways -- through Sphinx (the ``rbmdocs-check`` builder, the
build's own reading) and through the index (myst-parser's Markdown parser and the YAML
loader, no Sphinx) -- in every language the project builds, and the two must give the
same records (ID, type, file, line, title, fields, links), the same ``{need}``
references and the same findings (rule, severity, need, file, line, message, hint).
The corpora: every test root, the sample, the sample with defects planted in Markdown
and in YAML, and a generated corpus with the benchmark's planted defects.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOTS, copy_sample
from rbmdocs.cli import _configured_languages, _raw_config
from rbmdocs.graph import CheckResult
from rbmdocs.indexed import check_on_index

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import write_corpus

RecordKey = tuple[Any, ...]


def record_keys(result: CheckResult) -> list[RecordKey]:
    """Every record as a comparable tuple, in one order."""
    return sorted(
        (
            record.file,
            record.line or 0,
            record.id,
            record.type,
            record.title,
            tuple(sorted(record.fields.items())),
            tuple(sorted((name, tuple(targets)) for name, targets in record.links.items())),
            record.id_given,
        )
        for record in result.graph.records
    )


def finding_keys(result: CheckResult) -> list[tuple[str, ...]]:
    """Every finding with all it says, in report order."""
    return [
        (f.rule, f.severity, f.need, f.file, str(f.line), f.message, f.hint)
        for f in result.findings
    ]


def both_ways(project: Path, language: str) -> tuple[CheckResult, CheckResult]:
    """The check result through Sphinx and through the index (which must not fall back)."""
    raw = _raw_config(project)
    through_sphinx, _ = check_on_index(project, raw, language, through_sphinx=True)
    indexed, index = check_on_index(project, raw, language)
    assert index is not None, "the index fell back to Sphinx"
    assert not index.fallback
    assert through_sphinx.result is not None and indexed.result is not None
    return through_sphinx.result, indexed.result


def assert_agree(project: Path) -> int:
    """Both ways agree in every language of the project; return the findings compared."""
    compared = 0
    for language in _configured_languages(project):
        sphinx_result, index_result = both_ways(project, language)
        assert record_keys(index_result) == record_keys(sphinx_result), language
        assert sorted(
            (reference.file, reference.line or 0, reference.target)
            for reference in index_result.graph.references
        ) == sorted(
            (reference.file, reference.line or 0, reference.target)
            for reference in sphinx_result.graph.references
        )
        assert finding_keys(index_result) == finding_keys(sphinx_result), language
        assert index_result.coverage == sphinx_result.coverage
        compared += len(sphinx_result.findings)
    return compared


@pytest.mark.parametrize("root", sorted(path.name for path in ROOTS.iterdir()))
def test_every_test_root_reads_the_same_both_ways(root: str, tmp_path: Path) -> None:
    project = tmp_path / root
    shutil.copytree(ROOTS / root, project)
    assert_agree(project)


def test_the_sample_reads_the_same_both_ways_in_both_languages(tmp_path: Path) -> None:
    project = copy_sample(tmp_path / "sample")
    assert _configured_languages(project) == ["en", "zh_CN"]
    assert_agree(project)


def _plant(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_defects_planted_in_markdown_and_yaml_read_the_same(tmp_path: Path) -> None:
    project = copy_sample(tmp_path / "sample")
    employment = project / "spf" / "employment.md"
    # Markdown: a mistyped link, a missing option, a reference to nothing, a duplicate ID
    _plant(employment, ":contributes_to: IMO_1_1", ":contributes_to: IMO_1_11")
    _plant(employment, ":unit: member States\n", "")
    _plant(
        employment,
        "## Outcome 2: Skills development\n",
        "## Outcome 2: Skills development\n\nAs {need}`IO_99` and {need}`the first <IO_1>` "
        "show.\n\n:::{indicator} A second 1.2\n:id: IND_1_2\n:measures: IO_2\n:::\n",
    )
    # YAML: a mistyped target, a bad value, a need whose ID a Markdown need has
    kenya = project / "data" / "dwcp" / "KEN.yaml"
    text = kenya.read_text("utf-8")
    first_target = text.split("contributes_to:", 1)[1].split("\n", 1)[0]
    _plant(kenya, "contributes_to:" + first_target, "contributes_to: [IO_44]")
    _plant(kenya, "biennium: 2012-13", "biennium: 2012-14")
    _plant(kenya, "id: PRI_KEN_2", "id: IO_3")
    compared = assert_agree(project)
    _sphinx_result, index_result = both_ways(project, "en")
    rules = {finding.rule for finding in index_result.findings}
    assert {"RBM002", "RBM003", "RBM004", "RBM010", "RBM014"} <= rules
    assert compared >= 10


def test_a_generated_corpus_with_planted_defects_reads_the_same(tmp_path: Path) -> None:
    project = tmp_path / "corpus"
    write_corpus(project, 12, seed=3, defects=0.05)
    assert assert_agree(project) > 0


#: ``{need}`` references in every place Markdown allows prose, some naming no need.
REFERENCES_EVERYWHERE = """# Heading with {need}`IO_1`

A paragraph that runs
over two lines and names {need}`IMO_1` on the second.

- a list item with {need}`SO_1`
- and a nested one:
  - deeper {need}`IO_404`

> A quote with {need}`IND_1_1`.

| need | note |
|---|---|
| {need}`IO_1` | a cell |
| text | {need}`IO_405` |

Term
: a definition with {need}`IO_406`

:::{note}
An admonition with {need}`IO_407`
:::

:::{milestone} A milestone that names {need}`IO_1` in its body
:id: MIL_REF
:year: 2016
:status: on track
:area: performance-accountability

Its body names {need}`IO_408` and **bold {need}`IO_1`**.
:::

A footnote[^one].

[^one]: The footnote names {need}`IO_409`.
"""


def test_references_in_every_kind_of_prose_read_the_same(tmp_path: Path) -> None:
    project = tmp_path / "minimal"
    shutil.copytree(ROOTS / "test-minimal", project)
    (project / "references.md").write_text(REFERENCES_EVERYWHERE, "utf-8")
    assert assert_agree(project) >= 6  # a dead reference each: list, table, note, body...
    _sphinx_result, index_result = both_ways(project, "en")
    assert len(index_result.graph.references) == 12  # none in the need's title


def _fallback_pages() -> Iterator[tuple[str, str]]:
    yield "include", "```{include} ../dwcps.md\n```\n"
    yield "only", "```{only} html\n:::{milestone} Late\n:id: MIL_LATE\n:year: 2011\n:::\n```\n"
    yield "no id", ":::{milestone} Without an ID\n:year: 2011\n:status: open\n:::\n"
    yield "substitution", ":::{milestone} {{ name }}\n:id: MIL_SUB\n:year: 2011\n:::\n"


@pytest.mark.parametrize(("construct", "page"), list(_fallback_pages()))
def test_what_the_index_cannot_read_goes_through_sphinx_and_says_so(
    construct: str, page: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rbmdocs.cli import main

    project = tmp_path / "minimal"
    shutil.copytree(ROOTS / "test-minimal", project)
    (project / "extra.md").write_text(f"# Extra\n\n{page}", "utf-8")
    raw = _raw_config(project)
    through_sphinx, _ = check_on_index(project, raw, "en", through_sphinx=True)
    indexed, index = check_on_index(project, raw, "en")
    assert index is None  # answered by Sphinx
    assert through_sphinx.result is not None and indexed.result is not None
    assert finding_keys(indexed.result) == finding_keys(through_sphinx.result)
    capsys.readouterr()
    main(["check", "--source", str(project)])
    assert "rbmdocs: note: extra.md is read through Sphinx:" in capsys.readouterr().err


def test_the_index_knows_every_directive_the_extension_draws_from_the_needs() -> None:
    """A new generated table is passed over by the index, not a reason to fall back."""
    from rbmdocs.schema import GENERATED_DIRECTIVES
    from rbmdocs.sphinx.reference import REFERENCE_DIRECTIVES
    from rbmdocs.sphinx.tables import TABLE_BUILDERS

    assert set(GENERATED_DIRECTIVES) == set(TABLE_BUILDERS) | set(REFERENCE_DIRECTIVES)
