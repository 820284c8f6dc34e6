"""The web edition as an official site: the organisation's masthead, tables that fit, print.

The ``rbmdocs`` HTML theme is furo with three templates of its own (``theme/rbmdocs``):
the page, which puts the organisation's name and emblem above furo's page and ends with
the publisher's copyright instead of the generator's credit; the masthead; and furo's
icons with their titles translated. A project chooses it with ``html_theme = "rbmdocs"``;
a project with another theme keeps it, and still gets the stylesheets and the wrapped
tables, which work with any theme.

The organisation's name (``rbmdocs_organisation``) and the copyright line (Sphinx's
``copyright``) are conf.py text translated through the root document's catalogue, like
the site's title; the theme's own words (furo's "On this page", "Back to top", …) come
from the project's ``sphinx`` catalogue, which Sphinx merges with its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.fileutil import copy_asset_file

from rbmdocs.config import settings
from rbmdocs.sphinx.languages import MASTHEAD_THEME, SWITCHER_SCRIPT

THEME_NAME = MASTHEAD_THEME
THEME_DIR = Path(__file__).parent.parent / "render" / "theme" / THEME_NAME
#: Our site and print stylesheets (in ``static/``, copied with our other assets).
SITE_STYLESHEET = "rbmdocs-site.css"
PRINT_STYLESHEET = "rbmdocs-print.css"
#: Our files of the web edition, copied into ``_static`` as writing starts.
SITE_ASSETS = (SITE_STYLESHEET, PRINT_STYLESHEET, SWITCHER_SCRIPT)
#: Classes of the box a generated table scrolls in when it is wider than the screen.
TABLE_WRAPPER_CLASSES = ("table-wrapper", "rbmdocs-table-wrapper")


def emblem_name(app: Sphinx) -> str:
    """The emblem's file name in the site's ``_static`` folder, or "" for none."""
    emblem: str = settings(app.config).emblem
    return Path(emblem).name if emblem else ""


def add_site_context(
    app: Sphinx, _pagename: str, _templatename: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context``: what the masthead shows, for any template that wants it."""
    context["rbmdocs_organisation"] = settings(app.config).organisation
    name = emblem_name(app)
    pathto = context.get("pathto")
    context["rbmdocs_emblem_url"] = pathto(f"_static/{name}", 1) if name and pathto else ""


def copy_emblem(app: Sphinx, _builder: object) -> None:
    """``write-started``: the emblem next to our stylesheets, before any page names it."""
    emblem = settings(app.config).emblem
    if app.builder.format != "html" or not emblem:
        return
    source = Path(app.confdir) / emblem
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    copy_asset_file(source, static, force=True)


def wrap_generated_tables(app: Sphinx, doctree: nodes.document, _docname: str) -> None:
    """``doctree-resolved``: each generated table in a box of its own that scrolls.

    furo wraps the tables of a page in such a box in a post-transform, before our tables
    exist (they are filled from the graph as the page is resolved), so a wide table
    pushed the whole page sideways on a telephone instead of scrolling in its place.
    """
    if app.builder.format != "html":
        return
    for table in list(doctree.findall(nodes.table)):
        if "rbmdocs-table" not in table["classes"]:
            continue
        parent = table.parent
        if isinstance(parent, nodes.container) and "table-wrapper" in parent["classes"]:
            continue
        wrapper = nodes.container(classes=list(TABLE_WRAPPER_CLASSES))
        parent.replace(table, wrapper)
        wrapper += table


def setup_site(app: Sphinx) -> None:
    """Register the theme, its stylesheets, the masthead's context and the table boxes."""
    app.add_html_theme(THEME_NAME, str(THEME_DIR))
    app.add_css_file(SITE_STYLESHEET)
    app.add_css_file(PRINT_STYLESHEET, media="print")
    app.connect("html-page-context", add_site_context)
    app.connect("write-started", copy_emblem)
    # after the generated tables are filled in (fill_generated_content, priority 500)
    app.connect("doctree-resolved", wrap_generated_tables, priority=800)
