"""benchmarks/compare_sites.py on real Sphinx builds: it finds what changed, and only that.

Two tiny furo projects, built with Sphinx, differ in one link's target, one heading and
one page; the comparison must report those (and what follows from them: the added page in
every sidebar, the renamed heading in the "on this page" list and the search index) and
nothing else. Two builds of the same sources in different folders must compare the same.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

from compare_sites import Options, Report, compare_sites, main, read_page

pytestmark = pytest.mark.sphinx

INDEX = """Tiny site
=========

.. toctree::
   :maxdepth: 1

{entries}
"""
PAGE_A = """Page A
======

Read :ref:`the target <{target}>` for the figures.
"""
PAGE_B = """Page B
======

.. _target-one:

Section one
-----------

Employment figures.

.. list-table:: Targets
   :header-rows: 1

   * - Outcome
     - Target
   * - Employment promotion
     - 58 sites

.. _target-two:

Section two
-----------

Social protection figures.

{heading}
{underline}

Closing words.
"""
PAGE_C = """Page C
======

Standards and rights at work.
"""


def write_project(
    root: Path,
    *,
    target: str = "target-one",
    heading: str = "Old heading",
    with_page_c: bool = False,
    stylesheet: str = "p { color: black; }",
) -> Path:
    """A furo project of two or three pages; the keywords are what the variants change."""
    root.mkdir(parents=True)
    (root / "_static").mkdir()
    (root / "_static/custom.css").write_text(stylesheet)
    (root / "conf.py").write_text(
        'project = "Tiny"\nhtml_theme = "furo"\nhtml_static_path = ["_static"]\n'
        'html_css_files = ["custom.css"]\n'
    )
    entries = ["a", "b", *(["c"] if with_page_c else [])]
    (root / "index.rst").write_text(INDEX.format(entries="\n".join(f"   {e}" for e in entries)))
    (root / "a.rst").write_text(PAGE_A.format(target=target))
    (root / "b.rst").write_text(PAGE_B.format(heading=heading, underline="-" * len(heading)))
    if with_page_c:
        (root / "c.rst").write_text(PAGE_C)
    return root


def build(root: Path) -> Path:
    """One real HTML build (its own process, as a project builds); the site's folder."""
    site = root / "_build/html"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1", str(root), str(site)],
        check=True,
    )
    return site


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("sites")
    return {
        "old": build(write_project(base / "old")),
        "same": build(write_project(base / "same")),
        "new": build(
            write_project(
                base / "new", target="target-two", heading="New heading", with_page_c=True
            )
        ),
        "restyled": build(write_project(base / "restyled", stylesheet="p { color: navy; }")),
    }


def found(report: Report) -> dict[str, dict[str, set[str]]]:
    """Kind → difference → the pages it was found on."""
    return {
        kind: {description: set(where) for description, where in differences.items()}
        for kind, differences in report.differences.items()
    }


def test_identical_builds_compare_the_same(sites: dict[str, Path]) -> None:
    report = compare_sites(sites["old"], sites["same"])
    assert report.same(), found(report)
    assert report.page_counts["both"] == report.page_counts["old"] == report.page_counts["new"]
    assert report.page_counts["old"] >= 5  # index, a, b, genindex, search
    assert all(lookup["old"] == lookup["new"] for lookup in report.lookups)
    assert main([str(sites["old"]), str(sites["same"])]) == 0


def test_one_link_one_heading_one_page(sites: dict[str, Path], tmp_path: Path) -> None:
    report = compare_sites(sites["old"], sites["new"])
    differences = found(report)
    every_old_page = {p.relative_to(sites["old"]).as_posix() for p in sites["old"].rglob("*.html")}
    every_old_page -= {p for p in every_old_page if p.startswith("_")}

    # the page
    assert differences.pop("pages") == {"+ c.html": {"site"}}
    # the link: same text, other target, on page A alone (and page C in the index's list)
    assert differences.pop("links:main") == {
        "'the target': b.html#target-one → b.html#target-two": {"a.html"},
        "+ 'Page C' → c.html": {"index.html"},
    }
    # the heading, its line of text, its anchor, its entry in "on this page"
    assert differences.pop("headings") == {
        "'h2 Old heading #old-heading' → 'h2 New heading #new-heading'": {"b.html"}
    }
    assert differences.pop("text:main") == {
        "'Old heading' → 'New heading'": {"b.html"},
        "+ 'Page C'": {"index.html"},
    }
    assert differences.pop("ids:main") == {
        "- #old-heading": {"b.html"},
        "+ #new-heading": {"b.html"},
    }
    assert differences.pop("text:toc") == {"'Old heading' → 'New heading'": {"b.html"}}
    assert differences.pop("links:toc") == {
        "- 'Old heading' → #old-heading": {"b.html"},
        "+ 'New heading' → #new-heading": {"b.html"},
    }
    # the new page in the navigation of every page, and as page B's "next"
    assert differences.pop("head") == {"+ 'link next: c.html'": {"b.html"}}
    assert differences.pop("text:sidebar") == {"+ 'Page C'": every_old_page}
    assert differences.pop("links:sidebar") == {"+ 'Page C' → c.html": every_old_page}
    footer_text = differences.pop("text:footer")
    footer_links = differences.pop("links:footer")
    assert {page for pages in footer_text.values() for page in pages} == {"b.html"}
    assert {page for pages in footer_links.values() for page in pages} == {"b.html"}
    assert any("c.html" in link and "Page C" in link for link in footer_links)
    # the search index: page C, the renamed section, the words they brought
    assert differences.pop("search:documents") == {"+ c ('Page C')": {"searchindex.js"}}
    assert differences.pop("search:section titles") == {
        "- 'Old heading' in b#old-heading": {"searchindex.js"},
        "+ 'New heading' in b#new-heading": {"searchindex.js"},
        "+ 'Page C' in c#": {"searchindex.js"},
    }
    # "Standards and rights at work", stemmed; "Page C" in the index's list; the titles
    assert set(differences.pop("search:terms")) == {
        "'standard': +c",
        "'right': +c",
        "'work': +c",
        "'c': +index",
        "'title:c': +c",
        "'title:page': +c",
        "'title:old': -b",
        "'title:new': +b",
    }
    differences.pop("search:words", None)  # the default words depend on the titles
    # nothing else: no other kind, and nothing on any page but A, B and the sidebars
    assert differences == {}

    # the command says the same in words and in JSON, and exits 1
    out = tmp_path / "report.json"
    assert (
        main([str(sites["old"]), str(sites["new"]), "--json", str(out), "--words", "closing"]) == 1
    )
    data = json.loads(out.read_text("utf-8"))
    assert data["same"] is False
    assert {
        "difference": "'the target': b.html#target-one → b.html#target-two",
        "count": 1,
        "where": ["a.html"],
    } in data["kinds"]["links:main"]
    assert len(data["kinds"]["links:main"]) == 2
    assert data["search_lookups"] == [{"words": "closing", "old": ["b"], "new": ["b"]}]


