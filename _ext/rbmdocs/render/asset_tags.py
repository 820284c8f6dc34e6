"""Write each stylesheet and script tag once per folder of pages, not once per page.

Sphinx writes ``<link href="_static/x.css?v=1a2b3c4d">`` for every stylesheet and script of
every page, and for each it resolves the asset's absolute path on disk (``Path.resolve``,
one ``lstat`` per folder of the path) to find its checksum. With the twenty-odd assets
sphinx-needs and the theme bring, at 21,244 needs (2,014 pages) that was 44,308
resolutions and 9 s of a 221 s build under cProfile (``_file_checksum``).

A tag depends only on the asset, the builder and the folder of the page (its links are
relative), so the tags Sphinx's own ``css_tag`` and ``js_tag`` write are kept and reused
for every page of the same folder. Sphinx still writes every tag itself the first time.
"""

from __future__ import annotations

import posixpath
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder

#: Tags already written, per builder: (context key, page folder, asset) → HTML.
_written: weakref.WeakKeyDictionary[Builder, dict[tuple[str, str, Hashable], str]] = (
    weakref.WeakKeyDictionary()
)


def _reusing(
    write_tag: Callable[[Any], str],
    written: dict[tuple[str, str, Hashable], str],
    key: str,
    folder: str,
) -> Callable[[Any], str]:
    """``write_tag`` that answers from ``written`` when the same tag was written before."""

    def tag(asset: Any) -> str:
        try:
            return written[key, folder, asset]
        except KeyError:
            html = written[key, folder, asset] = write_tag(asset)
            return html
        except TypeError:  # an asset that cannot be a key: written afresh
            return write_tag(asset)

    return tag


def reuse_asset_tags(
    app: Sphinx, pagename: str, _template: str, context: dict[str, Any], _doctree: Any
) -> None:
    """``html-page-context``: the page's ``css_tag`` and ``js_tag`` reuse earlier pages' tags."""
    written = _written.setdefault(app.builder, {})
    folder = posixpath.dirname(app.builder.get_target_uri(pagename).rsplit("#", 1)[0])
    for key in ("css_tag", "js_tag"):
        write_tag = context.get(key)
        if callable(write_tag):
            context[key] = _reusing(write_tag, written, key, folder)


def setup_asset_tags(app: Sphinx) -> None:
    """Connect after every other handler, so that the tags wrapped are Sphinx's last word."""
    app.connect("html-page-context", reuse_asset_tags, priority=990)
