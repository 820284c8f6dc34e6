"""``python -m rbmdocs``: the same command as ``rbmdocs``."""

from rbmdocs.cli import console_main

console_main()