def test_text_is_read_by_region_and_a_table_row_is_one_line(sites: dict[str, Path]) -> None:
    page = read_page(sites["old"] / "b.html", "b.html", Options(False))
    main_text = page.lines["main"]
    assert main_text[0] == "Page B"  # the heading, without its ¶
    assert "Outcome | Target" in main_text
    assert "Employment promotion | 58 sites" in main_text
    assert "Old heading" in page.lines["toc"]
    assert "Page A" in page.lines["sidebar"]
    assert ("sidebar", "a.html", "Page A") in page.links
    assert "old-heading" in page.ids["main"]


def test_a_search_lookup_finds_the_pages_of_a_word(sites: dict[str, Path]) -> None:
    report = compare_sites(sites["old"], sites["new"], words=["standards", "social figures"])
    lookups = {lookup["words"]: lookup for lookup in report.lookups}
    assert lookups["standards"] == {"words": "standards", "old": [], "new": ["c"]}
    assert lookups["social figures"] == {"words": "social figures", "old": ["b"], "new": ["b"]}
    assert set(found(report)["search:words"]) == {"'standards': +c"}


def test_a_chinese_lookup_splits_the_query_as_the_search_does(tmp_path: Path) -> None:
    """Sphinx writes ``zh-CN`` and splits Chinese with jieba: a compound finds its page."""
    root = tmp_path / "zh"
    root.mkdir()
    (root / "conf.py").write_text('project = "小"\nlanguage = "zh_CN"\n')
    (root / "index.rst").write_text("首页\n====\n\n.. toctree::\n\n   asia\n   africa\n")
    (root / "asia.rst").write_text("亚洲\n====\n\n亚洲及太平洋区域的体面劳动国别计划。\n")
    (root / "africa.rst").write_text("非洲\n====\n\n非洲区域的体面劳动国别计划。\n")
    site = build(root)
    report = compare_sites(site, site, words=["亚洲及太平洋", "区域"])
    lookups = {lookup["words"]: lookup["new"] for lookup in report.lookups}
    assert lookups == {"亚洲及太平洋": ["asia"], "区域": ["africa", "asia"]}
    assert report.same()


def test_asset_hashes_differ_unless_ignored(sites: dict[str, Path]) -> None:
    report = compare_sites(sites["old"], sites["restyled"])
    differences = found(report)
    assert set(differences) == {"assets"}
    (change,) = differences["assets"]
    assert change.startswith("'link _static/custom.css?v=")
    assert compare_sites(sites["old"], sites["restyled"], ignore_asset_hashes=True).same()


def test_a_dangling_link_is_listed(sites: dict[str, Path], tmp_path: Path) -> None:
    """A page whose anchor went away: the link that points at it is named with its page."""
    broken = tmp_path / "broken"
    shutil.copytree(sites["old"], broken)
    page_b = broken / "b.html"
    page_b.write_text(page_b.read_text("utf-8").replace('id="target-one"', 'id="elsewhere"'))
    differences = found(compare_sites(sites["old"], broken))
    assert differences["dangling links"] == {
        "+ b.html#target-one (dangling in new only)": {"a.html"}
    }


def test_bad_input_is_one_clear_message(
    sites: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing"), str(sites["old"])]) == 2
    assert "missing is not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main([str(tmp_path / "empty"), str(sites["old"])]) == 2
    assert "no HTML page here" in capsys.readouterr().err
    mangled = tmp_path / "mangled"
    shutil.copytree(sites["old"], mangled)
    (mangled / "searchindex.js").write_text("Search.setIndex({not json)")
    assert main([str(sites["old"]), str(mangled)]) == 2
    error = capsys.readouterr().err
    assert "searchindex.js: the search index is not JSON" in error
    assert "Traceback" not in error
