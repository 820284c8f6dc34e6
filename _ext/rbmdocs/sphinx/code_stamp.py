"""Stamps of the installed extension, for outputs a build keeps when nothing changed.

The DWCP pages (``dwcp_pages.py``), the pages with generated tables (``table_inputs.py``)
and the PDFs (``pdf_inputs.py``) are skipped when what they show is unchanged; what they
show also depends on our code, its templates and its static files, so all hold
``extension_stamp``, and the pages ``site_stamp`` (the settings and labels too). One
place, so that none misses a folder another covers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import rbmdocs

if TYPE_CHECKING:  # the catalogue check before a build (no Sphinx) reads extension_stamp
    from sphinx.application import Sphinx

_PACKAGE = Path(rbmdocs.__file__).resolve().parent


def extension_stamp() -> str:
    """A digest of the version and of every file of the package (name, size, time)."""
    parts = [rbmdocs.__version__]
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            status = path.stat()
            parts.append(f"{path.relative_to(_PACKAGE)} {status.st_size} {status.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


def site_stamp(app: Sphinx) -> list[object]:
    """What every page depends on besides its data: settings, templates, our code, labels.

    The project's compiled catalogues are in it: a translator's new label (``rbmdocs.po``)
    changes the pages that show it without changing a document or a DWCP file.
    """
    builder = app.builder
    stamp: list[object] = [extension_stamp(), app.config.language]
    build_info = getattr(builder, "build_info", None)
    stamp.append((getattr(build_info, "config_hash", ""), getattr(build_info, "tags_hash", "")))
    templates = getattr(builder, "templates", None)
    newest = getattr(templates, "newest_template_mtime", None)
    try:
        stamp.append(newest() if callable(newest) else 0)
    except ValueError:  # a builder without template files (gettext) has no newest one
        stamp.append(0)
    language = app.config.language or "en"
    for locale_dir in app.config.locale_dirs:
        messages = Path(app.srcdir) / locale_dir / language / "LC_MESSAGES"
        if messages.is_dir():
            for path in sorted(messages.glob("*.mo")):
                status = path.stat()
                stamp.append((path.name, status.st_mtime_ns, status.st_size))
    return stamp
