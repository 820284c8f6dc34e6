"""Locks between rbmdocs commands run at once in one project (a build, a check, a preview).

Sphinx keeps its incremental state in files (the pickled environment, the doctrees, the
output folder) that two runs must never write together: two builds of one language could
remove each other's files half-way. A command takes the lock of what it is about to share
with an OS file lock (``flock``), which the kernel releases when the process ends, however
it ends, so a crashed command never leaves a lock behind. A command that finds the lock
taken says for whom it waits (the holder writes its pid and command line into the lock
file) and waits: the second command then reads what the first one left, which is what a
command started a moment later would do.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

#: How this process presents itself in a lock file, for a command that waits for it.
_command_line: list[str] = []


def announce_command(arguments: Sequence[str]) -> None:
    """Remember the command line this process runs (``rbmdocs build --lang en``).

    Only what a waiting command prints; nothing else depends on it.
    """
    _command_line[:] = ["rbmdocs", *arguments]


def _holder_text() -> str:
    words = _command_line or [Path(sys.argv[0]).name, *sys.argv[1:]]
    return f"{os.getpid()}\n{shlex.join(words)}\n"


def _describe_holder(descriptor: int) -> str:
    """The holder as it wrote itself down ("pid 1234 (rbmdocs build)"), or a plain phrase."""
    try:
        text = os.pread(descriptor, 4096, 0).decode("utf-8", "replace")
    except OSError:
        text = ""
    pid, _, command = text.partition("\n")
    if not pid.strip().isdigit():
        return "another rbmdocs command"
    command = command.strip()
    return f"pid {pid.strip()} ({command})" if command else f"pid {pid.strip()}"


@contextmanager
def project_lock(lock_file: Path, what: str, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of ``lock_file`` meanwhile; wait for it, saying so, when it is taken.

    ``what`` names the shared thing for the message ("the en cache"). Not reentrant: a
    process must not take the same lock twice (``flock`` would make it wait for itself).
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(
                f"rbmdocs: waiting for {_describe_holder(descriptor)}, which is using "
                f"{what} ({lock_file.name})"
            )
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        holder = _holder_text().encode("utf-8")
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder, 0)
        yield
    finally:
        os.close(descriptor)  # closing the only descriptor releases the lock
