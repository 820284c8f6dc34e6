"""The DWCP pages, written from the YAML records without the document pipeline.

Each test builds a real project (the minimal root, with a second programme added where it
needs neighbours) and reads the pages it writes.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import build_html
from rbmdocs.cli import main

pytestmark = pytest.mark.sphinx

KENYA = """\
id: DWCP_KEN
country: Kenya
region: africa
status: draft
period: 2016-2017
priorities:
  - id: PRI_KEN_1
    title: Social protection for all
    outcomes:
      - id: CPO_KEN_101
        title: Kenya's social protection floor is costed
        biennium: 2016-17
        contributes_to: [IO_1]
      - id: CPO_KEN_102
        title: Informal workers join the health insurance scheme
        biennium: 2016-17
        contributes_to: [IO_1]
  - id: PRI_KEN_2
    title: Youth employment
    outcomes:
      - id: CPO_KEN_201
        title: Young people in Nairobi find apprenticeships
        biennium: 2016-17
        contributes_to: [IO_1]
"""

#: A page in a sub-folder naming a CPO of a programme in prose.
GUIDE_PAGE = """\
# Country work

The floor is costed ({need}`CPO_KEN_101`), and see {need}`the Kenyan programme <DWCP_KEN>`.

```{needtable}
:types: cpo
:columns: id, title
```
"""


def _project(copy_root: Callable[[str], Path]) -> Path:
    """The minimal root with Kenya beside Ghana and a sub-folder page naming Kenya's CPO."""
    root = copy_root("minimal")
    (root / "data/dwcp/KEN.yaml").write_text(KENYA, "utf-8")
    (root / "notes").mkdir()
    (root / "notes/country.md").write_text(GUIDE_PAGE, "utf-8")
    index = root / "index.md"
    index.write_text(index.read_text("utf-8").replace("dwcps\n", "dwcps\nnotes/country\n"))
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('html_theme = "rbmdocs"\n')  # furo's sidebar and "On this page"
    return root


def _build(root: Path, *extra: str) -> None:
    command = ["build", "--source", str(root), "--lang", "en", "--format", "html", *extra]
    assert main(command) == 0


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def _href(tag: Tag | None) -> str:
    assert tag is not None
    return str(tag["href"])


def test_a_dwcp_page_has_the_theme_the_headings_the_views_and_its_neighbours(
    copy_root: Callable[[str], Path],
) -> None:
    root = _project(copy_root)
    _build(root)
    site = root / "_build/html/en"
    page = _soup(site / "data/dwcp/KEN.html")

    main_part = page.select_one("article[role=main]")
    assert main_part is not None
    top = main_part.select_one("section#dwcp-ken")
    assert top is not None
    assert top.h1 is not None and top.h1.get_text().rstrip("¶") == "Kenya"
    summary = [item.get_text(" ", strip=True) for item in top.select("dl.rbmdocs-dwcp-summary dd")]
    assert summary == ["Africa", "Draft", "2016-2017"]
    headings = [
        (section["id"], section.h2.get_text().rstrip("¶"))
        for section in top.select(":scope > section")
        if section.h2 is not None
    ]
    assert headings == [
        ("pri-ken-1", "Social protection for all"),
        ("pri-ken-2", "Youth employment"),
    ]
    views = [view["id"] for view in top.select("div.rbmdocs-need")]
    assert views == [
        "DWCP_KEN",
        "PRI_KEN_1",
        "CPO_KEN_101",
        "CPO_KEN_102",
        "PRI_KEN_2",
        "CPO_KEN_201",
    ]
    cpo = top.select_one("div#CPO_KEN_101")
    assert cpo is not None and "need-cpo" in cpo["class"]
    # the typographic apostrophe of a document's text in the heading, the view's own as written
    assert "Kenya’s social protection floor is costed" not in top.get_text()
    assert "Kenya's social protection floor is costed" in cpo.get_text()
    outcome = cpo.select_one('a[href="../../framework.html#IO_1"]')
    assert outcome is not None and outcome.get_text() == "Member States adopt employment policies"
    assert _href(cpo.select_one('a[title="PRI_KEN_1"]')) == "#PRI_KEN_1"

    # the theme's page: title, masthead, "On this page" with the priorities, neighbours
    assert page.title is not None and page.title.get_text().startswith("Kenya - ")
    on_this_page = [link["href"] for link in page.select("div.toc-tree a")]
    assert on_this_page == ["#", "#pri-ken-1", "#pri-ken-2"]
    aside = page.select_one("aside.toc-drawer")
    assert aside is not None and "no-toc" not in (aside.get("class") or [])
    assert _href(page.select_one("link[rel=prev]")) == "GHA.html"  # Ghana before Kenya
    assert _href(page.select_one("link[rel=next]")) == "../../notes/country.html"
    ghana = _soup(site / "data/dwcp/GHA.html")
    assert _href(ghana.select_one("link[rel=prev]")) == "../../dwcps.html"  # the index
    assert _href(ghana.select_one("link[rel=next]")) == "KEN.html"

    # the same sidebar as any page, every link relative to the page's folder
    sidebar = [link["href"] for link in page.select(".sidebar-tree a.reference")]
    framework = _soup(site / "framework.html")
    from_root = [link["href"] for link in framework.select(".sidebar-tree a.reference")]
    # (on its own page, the framework's entry is "#")
    assert sidebar == [f"../../{'framework.html' if href == '#' else href}" for href in from_root]
    assert "../../dwcps.html" in sidebar

    # the index page links each programme; the search index holds each page and its CPOs
    index = _soup(site / "dwcps.html")
    assert index.select_one('table.rbmdocs-dwcp-index a[href^="data/dwcp/KEN.html"]') is not None
    search = (site / "searchindex.js").read_text("utf-8")
    found = json.loads(search[search.index("(") + 1 : search.rindex(")")])
    assert "data/dwcp/KEN" in found["docnames"]
    kenya = found["docnames"].index("data/dwcp/KEN")
    assert found["titles"][kenya] == "Kenya"
    assert kenya in _as_list(found["terms"]["apprenticeship"])


