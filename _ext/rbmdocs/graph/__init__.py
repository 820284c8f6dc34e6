"""Graph: the Sphinx-free traceability engine (indexes, rules, coverage, trace)."""

from __future__ import annotations

from rbmdocs.graph.coverage import Coverage
from rbmdocs.graph.engine import CheckResult, check_needs
from rbmdocs.graph.index import NeedGraph
from rbmdocs.graph.model import CheckContext, Finding, NeedRecord, NeedReference
from rbmdocs.graph.suggest import closest_ids

__all__ = [
    "CheckContext",
    "CheckResult",
    "Coverage",
    "Finding",
    "NeedGraph",
    "NeedRecord",
    "NeedReference",
    "check_needs",
    "closest_ids",
]
