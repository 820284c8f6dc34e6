#!/usr/bin/env bash
# The sample's whole edition (both languages, HTML and every PDF), old code against new,
# alternating: `rbmdocs build --lang all --format all --fresh`, then the same build (without
# --fresh) after a one-line edit of a DWCP file, then after a one-line edit of a Markdown
# page of the Programme and Budget. Each command as a user runs it, with its defaults.
#
#   benchmarks/ab_edition.sh REVISION [ROUNDS]
#   benchmarks/ab_edition.sh f1bfed4 3
#
# The earlier code is unpacked from git into a temporary folder and run through
# PYTHONPATH with this project's virtual environment; each code builds its own copy of
# the sample. Seconds are wall-clock (/usr/bin/time), one line per round.
set -euo pipefail
cd "$(dirname "$0")/.."

revision=${1:?"usage: $0 REVISION [ROUNDS]"}
rounds=${2:-3}
python=$PWD/.venv/bin/python
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/old-code"
git archive "$revision" _ext | tar -x -C "$scratch/old-code"
for which in new old; do
  PYTHONPATH=$PWD/_ext "$python" -c "import sys; sys.path.insert(0, 'tests'); \
from conftest import copy_sample; from pathlib import Path; copy_sample(Path('$scratch/$which'))"
done

build() {  # build WHICH [ARGS...]: one whole-edition build in WHICH's sample, with its code
  local which=$1 path=$PWD/_ext
  shift
  [ "$which" = old ] && path="$scratch/old-code/_ext"
  (cd "$scratch/$which" && PYTHONPATH=$path /usr/bin/time -f "%e" \
    "$python" -m rbmdocs build --lang all --format all "$@" >/dev/null) 2>&1 | tail -1
}

edit_dwcp() {  # a DWCP priority's title, one line
  sed -i "s/^    title: More and better jobs for young women and men.*/&$2/" \
    "$scratch/$1/data/dwcp/GHA.yaml"
}

edit_page() {  # one sentence of a P&B page
  sed -i "s/(No\. 122)[^.]*\./(No. 122)$2./" "$scratch/$1/programme_budget/employment.md"
}

echo "whole edition (rbmdocs build --lang all --format all): seconds, new and old ($revision)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  fresh_new=$(build new --fresh)
  fresh_old=$(build old --fresh)
  edit_dwcp new "$round"
  dwcp_new=$(build new)
  edit_dwcp old "$round"
  dwcp_old=$(build old)
  edit_page new ", r$round"
  page_new=$(build new)
  edit_page old ", r$round"
  page_old=$(build old)
  echo "round $round: fresh new $fresh_new old $fresh_old;" \
    "DWCP edit new $dwcp_new old $dwcp_old; P&B page edit new $page_new old $page_old;" \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
done
