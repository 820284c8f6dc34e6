#!/usr/bin/env bash
# Before and after, side by side: the sample's whole edition (English and Chinese, HTML and
# PDF), fresh, after a one-line DWCP edit and after a one-line page edit, with the code of
# an earlier revision and with the working tree, in alternating rounds on the same machine.
#
#   benchmarks/ab_edition.sh OLD_REV [ROUNDS] [--compare-sites] [--keep]
#   benchmarks/ab_edition.sh f1bfed4 3
#
# The work is done by benchmarks/ab_edition.py (medians and tables are easier in Python);
# this runs it with the project's virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python benchmarks/ab_edition.py "$@"
