"""Parts of a page's template that are the same for a whole folder of pages, made once.

Two of them cost a build of thousands of pages seconds when made again for each page
(the figures are in benchmarks/README.md).

**Stylesheet and script tags.**

Sphinx writes ``<link href="_static/x.css?v=1a2b3c4d">`` for every stylesheet and script of
every page, and for each it resolves the asset's absolute path on disk (``Path.resolve``,
one ``lstat`` per folder of the path) to find its checksum: the twenty-odd assets
sphinx-needs and the theme bring, times every page (``_file_checksum`` under cProfile).

A tag depends only on the asset, the builder and the folder of the page (its links are
relative), so the tags Sphinx's own ``css_tag`` and ``js_tag`` write are kept and reused
for every page of the same folder. Sphinx still writes every tag itself the first time.

**The sidebar's table of contents** (``toctree()`` in the theme's templates), for a page no
table of contents lists: each DWCP page (``dwcp_pages``, which also hands furo the
navigation tree it makes once per folder).
Sphinx marks in the sidebar the entries that lead to the page (``current``) and makes every
link relative to the page; a page that no entry leads to has nothing to mark, so its
sidebar is the same as that of any such page of its folder.
"""

from __future__ import annotations

import posixpath
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder

#: What the wrapped template functions made, per builder:
#: (function, page folder, its arguments) → HTML.
_made: weakref.WeakKeyDictionary[Builder, dict[Hashable, str]] = weakref.WeakKeyDictionary()


def _made_once(
    make: Callable[..., str], made: dict[Hashable, str], name: str, folder: str
) -> Callable[..., str]:
    """``make``, answering from ``made`` when called before with the same arguments."""

    def once(*arguments: Any, **keywords: Any) -> str:
        key = (name, folder, arguments, tuple(sorted(keywords.items())))
        try:
            return made[key]
        except KeyError:
            html = made[key] = make(*arguments, **keywords)
            return html
        except TypeError:  # an argument that cannot be a key: made afresh
            return make(*arguments, **keywords)

    return once


def reuse_asset_tags(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context``: the page's ``css_tag`` and ``js_tag`` reuse earlier pages' tags."""
    made = _made.setdefault(app.builder, {})
    folder = _folder(app, pagename)
    for name in ("css_tag", "js_tag"):
        if callable(context.get(name)):
            context[name] = _made_once(context[name], made, name, folder)


def reuse_sidebar_toctree(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context``: a page no table of contents lists reuses its folder's sidebar."""
    if app.env.files_to_rebuild.get(pagename):
        return  # listed: its own entry is marked in the sidebar
    if callable(context.get("toctree")):
        made = _made.setdefault(app.builder, {})
        context["toctree"] = _made_once(context["toctree"], made, "toctree", _folder(app, pagename))


def _folder(app: Sphinx, pagename: str) -> str:
    """The folder of the page's output, which its relative links start from."""
    return posixpath.dirname(app.builder.get_target_uri(pagename).rsplit("#", 1)[0])


def setup_page_context(app: Sphinx) -> None:
    """Connect after every other handler, so that what is wrapped is Sphinx's last word."""
    app.connect("html-page-context", reuse_asset_tags, priority=990)
    app.connect("html-page-context", reuse_sidebar_toctree, priority=990)
