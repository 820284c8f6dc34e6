"""Load: data files into need entries that keep their file and line (no Sphinx here)."""

from __future__ import annotations

from rbmdocs.load.dwcp import (
    DwcpFile,
    DwcpPriority,
    YamlNeed,
    find_dwcp_files,
    forget_read_ahead,
    parse_dwcp_text,
    pick_language,
    read_dwcp_file,
)
from rbmdocs.load.errors import BadInputError

__all__ = [
    "BadInputError",
    "DwcpFile",
    "DwcpPriority",
    "YamlNeed",
    "find_dwcp_files",
    "forget_read_ahead",
    "parse_dwcp_text",
    "pick_language",
    "read_dwcp_file",
]