def _as_list(value: int | list[int]) -> list[int]:
    return value if isinstance(value, list) else [value]


def test_a_need_role_to_a_cpo_from_a_sub_folder_page_resolves_to_its_page(
    copy_root: Callable[[str], Path],
) -> None:
    root = _project(copy_root)
    _build(root, "--strict")
    page = _soup(root / "_build/html/en/notes/country.html")
    cpo = page.select_one('a[href="../data/dwcp/KEN.html#CPO_KEN_101"]')
    assert cpo is not None
    assert cpo.get_text() == "Kenya's social protection floor is costed"
    programme = page.select_one('a[href="../data/dwcp/KEN.html#DWCP_KEN"]')
    assert programme is not None and programme.get_text() == "the Kenyan programme"
    # sphinx-needs' own table sees the CPO the prose names (and no other), linked alike
    table = page.select_one("table.NEEDS_DATATABLES")
    assert table is not None
    linked = [link["href"] for link in table.select("a[href]")]
    assert linked == ["../data/dwcp/KEN.html#CPO_KEN_101"]

    # a reference added to a page resolves in the build that reads the page
    notes = root / "notes/country.md"
    notes.write_text(notes.read_text("utf-8").replace("costed (", "costed ({need}`CPO_KEN_201`, "))
    _build(root, "--strict")
    page = _soup(root / "_build/html/en/notes/country.html")
    apprenticeships = page.select_one('a[href="../data/dwcp/KEN.html#CPO_KEN_201"]')
    assert apprenticeships is not None
    assert apprenticeships.get_text() == "Young people in Nairobi find apprenticeships"


