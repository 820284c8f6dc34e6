"""Colour codes only for a person at a terminal: never in a log file, a pipe or with NO_COLOR.

sphinx-autobuild colours its own lines whatever it writes to (``serve > serve.log`` filled
the log with ``ESC[32m``), and the web server it runs decides by itself. While such a tool
runs, what it prints goes through a stream that drops the codes, unless the output is a
terminal and the user has not set NO_COLOR (https://no-color.org: present and not empty).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, redirect_stderr, redirect_stdout
from typing import IO

#: Control sequences of a terminal: colours and styles (``ESC[1;32m``), cursor moves.
ANSI_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def colour_wanted(stream: IO[str]) -> bool:
    """Whether ``stream`` may carry colour: a terminal, and NO_COLOR not set."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or the stream is closed
        return False


class PlainStream:
    """A text stream that writes through to another one, without terminal control codes."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` less its control codes; return its length as given (as io does)."""
        self._stream.write(ANSI_SEQUENCE.sub("", text))
        return len(text)

    def flush(self) -> None:
        """Flush the stream written to."""
        self._stream.flush()

    def isatty(self) -> bool:
        """False: a tool that asks then leaves the colour out by itself."""
        return False

    def fileno(self) -> int:
        """The descriptor of the stream written to (for tools that ask for one)."""
        return self._stream.fileno()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


@contextmanager
def plain_unless_terminal() -> Iterator[None]:
    """Within the block, stdout and stderr lose colour codes unless colour is wanted."""
    plain_out = not colour_wanted(sys.stdout)
    plain_err = not colour_wanted(sys.stderr)
    with (
        redirect_stdout(PlainStream(sys.stdout)) if plain_out else nullcontext(),
        redirect_stderr(PlainStream(sys.stderr)) if plain_err else nullcontext(),
    ):
        yield
