"""One stamp of the installed extension, for outputs a build keeps when nothing changed.

The DWCP pages (``dwcp_pages.py``) and the PDFs (``pdf_inputs.py``) are both skipped when
what they show is unchanged; what they show also depends on our code, its templates and
its static files, so both hold this stamp. One function, so that neither misses a folder
the other covers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import rbmdocs

_PACKAGE = Path(rbmdocs.__file__).resolve().parent


def extension_stamp() -> str:
    """A digest of the version and of every file of the package (name, size, time)."""
    parts = [rbmdocs.__version__]
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            status = path.stat()
            parts.append(f"{path.relative_to(_PACKAGE)} {status.st_size} {status.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()
