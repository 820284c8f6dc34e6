"""From Sphinx's LaTeX output to PDFs: check the TeX tools, run latexmk, report one line.

Sphinx writes one ``.tex`` file per entry of ``latex_documents`` (``sphinx/latex.py``
derives them from ``rbmdocs_documents``); this module compiles each with latexmk and
xelatex. A LaTeX failure becomes one message naming the document, the ``.tex`` line and
the log, never pages of TeX output; missing TeX packages are installed when the process
may (root with apt-get), or named with the exact command to run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from rbmdocs import system_packages
from rbmdocs.sphinx.run import ToolError

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


def compile_pdfs(latex_dir: Path, tex_names: list[str]) -> list[Path]:
    """Run latexmk on each ``.tex`` file in ``latex_dir``; return the PDFs, in order."""
    environment = {
        **os.environ,
        # Sphinx's latexmkrc adds these to every xelatex call
        "LATEXOPTS": "-interaction=nonstopmode -halt-on-error -file-line-error",
    }
    pdfs: list[Path] = []
    for tex_name in tex_names:
        stem = Path(tex_name).stem
        result = subprocess.run(
            ["latexmk", "-pdfxe", "-f-", tex_name],
            cwd=latex_dir,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        pdf = latex_dir / f"{stem}.pdf"
        if result.returncode != 0 or not pdf.is_file():
            raise ToolError(_latex_failure(latex_dir, stem, result.stdout + result.stderr))
        pdfs.append(pdf)
    return pdfs


def _latex_failure(latex_dir: Path, stem: str, output: str) -> str:
    log = latex_dir / f"{stem}.log"
    text = log.read_text("utf-8", errors="replace") if log.is_file() else output
    match = _LATEX_ERROR.search(text)
    reason = match.group(1).strip() if match else "latexmk failed"
    return f"PDF {stem}: LaTeX stopped at {reason} (full log: {log})"
