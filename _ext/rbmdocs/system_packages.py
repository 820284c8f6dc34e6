"""The Debian packages rbmdocs needs beyond Python, and their installation.

One list, used by the CLI (which installs the TeX packages on first PDF build when it runs
as root, or names the exact command otherwise) and by the project's set-up scripts
(``python -m rbmdocs.system_packages --install``), so the two never disagree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence

#: TeX for PDF in English and Chinese: xelatex, latexmk, xeCJK (which needs ctexhook.sty
#: from texlive-lang-chinese), the Noto CJK fonts, FreeFont for Sphinx's default Latin
#: fonts under xelatex, and xindy for Sphinx's index.
TEX_PACKAGES: tuple[str, ...] = (
    "latexmk",
    "texlive-xetex",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "fonts-freefont-otf",
    "texlive-lang-cjk",
    "texlive-lang-chinese",
    "fonts-noto-cjk",
    "xindy",
)
#: msgfmt (the reference check of translators' catalogues), the PDF readers the tests
#: use (pdftotext, pdffonts), and graphviz for diagrams.
TOOL_PACKAGES: tuple[str, ...] = ("gettext", "poppler-utils", "graphviz")
#: The browser the end-to-end tests drive.
BROWSER_PACKAGES: tuple[str, ...] = ("chromium", "chromium-driver")

ALL_PACKAGES: tuple[str, ...] = TEX_PACKAGES + TOOL_PACKAGES + BROWSER_PACKAGES


def install_command(packages: Sequence[str]) -> str:
    """The command a person runs to install ``packages``."""
    return "sudo apt-get install -y --no-install-recommends " + " ".join(packages)


def missing_packages(packages: Sequence[str]) -> list[str]:
    """The packages of ``packages`` that dpkg does not list as installed."""
    if shutil.which("dpkg-query") is None:
        return list(packages)
    missing = []
    for package in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def can_install() -> bool:
    """True when this process may install Debian packages itself (root, with apt-get)."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(packages: Sequence[str], *, quiet: bool = True) -> None:
    """Install ``packages`` with apt-get; raise CalledProcessError when apt-get fails."""
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet_flags = ["-qq"] if quiet else []
    output = subprocess.DEVNULL if quiet else None
    subprocess.run(["apt-get", "update", *quiet_flags], check=True, env=environment, stdout=output)
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", *quiet_flags, *packages],
        check=True,
        env=environment,
        stdout=output,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rbmdocs.system_packages [--install] [--only tex|tools|browser]``."""
    parser = argparse.ArgumentParser(description="Debian packages rbmdocs needs.")
    parser.add_argument("--install", action="store_true", help="install the missing ones")
    parser.add_argument(
        "--only", choices=["tex", "tools", "browser"], action="append", help="a group only"
    )
    args = parser.parse_args(argv)
    groups = {"tex": TEX_PACKAGES, "tools": TOOL_PACKAGES, "browser": BROWSER_PACKAGES}
    wanted = [package for name in (args.only or groups) for package in groups[name]]
    missing = missing_packages(wanted)
    if not missing:
        return 0
    if not args.install:
        print(" ".join(missing))
        return 0
    if not can_install():
        print(
            f"rbmdocs: these Debian packages are missing: {' '.join(missing)}\n"
            f"  run: {install_command(missing)}",
            file=sys.stderr,
        )
        return 2
    print(f"installing {len(missing)} Debian packages: {' '.join(missing)}", flush=True)
    install(missing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
