"""Files written whole or not at all: a temporary file beside the target, renamed into place.

A build keeps caches and records for the next one beside its doctrees and outputs. A
process stopped half-way (Ctrl-C, a full disk, a crash) must never leave a half-written
file that the next build would take for whole, nor a stray temporary file. The rename is
atomic on one file system, and the temporary file is named after the process, so two
builds writing the same file never write into each other's.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_whole(path: Path, data: bytes | str) -> None:
    """``data`` (text as UTF-8) to ``path``, whole or not at all; OSError when it cannot be."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            temporary.write_text(data, "utf-8")
        else:
            temporary.write_bytes(data)
        temporary.replace(path)
    except BaseException:  # an error or an interruption: no temporary file left behind
        temporary.unlink(missing_ok=True)
        raise


def keep_for_next_build(path: Path, data: bytes | str) -> None:
    """A cache for the next build, written whole; one that cannot be written is no error.

    The next build then finds no cache (or the last whole one, whose stamp no longer
    matches) and makes its content again.
    """
    with contextlib.suppress(OSError):
        write_whole(path, data)