def test_a_one_line_dwcp_edit_rewrites_its_page_and_no_unrelated_page(
    copy_root: Callable[[str], Path],
) -> None:
    root = _project(copy_root)
    _build(root)
    site = root / "_build/html/en"
    pages = {path: path.stat().st_mtime_ns for path in site.rglob("*.html")}
    time.sleep(0.05)
    kenya = root / "data/dwcp/KEN.yaml"
    kenya.write_text(kenya.read_text("utf-8").replace("Youth employment", "Jobs for youth"))
    _build(root)

    rewritten = {
        path.relative_to(site).as_posix()
        for path, before in pages.items()
        if path.stat().st_mtime_ns != before
    }
    assert "data/dwcp/KEN.html" in rewritten
    assert "data/dwcp/GHA.html" not in rewritten  # its neighbour's title is unchanged
    assert "framework.html" not in rewritten, rewritten  # names no priority of Kenya
    assert "Jobs for youth" in (site / "data/dwcp/KEN.html").read_text("utf-8")
    assert "Jobs for youth" in (site / "searchindex.js").read_text("utf-8").replace("\\u", "")

    # unchanged: nothing of the programmes' pages is written again
    pages = {path: path.stat().st_mtime_ns for path in site.rglob("data/dwcp/*.html")}
    _build(root)
    assert all(path.stat().st_mtime_ns == before for path, before in pages.items())


def test_a_deleted_dwcp_file_takes_its_page_with_it(copy_root: Callable[[str], Path]) -> None:
    root = _project(copy_root)
    _build(root)
    site = root / "_build/html/en"
    assert (site / "data/dwcp/KEN.html").is_file()

    (root / "data/dwcp/KEN.yaml").unlink()
    (root / "notes/country.md").write_text("# Country work\n\nNothing yet.\n", "utf-8")
    _build(root)
    assert not (site / "data/dwcp/KEN.html").exists()
    assert (site / "data/dwcp/GHA.html").is_file()
    assert "data/dwcp/KEN" not in (site / "searchindex.js").read_text("utf-8")
    assert "KEN.html" not in (site / "dwcps.html").read_text("utf-8")


def test_a_bad_dwcp_file_is_one_message_at_its_line_and_has_no_page(
    copy_root: Callable[[str], Path],
) -> None:
    root = _project(copy_root)
    kenya = root / "data/dwcp/KEN.yaml"
    kenya.write_text(
        KENYA.replace(
            "    outcomes:\n      - id: CPO_KEN_201", "    outcome:\n      - id: CPO_KEN_201"
        )
    )
    _app, warnings = build_html(root)
    messages = [line for line in warnings.splitlines() if "KEN.yaml" in line]
    assert len(messages) == 1, warnings
    assert re.search(rf"{re.escape(os.fspath(kenya))}:\d+: ERROR: ", messages[0])
    assert "outcome" in messages[0]
    site = root / "_build/html"
    assert not (site / "data/dwcp/KEN.html").exists()
    assert (site / "data/dwcp/GHA.html").is_file()


def test_the_dwcp_files_are_no_documents(copy_root: Callable[[str], Path]) -> None:
    """No PDF can hold a programme's page: the YAML files are data, not documents."""
    root = _project(copy_root)
    app, _warnings = build_html(root)
    assert not [name for name in app.env.all_docs if name.startswith("data/dwcp/")]


def test_the_side_by_side_edition_pairs_a_dwcp_page_with_its_translation(
    copy_root: Callable[[str], Path],
) -> None:
    root = copy_root("minimal")
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('rbmdocs_languages = ["en", "zh_CN"]\n')
    command = ["build", "--source", str(root), "--edition", "parallel", "--format", "html"]
    assert main(command) == 0

    page = _soup(root / "_build/html/parallel/data/dwcp/GHA.html")
    heading = [side.get_text() for side in page.select("h1 .rbmdocs-title-side")]
    assert heading == ["Ghana", "加纳"]
    cpo = page.select_one("div#CPO_GHA_101 > .rbmdocs-pair")  # its heading, in each language
    assert cpo is not None
    sides = cpo.select(":scope > .rbmdocs-side")
    assert [side["lang"] for side in sides] == ["en", "zh-CN"]
    assert "A youth employment policy is adopted" in sides[0].get_text()
    assert "通过青年就业政策" in sides[1].get_text()


def test_a_dwcp_page_missing_from_the_output_is_written_again_alone(
    copy_root: Callable[[str], Path],
) -> None:
    """A build that writes a programme's page and no document writes the same page."""
    root = _project(copy_root)
    _build(root)
    page = root / "_build/html/en/data/dwcp/KEN.html"
    written = page.read_text("utf-8")
    page.unlink()
    (root / "_build/.work/html/en/data/dwcp/KEN.html").unlink()  # where the build writes
    _build(root)
    assert page.read_text("utf-8") == written
