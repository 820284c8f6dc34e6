"""Time the traceability engine rule by rule on a generated corpus held in memory.

    python benchmarks/engine_rules.py --dwcps 10000 [--repeat 5]

``run.py --engine-only`` times the engine as a whole; this says where its time goes: the
graph index, each rule of ``schema.RULES`` and the coverage figures, each the minimum of
``--repeat`` runs (the minimum, because on a shared machine noise only ever adds time).
Rules share memo tables (``Reach``), so the first rule to need one pays for it. Not part
of the tests.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import in_memory
from rbmdocs.graph.coverage import compute_coverage
from rbmdocs.graph.index import NeedGraph
from rbmdocs.graph.rules import RULE_FUNCTIONS, Reach
from rbmdocs.schema import RULES


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dwcps", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    records, context = in_memory(args.dwcps)
    seconds: dict[str, list[float]] = defaultdict(list)
    gc.disable()  # as check_needs does
    for _ in range(args.repeat):
        started = time.perf_counter()
        graph = NeedGraph(records)
        seconds["graph index"].append(time.perf_counter() - started)
        reach = Reach(graph)
        for rule in RULES:
            started = time.perf_counter()
            for _hit in RULE_FUNCTIONS[rule.kind](graph, rule, context, reach):
                pass
            seconds[rule.rule_id].append(time.perf_counter() - started)
        started = time.perf_counter()
        compute_coverage(graph, context, reach)
        seconds["coverage"].append(time.perf_counter() - started)
    best = sorted(((min(runs), name) for name, runs in seconds.items()), reverse=True)
    print(f"{len(records):,} needs, minimum of {args.repeat} runs\n")
    print("| part | s |\n|---|---|")
    for value, name in best:
        print(f"| {name} | {value:.3f} |")
    print(f"| all | {sum(value for value, _ in best):.3f} |")


if __name__ == "__main__":
    main()
