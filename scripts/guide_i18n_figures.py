"""Regenerate the figures of docs/translating.md from the sample, never by hand.

The guide shows what ``rbmdocs i18n status`` prints for the sample, and what ``update``
and ``status`` print after a real change (a paragraph of spf/employment.md and the title
of CPO_KEN_101). This script runs those commands on a copy of the sample and writes their
output between the ``% begin generated: NAME`` and ``% end generated: NAME`` lines of the
guide. ``--check`` writes nothing and exits 1 when the guide is out of date (the test
suite runs it so).

    .venv/bin/python scripts/guide_i18n_figures.py [--check]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "translating.md"

#: The change the guide walks through (the round-trip test makes the same one).
OLD_PARAGRAPH = (
    "The first strategic objective concerns the quantity and quality of jobs: employment "
    "policy, skills and the enterprises that create work."
)
NEW_PARAGRAPH = OLD_PARAGRAPH.replace("create work", "create decent work")
OLD_CPO = "Apprenticeships in construction give young people in Kenya the skills employers ask for"
NEW_CPO = OLD_CPO.replace("in construction", "in construction and tourism")


def _run(project: Path, *arguments: str, expect: int | None = None) -> str:
    """What ``rbmdocs`` prints, run in the project folder as a translator would.

    With ``expect``, the run must end with that exit code and its errors are returned.
    """
    command = [sys.executable, "-m", "rbmdocs", *arguments, "--source", "."]
    done = subprocess.run(
        command, cwd=project, capture_output=True, text=True, check=False, env=os.environ.copy()
    )
    if expect is not None:
        if done.returncode != expect:
            raise SystemExit(f"{' '.join(arguments)} exited {done.returncode}:\n{done.stderr}")
        return done.stderr
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(arguments)} failed:\n{done.stderr}")
    return done.stdout


def _replace_in(path: Path, old: str, new: str) -> str:
    """Replace ``old`` (which must be there) in ``path``; return the text as it was."""
    text = path.read_text("utf-8")
    if old not in text:
        raise SystemExit(f"{old!r} is not in {path}")
    path.write_text(text.replace(old, new, 1), "utf-8")
    return text


def _copy_sample(target: Path) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import copy_sample  # the suite's own copy of the sample, one definition

    copied: Path = copy_sample(target)
    return copied


def figures() -> dict[str, str]:
    """Each generated block of the guide, by name."""
    with tempfile.TemporaryDirectory(prefix="rbmdocs-guide-") as folder:
        project = _copy_sample(Path(folder) / "sample")
        status_before = _run(project, "i18n", "status")
        employment = project / "spf/employment.md"
        employment.write_text(
            employment.read_text("utf-8").replace(OLD_PARAGRAPH, NEW_PARAGRAPH), "utf-8"
        )
        kenya = project / "data/dwcp/KEN.yaml"
        kenya.write_text(kenya.read_text("utf-8").replace(OLD_CPO, NEW_CPO), "utf-8")
        update = _run(project, "i18n", "update")
        status_after = _run(project, "i18n", "status")
        entry = _fuzzy_entry(project / "locales/zh_CN/LC_MESSAGES/data.po", NEW_CPO)
        # a translator's slips: a placeholder renamed, then "a result" rendered as an outcome
        labels = project / "locales/zh_CN/LC_MESSAGES/rbmdocs.po"
        kept = _replace_in(labels, 'msgstr "{need}的追溯图"', 'msgstr "{needs}的追溯图"')
        broken = _run(project, "i18n", "status", expect=2)
        labels.write_text(kept, "utf-8")
        spf = project / "locales/zh_CN/LC_MESSAGES/spf.po"
        _replace_in(spf, "即计为一项结果", "即计为一项成果")
        glossary = "".join(
            line + "\n" for line in _run(project, "i18n", "status").splitlines() if "RBM070" in line
        )
    return {
        "i18n-status": status_before,
        "i18n-update": update,
        "i18n-status-after": status_after,
        "fuzzy-entry": entry,
        "broken-catalogue": broken,
        "glossary-finding": glossary,
    }


def _fuzzy_entry(path: Path, msgid: str) -> str:
    """The catalogue entry of ``msgid`` as the translator sees it after ``update``."""
    for block in path.read_text("utf-8").split("\n\n"):
        if f'msgid "{msgid}"' in block:
            return block.strip() + "\n"
    raise SystemExit(f"{msgid!r} is not in {path}")


def replace_blocks(text: str, blocks: dict[str, str]) -> str:
    """``text`` with the fenced block under each ``% begin generated: NAME`` replaced."""
    for name, body in blocks.items():
        pattern = re.compile(
            rf"(% begin generated: {re.escape(name)}\n```\w*\n)(.*?)(```\n% end generated: "
            rf"{re.escape(name)}\n)",
            re.S,
        )
        if not pattern.search(text):
            raise SystemExit(f"{GUIDE.name} has no block 'generated: {name}'")
        match = pattern.search(text)
        assert match is not None
        start, end = match.span(2)
        text = text[:start] + body.rstrip("\n") + "\n" + text[end:]
    return text


def main() -> int:
    """Write the figures into the guide, or with ``--check`` say whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the guide is stale")
    args = parser.parse_args()
    current = GUIDE.read_text("utf-8")
    wanted = replace_blocks(current, figures())
    if args.check:
        if wanted != current:
            sys.stderr.write(f"{GUIDE}: the figures differ from the sample; run {__file__}\n")
            return 1
        return 0
    if wanted != current:
        GUIDE.write_text(wanted, "utf-8")
        sys.stdout.write(f"updated {GUIDE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
