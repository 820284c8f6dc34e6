"""Index: every need of the project read without a Sphinx application, cached per file.

The commands that only need the needs (``check``, ``trace``, ``diff``, ``export iati``)
and the language server read the project here: the Markdown need directives through
myst-parser's own Markdown parser and directive option parsing, the DWCP YAML through
``load/``, into the records the build makes. What the index cannot read exactly as
Sphinx does, it names (``FileIndex.fallback``) so that the caller reads that document
through Sphinx instead. Sphinx and sphinx-needs are never imported here.
"""

from __future__ import annotations

from rbmdocs.index.files import FileIndex
from rbmdocs.index.project import (
    Catalogues,
    IndexedProject,
    assemble,
    index_project,
    is_document,
    project_files,
    read_file,
)
from rbmdocs.index.settings import IndexSettings, settings_from_config

__all__ = [
    "Catalogues",
    "FileIndex",
    "IndexSettings",
    "IndexedProject",
    "assemble",
    "index_project",
    "is_document",
    "project_files",
    "read_file",
    "settings_from_config",
]
