"""From Sphinx's LaTeX output to PDFs: which to make, the TeX tools, latexmk, one line.

Sphinx writes one ``.tex`` file per entry of ``latex_documents`` (``sphinx/latex.py``
derives them from ``rbmdocs_documents``); this module compiles each with latexmk and
xelatex, several at once where there are cores for it. A LaTeX failure becomes one
message naming the document, the ``.tex`` line and the log, never pages of TeX output;
missing TeX packages are installed when the process may (root with apt-get), or named
with the exact command to run.

Before any of it, ``plan_pdfs`` decides which PDFs to make at all: those whose inputs
changed since they were published (``sphinx/pdf_inputs.py`` says what the inputs are and
how the HTML build of the same language digests them). A PDF whose inputs are the same
keeps its published file, and the language's LaTeX build runs only for the others, or
not at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rbmdocs import system_packages
from rbmdocs.sphinx.run import INPUTS_FILE, ToolError

#: Files that show the TeX set-up works, per need: the engine, latexmk, Chinese support.
_COMMANDS = ("xelatex", "latexmk")
_CHINESE_FILES = ("xeCJK.sty", "ctexhook.sty")
_LATEX_ERROR = re.compile(r"^(\./[^:\n]+:\d+: .*|! .*)$", re.MULTILINE)


def _tex_ready(language: str) -> bool:
    if any(shutil.which(command) is None for command in _COMMANDS):
        return False
    if language.startswith("zh"):
        found = subprocess.run(
            ["kpsewhich", *_CHINESE_FILES], capture_output=True, text=True, check=False
        ).stdout.split()
        if len(found) < len(_CHINESE_FILES):
            return False
    return True


def ensure_tex(language: str) -> None:
    """Make sure xelatex, latexmk and (for Chinese) xeCJK are there, installing if we may."""
    if _tex_ready(language):
        return
    missing = system_packages.missing_packages(system_packages.TEX_PACKAGES)
    if not missing:
        missing = list(system_packages.TEX_PACKAGES)
    if not system_packages.can_install():
        raise ToolError(
            "PDF needs TeX packages that are not installed; run: "
            + system_packages.install_command(missing)
        )
    print(f"installing the TeX packages for PDF (once, about 240 MB): {' '.join(missing)}")
    try:
        system_packages.install(missing)
    except (OSError, subprocess.CalledProcessError) as error:
        raise ToolError(
            f"could not install the TeX packages ({error}); run: "
            + system_packages.install_command(missing)
        ) from None
    if not _tex_ready(language):
        raise ToolError(
            "the TeX packages were installed but xelatex, latexmk or xeCJK is still missing"
        )


def compile_pdfs(latex_dir: Path, tex_names: Sequence[str], jobs: int = 1) -> list[Path]:
    """Run latexmk on each ``.tex`` file in ``latex_dir``, ``jobs`` at a time; the PDFs.

    Each latexmk is a process of its own (xelatex uses one core), so on several cores
    the documents are made side by side; with one core, one after the other as before.
    When one fails, the others still finish, and the first failing document in the
    order given is the one reported, whatever the order in which they ended.
    """
    environment = {
        **os.environ,
        # Sphinx's latexmkrc adds these to every xelatex call
        "LATEXOPTS": "-interaction=nonstopmode -halt-on-error -file-line-error",
    }

    def latexmk(tex_name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["latexmk", "-pdfxe", "-f-", tex_name],
            cwd=latex_dir,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

    if jobs > 1 and len(tex_names) > 1:
        with ThreadPoolExecutor(max_workers=min(jobs, len(tex_names))) as pool:
            results = list(pool.map(latexmk, tex_names))
    else:
        results = []
        for tex_name in tex_names:
            results.append(latexmk(tex_name))
            if results[-1].returncode != 0:
                break  # one at a time: the first failure stops, as it always did
    pdfs: list[Path] = []
    for tex_name, result in zip(tex_names, results, strict=False):
        stem = Path(tex_name).stem
        pdf = latex_dir / f"{stem}.pdf"
        if result.returncode != 0 or not pdf.is_file():
            raise ToolError(_latex_failure(latex_dir, stem, result.stdout + result.stderr))
        pdfs.append(pdf)
    return pdfs


#: In a PDF work folder: the inputs of each PDF as it was last published.
MANIFEST_FILE = "rbmdocs-pdf-manifest.json"


@dataclass(frozen=True, slots=True)
class PdfPlan:
    """Which PDFs of one language to make, and the inputs they are made from."""

    names: list[str]
    """Every PDF of the language, in the order of ``rbmdocs_documents``."""
    to_build: list[str]
    """Those whose inputs changed, or whose inputs are not known: made again."""
    inputs: dict[str, str | None]
    """The digest of each PDF's inputs as the HTML build of this run left it; empty when
    no HTML build of the language ran before (then nothing is known, and all are made)."""

    @property
    def unchanged(self) -> list[str]:
        """The PDFs whose published file stays as it is."""
        return [name for name in self.names if name not in self.to_build]


def _read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _stamp(path: Path) -> list[int] | None:
    """A published file as the manifest knows it: size and modification time."""
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


def plan_pdfs(
    names: Sequence[str], html_work: Path | None, work: Path, published: Path, *, fresh: bool
) -> PdfPlan:
    """Which PDFs to make: those whose inputs differ from the published PDF's, or all.

    ``html_work`` is the HTML output folder of the same language when its build ran in
    this command and succeeded (None otherwise: what it holds may be older than the
    sources). A PDF is kept only when its inputs are known and equal to those it was
    published from, and its published file is the one then published. With ``fresh``,
    every PDF is made.
    """
    documents = _read_json(html_work / INPUTS_FILE).get("documents") if html_work else None
    inputs: dict[str, str | None] = {}
    if isinstance(documents, dict):
        inputs = {name: _text_or_none(documents.get(name)) for name in names}
    manifest = _read_json(work / MANIFEST_FILE)
    to_build = [
        name
        for name in names
        if fresh or not _unchanged(name, inputs, manifest, published / f"{name}.pdf")
    ]
    return PdfPlan(names=list(names), to_build=to_build, inputs=inputs)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _unchanged(
    name: str, inputs: Mapping[str, str | None], manifest: Mapping[str, object], pdf: Path
) -> bool:
    entry = manifest.get(name)
    if inputs.get(name) is None or not isinstance(entry, dict):
        return False
    return bool(entry.get("inputs") == inputs[name] and entry.get("pdf") == _stamp(pdf))


def record_published(plan: PdfPlan, work: Path, published: Path) -> None:
    """Remember the inputs of the PDFs just published; forget those not known.

    Written only after a publication: the manifest describes what is published. A PDF
    made without known inputs (no HTML build before it in the command) has no entry, so
    the next build makes it again rather than trust it.
    """
    manifest = {
        name: {"inputs": digest, "pdf": _stamp(published / f"{name}.pdf")}
        for name in plan.names
        if (digest := plan.inputs.get(name)) is not None
    }
    manifest_file = work / MANIFEST_FILE
    if not manifest:
        manifest_file.unlink(missing_ok=True)
        return
    work.mkdir(parents=True, exist_ok=True)
    manifest_file.write_text(json.dumps(manifest, sort_keys=True), "utf-8")


def _latex_failure(latex_dir: Path, stem: str, output: str) -> str:
    log = latex_dir / f"{stem}.log"
    text = log.read_text("utf-8", errors="replace") if log.is_file() else output
    match = _LATEX_ERROR.search(text)
    reason = match.group(1).strip() if match else "latexmk failed"
    return f"PDF {stem}: LaTeX stopped at {reason} (full log: {log})"
