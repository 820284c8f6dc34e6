"""The one exception for input that cannot be read at all (SPEC §5: exit 2)."""

from __future__ import annotations


class BadInputError(Exception):
    """Input that stops the data being read: bad YAML, an unknown key, a wrong structure.

    Content problems (a missing field, a bad link) are findings, not this: they are
    reported by the traceability engine with the rest. This error carries what the CLI
    needs to print one clear line: ``file:line: message`` and what to do.
    """

    def __init__(self, file: str, line: int | None, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message
        self.hint = hint

    def location(self) -> str:
        """``file:line``, or the file alone when no line is known."""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text
