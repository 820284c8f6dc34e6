"""Timers around the steps of one build, for the ``*_causes.py`` measurement scripts.

A timer replaces a module's or class's attribute for the length of one measurement (a
build never does this) and adds the CPU seconds of this process spent in it
(``time.process_time``) to its label. A call within a call of the same timer is counted
once; a generator (Sphinx's ``check_dependents``, an ``html-collect-pages`` listener) is
timed as it is read, its caller's work in between not. Not part of the tests.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Iterator
from typing import Any

#: Label → CPU seconds spent in it so far.
SECONDS: dict[str, float] = {}


def timed(original: Callable[..., Any], label: str) -> Callable[..., Any]:
    """``original``, adding the CPU seconds of each call to ``SECONDS[label]``."""
    running = [0]

    def counted(started: float) -> None:
        SECONDS[label] = SECONDS.get(label, 0.0) + time.process_time() - started

    def drained(generator: Iterator[Any]) -> Iterator[Any]:
        while True:
            started = time.process_time()
            try:
                item = next(generator)
            except StopIteration:
                counted(started)
                return
            counted(started)
            yield item

    @functools.wraps(original)
    def timer(*args: Any, **kwargs: Any) -> Any:
        if running[0]:
            return original(*args, **kwargs)
        running[0] += 1
        started = time.process_time()
        try:
            result = original(*args, **kwargs)
        finally:
            counted(started)
            running[0] -= 1
        return drained(result) if inspect.isgenerator(result) else result

    return timer


def time_attribute(owner: Any, name: str, label: str) -> None:
    """Replace ``owner.name`` with its timed self."""
    setattr(owner, name, timed(getattr(owner, name), label))


def run_and_report(arguments: list[str], labels: list[str] | None, started: float) -> int:
    """Run one ``rbmdocs`` command in this process, then print the seconds of each label.

    ``labels`` in that order, or None: every label timed, in the order first met.
    """
    from rbmdocs.cli import main as rbmdocs_main

    code = rbmdocs_main(arguments)
    print(f"{time.process_time() - started:7.2f}  the whole command (CPU s of this process)")
    for label in list(SECONDS) if labels is None else labels:
        print(f"{SECONDS.get(label, 0.0):7.2f}  {label}")
    return code
