#!/usr/bin/env bash
# The Chinese HTML build beside the English one, on the sample, with the code of an earlier
# revision and with the working tree, in alternating rounds: each language fresh (no
# _build), then after a one-line edit of a Markdown page, then after a one-line edit of a
# DWCP title (YAML). Prints the seconds of each build as WALL/CPU (CPU: user + system of the
# build and its children, which a busy machine disturbs far less than the wall time), and
# the zh/en ratios of both.
#
#   benchmarks/ab_languages.sh REVISION [ROUNDS]
#   benchmarks/ab_languages.sh f1bfed4 3
#
# The earlier code is exported with `git archive` into a temporary folder and runs through
# PYTHONPATH, with this project's virtual environment; each code builds its own copy of
# the sample (tests/conftest.py's copy_sample). Nothing here is part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

revision=${1:?"usage: $0 REVISION [ROUNDS]"}
rounds=${2:-2}
python=$PWD/.venv/bin/python
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mkdir "$scratch/old-code"
git archive "$revision" | tar -x -C "$scratch/old-code"
for which in old new; do
  PYTHONPATH=$PWD/_ext "$python" -c "import sys; sys.path.insert(0, 'tests')
from conftest import copy_sample; from pathlib import Path
copy_sample(Path('$scratch/$which'))"
done

build() {  # build WHICH LANGUAGE: one HTML build in the sample copy of WHICH, with its code;
  # prints the wall seconds and the CPU seconds (user + system), WALL/CPU, or FAILED
  local which=$1 language=$2 path=$PWD/_ext
  [ "$which" = old ] && path="$scratch/old-code/_ext"
  if (cd "$scratch/$which" && PYTHONPATH=$path /usr/bin/time -o "$scratch/time" -f "%e %U %S" \
    "$python" -m rbmdocs build --lang "$language" --format html >"$scratch/$which.log" 2>&1); then
    awk '{printf "%.2f/%.2f", $1, $2 + $3}' "$scratch/time"
  else
    echo FAILED
    tail -5 "$scratch/$which.log" >&2
  fi
}

edit_markdown() {  # edit_markdown WHICH ROUND: one word more in a paragraph of a P&B page
  sed -i -E "s/^The Programme and Budget for 2010-11( \(edit [0-9]+\))? is the first/The Programme and Budget for 2010-11 (edit $2) is the first/" \
    "$scratch/$1/programme_budget/index.md"
}

edit_yaml() {  # edit_yaml WHICH ROUND: retitle a DWCP priority
  sed -i "0,/title: Jobs for recovery and peace.*/s//title: Jobs for recovery and peace $2/" \
    "$scratch/$1/data/dwcp/AFG.yaml"
}

ratio() {  # ratio ZH EN: of the wall seconds and of the CPU seconds, WALL/CPU
  "$python" -c "z, e = '$1'.split('/'), '$2'.split('/')
print(f'{float(z[0]) / float(e[0]):.2f}/{float(z[1]) / float(e[1]):.2f}')" 2>/dev/null || echo -
}

echo "HTML builds of the sample, seconds: new (working tree) and old ($revision); load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for which in new old; do
    rm -rf "$scratch/$which/_build"
    fresh_en=$(build "$which" en)
    fresh_zh=$(build "$which" zh_CN)
    edit_markdown "$which" "$round"
    md_en=$(build "$which" en)
    md_zh=$(build "$which" zh_CN)
    edit_yaml "$which" "$round"
    yaml_en=$(build "$which" en)
    yaml_zh=$(build "$which" zh_CN)
    echo "round $round $which: fresh en $fresh_en zh $fresh_zh ($(ratio "$fresh_zh" "$fresh_en")x);" \
      "after a Markdown edit en $md_en zh $md_zh ($(ratio "$md_zh" "$md_en")x);" \
      "after a DWCP edit en $yaml_en zh $yaml_zh ($(ratio "$yaml_zh" "$yaml_en")x);" \
      "load $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
