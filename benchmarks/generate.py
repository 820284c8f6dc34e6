"""Write a programme-cycle corpus of any size, for rbmdocs and for plain sphinx-needs.

One model is rendered three ways: as an rbmdocs project (Markdown and DWCP YAML), as a
plain sphinx-needs project with the same needs and links (DWCPs as Markdown pages, since
plain sphinx-needs cannot read YAML), and as in-memory NeedRecords for timing the engine
alone. Everything is seeded, so a size always gives the same corpus.

    python benchmarks/generate.py --dwcps 1000 --out benchmarks/_corpus/d1000
    python benchmarks/generate.py --dwcps 1000 --out benchmarks/_corpus/d1000-plain --plain
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rbmdocs.graph.model import CheckContext, NeedRecord
from rbmdocs.schema import DWCP_STATUSES, NEED_TYPES, REGIONS, all_field_names, all_link_specs

NEEDS_PER_FILE = 200
BIENNIUM = "2010-11"
#: The corpus's countries are made up (D00001, ...): RBM061, which wants a real ISO 3166 code
#: for each DWCP file, is off; every other rule runs.
CONTEXT = CheckContext(spf_period="2010-2015", bienniums=(BIENNIUM,), severity={"RBM061": "off"})


@dataclass
class Need:
    """One need of the model, before it is written in any format."""

    id: str
    type: str
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Dwcp:
    """A programme with its priorities, each with its CPOs."""

    need: Need
    priorities: list[tuple[Need, list[Need]]]


@dataclass
class Model:
    """The whole corpus: results-framework pages and DWCPs, plus the defects planted."""

    pages: dict[str, list[Need]]
    dwcps: list[Dwcp]
    defects: list[dict[str, str]] = field(default_factory=list)


def build_model(dwcps: int, seed: int = 1, defects: float = 0.0) -> Model:
    """A clean framework of the SPEC's shape scaled by the number of DWCPs, then defects."""
    rng = random.Random(seed)
    outcomes = max(19, dwcps // 10)
    intermediates = max(4, outcomes // 5)
    framework: list[Need] = [
        Need(f"SO_{n}", "strategic-objective", f"Strategic objective {n}") for n in range(1, 5)
    ]
    framework += [
        Need(
            f"IMO_{n}",
            "intermediate-outcome",
            f"Intermediate outcome {n}",
            links={"contributes_to": [f"SO_{n % 4 + 1}"]},
        )
        for n in range(1, intermediates + 1)
    ]
    budget: list[Need] = []
    for n in range(1, outcomes + 1):
        framework.append(
            Need(
                f"IO_{n}",
                "immediate-outcome",
                f"Member States make progress on theme {n}",
                fields={"scope": "country"},
                links={"contributes_to": [f"IMO_{n % intermediates + 1}"]},
            )
        )
        budget.append(
            Need(
                f"STR_{n}",
                "outcome-strategy",
                f"Strategy for outcome {n}",
                fields={
                    "biennium": BIENNIUM,
                    "regular_budget": str(rng.randrange(10**6, 10**8)),
                    "extra_budgetary": str(rng.randrange(0, 10**8)),
                    "rbsa": str(rng.randrange(0, 10**6)),
                },
                links={"implements": [f"IO_{n}"]},
            )
        )
        for k in (1, 2):
            framework.append(
                Need(
                    f"IND_{n}_{k}",
                    "indicator",
                    f"Number of member States on measure {n}.{k}",
                    fields={
                        "unit": "member States",
                        "baseline": str(rng.randrange(1, 30)),
                        "measurement": "at least two criteria",
                    },
                    links={"measures": [f"IO_{n}"]},
                )
            )
            budget.append(
                Need(
                    f"TGT_{n}_{k}",
                    "target",
                    f"Target {n}.{k}",
                    fields={"biennium": BIENNIUM, "value": f"{rng.randrange(5, 40)} member States"},
                    links={"sets_target_for": [f"IND_{n}_{k}"]},
                )
            )
    pages = {}
    for kind, needs in (("spf", framework), ("programme_budget", budget)):
        for start in range(0, len(needs), NEEDS_PER_FILE):
            pages[f"{kind}/part{start // NEEDS_PER_FILE + 1:03d}.md"] = needs[
                start : start + NEEDS_PER_FILE
            ]
    programmes = []
    for d in range(1, dwcps + 1):
        code = f"D{d:05d}"
        dwcp = Need(
            f"DWCP_{code}",
            "dwcp",
            f"Country {code}",
            fields={
                "country": f"Country {code}",
                "region": REGIONS[d % len(REGIONS)],
                "status": DWCP_STATUSES[d % len(DWCP_STATUSES)],
                "period": "2010-2015",
            },
        )
        priorities = []
        for p in range(1, 4):
            priority = Need(
                f"PRI_{code}_{p}",
                "dwcp-priority",
                f"Priority {p} of {code}",
                links={"part_of": [dwcp.id]},
            )
            cpos = [
                Need(
                    f"CPO_{code}_{p}{c:02d}",
                    "cpo",
                    f"Outcome {p}.{c} of {code}",
                    fields={"biennium": BIENNIUM},
                    links={
                        "realises": [priority.id],
                        "contributes_to": [f"IO_{rng.randrange(1, outcomes + 1)}"],
                    },
                )
                for c in (1, 2)
            ]
            priorities.append((priority, cpos))
        programmes.append(Dwcp(dwcp, priorities))
    # every outcome gets country support, so a clean corpus checks clean
    for n in range(1, outcomes + 1):
        supported = programmes[(n - 1) % dwcps].priorities[0][1][0].links["contributes_to"]
        if f"IO_{n}" not in supported:
            supported.append(f"IO_{n}")
    model = Model(pages, programmes)
    if defects:
        _plant_defects(model, rng, defects)
    return model


def _plant_defects(model: Model, rng: random.Random, share: float) -> None:
    """Plant about ``share`` of the needs as defects, cycling through the kinds of SPEC §4."""
    total = count_needs(model)
    cpos = [cpo for dwcp in model.dwcps for _, cpos in dwcp.priorities for cpo in cpos]
    framework = [need for needs in model.pages.values() for need in needs]
    by_type: dict[str, list[Need]] = {}
    for need in framework:
        by_type.setdefault(need.type, []).append(need)
    used: set[str] = set()

    def pick(needs: list[Need]) -> Need:
        for _ in range(1000):
            need = rng.choice(needs)
            if need.id not in used:
                used.add(need.id)
                return need
        raise RuntimeError("corpus too small for that many defects")

    kinds = [
        "RBM010",
        "RBM011",
        "RBM002",
        "RBM003",
        "RBM020",
        "RBM023",
        "RBM025",
        "RBM004",
        "RBM013",
    ]
    for number in range(max(len(kinds), int(total * share))):
        kind = kinds[number % len(kinds)]
        if kind == "RBM010":
            cpo = pick(cpos)
            cpo.links["contributes_to"] = ["IO_999999"]
            model.defects.append({"rule": "RBM010", "need": cpo.id})
        elif kind == "RBM011":
            indicator = pick(by_type["indicator"])
            indicator.links["measures"] = [by_type["intermediate-outcome"][0].id]
            model.defects.append({"rule": "RBM011", "need": indicator.id})
        elif kind == "RBM002":
            indicator = pick(by_type["indicator"])
            indicator.fields.pop("unit", None)
            model.defects.append({"rule": "RBM002", "need": indicator.id})
        elif kind == "RBM003":
            target = pick(by_type["target"])
            target.fields["biennium"] = "2010-12"
            model.defects.append({"rule": "RBM003", "need": target.id})
        elif kind == "RBM020":
            dwcp = rng.choice(model.dwcps)
            priority, its_cpos = dwcp.priorities[-1]
            if priority.id in used:
                continue
            used.add(priority.id)
            for cpo in its_cpos:
                used.add(cpo.id)
                cpo.links["contributes_to"] = ["IO_404404"]
            model.defects.append({"rule": "RBM020", "need": priority.id})
        elif kind == "RBM023":
            target = pick(by_type["target"])
            target.links["sets_target_for"] = []
            model.defects.append({"rule": "RBM023", "need": target.id.replace("TGT_", "IND_", 1)})
        elif kind == "RBM025":
            cpo = pick(cpos)
            cpo.fields["biennium"] = "2012-13"
            model.defects.append({"rule": "RBM025", "need": cpo.id})
        elif kind == "RBM004":
            duplicate = pick(cpos)
            host = rng.choice(model.dwcps)
            host.priorities[0][1].append(
                Need(
                    duplicate.id,
                    "cpo",
                    "A second outcome with a taken ID",
                    fields={"biennium": BIENNIUM},
                    links={"realises": [host.priorities[0][0].id], "contributes_to": ["IO_1"]},
                )
            )
            model.defects.append({"rule": "RBM004", "need": duplicate.id})
        elif kind == "RBM013":
            if any(defect["rule"] == "RBM013" for defect in model.defects):
                continue  # one cycle is enough, and intermediate outcomes are few
            first, second = (
                pick(by_type["intermediate-outcome"]),
                pick(by_type["intermediate-outcome"]),
            )
            first.links["contributes_to"] = [second.id]
            second.links["contributes_to"] = [first.id]
            model.defects.append({"rule": "RBM013", "need": min(first.id, second.id)})


def count_needs(model: Model) -> int:
    """Needs in the model, every declaration counted."""
    framework = sum(len(needs) for needs in model.pages.values())
    return framework + sum(
        1 + len(p) + sum(len(c) for _, c in p) for p in (d.priorities for d in model.dwcps)
    )


def _markdown_need(
    need: Need,
    lines: list[str],
    file: str,
    records: list[NeedRecord] | None,
    written_links: set[str] | None = None,
) -> None:
    start = len(lines) + 1
    lines.append(f":::{{{need.type}}} {need.title}")
    lines.append(f":id: {need.id}")
    for name, value in need.fields.items():
        if name != "country" or need.type == "dwcp":
            lines.append(f":{name}: {value}")
    for name, targets in need.links.items():
        if targets and (written_links is None or name in written_links):
            lines.append(f":{name}: {', '.join(targets)}")
    lines += ["", f"Text of {need.id}.", ":::", ""]
    if records is not None:
        records.append(
            NeedRecord(
                need.id,
                need.type,
                file,
                start,
                need.title,
                dict(need.fields),
                {k: list(v) for k, v in need.links.items()},
            )
        )


def _yaml_dwcp(dwcp: Dwcp, file: str, records: list[NeedRecord] | None) -> str:
    need = dwcp.need
    lines = [
        f"id: {need.id}",
        f"country: {{en: {need.title}, zh_CN: 国家{need.id[-5:]}}}",
        f"region: {need.fields['region']}",
        f"status: {need.fields['status']}",
        f"period: {need.fields['period']}",
        "priorities:",
    ]
    if records is not None:
        records.append(NeedRecord(need.id, "dwcp", file, 1, need.title, dict(need.fields), {}))
    for priority, cpos in dwcp.priorities:
        line = len(lines) + 1
        lines += [
            f"  - id: {priority.id}",
            f"    title: {{en: {priority.title}, zh_CN: 优先事项}}",
            "    outcomes:",
        ]
        if records is not None:
            records.append(
                NeedRecord(
                    priority.id,
                    "dwcp-priority",
                    file,
                    line,
                    priority.title,
                    {},
                    {"part_of": [need.id]},
                )
            )
        for cpo in cpos:
            line = len(lines) + 1
            lines += [f"      - id: {cpo.id}", f"        title: {{en: {cpo.title}, zh_CN: 成果}}"]
            if "biennium" in cpo.fields:
                lines.append(f"        biennium: {cpo.fields['biennium']}")
            lines.append(f"        contributes_to: [{', '.join(cpo.links['contributes_to'])}]")
            if records is not None:
                records.append(
                    NeedRecord(
                        cpo.id,
                        "cpo",
                        file,
                        line,
                        cpo.title,
                        dict(cpo.fields),
                        {k: list(v) for k, v in cpo.links.items()},
                    )
                )
    return "\n".join(lines) + "\n"


def render_rbmdocs(model: Model) -> tuple[dict[str, str], list[NeedRecord]]:
    """The rbmdocs project's files and the records the engine would get from them."""
    files: dict[str, str] = {}
    records: list[NeedRecord] = []
    for path, needs in model.pages.items():
        lines = [f"# {path}", ""]
        for need in needs:
            _markdown_need(need, lines, path, records)
        files[path] = "\n".join(lines)
    for dwcp in model.dwcps:
        path = f"data/dwcp/{dwcp.need.id.removeprefix('DWCP_')}.yaml"
        files[path] = _yaml_dwcp(dwcp, path, records)
    return files, records


def render_plain(model: Model, *, orphan_dwcps: bool = False) -> dict[str, str]:
    """The same needs for plain sphinx-needs: DWCPs become Markdown pages.

    With ``orphan_dwcps`` each DWCP page says ``orphan: true``, as a plain sphinx-needs
    project would do to keep thousands of pages out of the theme's sidebar.
    """
    files: dict[str, str] = {}
    for path, needs in model.pages.items():
        lines = [f"# {path}", ""]
        for need in needs:
            _markdown_need(need, lines, path, None)
        files[path] = "\n".join(lines)
    for dwcp in model.dwcps:
        code = dwcp.need.id.removeprefix("DWCP_")
        path = f"dwcp/{code}.md"
        lines = ["---", "orphan: true", "---", ""] if orphan_dwcps else []
        lines += [f"# {dwcp.need.title}", ""]
        _markdown_need(dwcp.need, lines, path, None)
        for priority, cpos in dwcp.priorities:
            lines += [f"## {priority.title}", ""]
            _markdown_need(priority, lines, path, None)
            for cpo in cpos:
                _markdown_need(cpo, lines, path, None)
        files[path] = "\n".join(lines)
    return files


def in_memory(
    dwcps: int, seed: int = 1, defects: float = 0.0
) -> tuple[list[NeedRecord], CheckContext]:
    """The corpus as engine input, with no files: for timing the engine alone."""
    return render_rbmdocs(build_model(dwcps, seed, defects))[1], CONTEXT


_RBMDOCS_CONF = """extensions = ["rbmdocs"]
project = "Benchmark corpus"
rbmdocs_spf_period = "2010-2015"
rbmdocs_bienniums = ["2010-11"]
rbmdocs_severity = {"RBM061": "off"}  # the corpus's countries are made up
rbmdocs_languages = ["en", "zh_CN"]
html_theme = "alabaster"
exclude_patterns = ["_build", "expected_defects.json"]
"""


def _plain_conf() -> str:
    types = [
        {"directive": spec.directive, "title": spec.title, "prefix": spec.prefix}
        for spec in NEED_TYPES
    ]
    fields = {name: {"nullable": True} for name in all_field_names() if name != "status"}
    links = {
        name: {
            "outgoing": name.replace("_", " "),
            "incoming": f"{name.replace('_', ' ')} (in)",
            "allow_dead_links": True,
        }
        for name in all_link_specs()
    }
    return (
        'extensions = ["myst_parser", "sphinx_needs"]\n'
        'project = "Benchmark corpus (plain sphinx-needs)"\n'
        'myst_enable_extensions = ["colon_fence"]\n'
        f"needs_types = {types!r}\n"
        f"needs_fields = {fields!r}\n"
        f"needs_links = {links!r}\n"
        'needs_id_regex = "^[A-Z][A-Z0-9_]*"\n'
        'html_theme = "alabaster"\n'
        'exclude_patterns = ["_build"]\n'
    )


#: Above this many programmes the DWCP pages leave the table of contents, in both corpora:
#: rbmdocs' default ``rbmdocs_dwcp_toctree_limit``, so that the comparison is fair.
TOCTREE_LIMIT = 300


def write_corpus(
    out: Path,
    dwcps: int,
    *,
    plain: bool = False,
    plain_full_toctree: bool = False,
    seed: int = 1,
    defects: float = 0.0,
) -> dict[str, int]:
    """Write the project to ``out`` (replacing it); return its counts of needs and links.

    The plain corpus follows rbmdocs' rule for the table of contents (every DWCP page in it
    up to ``TOCTREE_LIMIT`` programmes, none above, reached through links from the DWCP
    index), unless ``plain_full_toctree`` keeps every page in it: the naive project, whose
    sidebar makes the build grow with the square of the pages.
    """
    model = build_model(dwcps, seed, defects)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rbmdocs_files, records = render_rbmdocs(model)
    unlisted = plain and not plain_full_toctree and dwcps > TOCTREE_LIMIT
    files = render_plain(model, orphan_dwcps=unlisted) if plain else rbmdocs_files
    toc = ["spf/index", "programme_budget/index"]
    for kind in ("spf", "programme_budget"):
        entries = sorted(path[len(kind) + 1 : -3] for path in files if path.startswith(f"{kind}/"))
        files[f"{kind}/index.md"] = (
            f"# {kind}\n\n```{{toctree}}\n:maxdepth: 1\n\n" + "\n".join(entries) + "\n```\n"
        )
    if plain:
        codes = sorted(path[5:-3] for path in files if path.startswith("dwcp/"))
        if unlisted:
            files["dwcp/index.md"] = "# DWCPs\n\n" + "".join(f"- {{doc}}`{c}`\n" for c in codes)
        else:
            files["dwcp/index.md"] = (
                "# DWCPs\n\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(codes) + "\n```\n"
            )
        toc.append("dwcp/index")
        files["conf.py"] = _plain_conf()
    else:
        files["dwcps.md"] = "# DWCPs\n\n:::{dwcp-status-table}\n:::\n\n:::{dwcp-index}\n:::\n"
        files["traceability.md"] = "# Traceability\n\n:::{traceability-report}\n:::\n"
        toc += ["dwcps", "traceability"]
        files["conf.py"] = _RBMDOCS_CONF
        (out / "expected_defects.json").write_text(json.dumps(model.defects, indent=1))
    files["index.md"] = "# Benchmark corpus\n\n```{toctree}\n\n" + "\n".join(toc) + "\n```\n"
    for path, text in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return {
        "needs": len({record.id for record in records}),
        "links": sum(len(targets) for record in records for targets in record.links.values()),
    }


def main() -> None:
    """Command line: write one corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dwcps", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--plain", action="store_true", help="for plain sphinx-needs")
    parser.add_argument(
        "--plain-full-toctree",
        action="store_true",
        help="plain corpus with every DWCP page in the table of contents, at any size",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--defects", type=float, default=0.0, help="share of needs with a defect")
    args = parser.parse_args()
    counts = write_corpus(
        args.out,
        args.dwcps,
        plain=args.plain,
        plain_full_toctree=args.plain_full_toctree,
        seed=args.seed,
        defects=args.defects,
    )
    print(f"{args.out}: {counts['needs']:,} needs, {counts['links']:,} links")


if __name__ == "__main__":
    main()
