#!/usr/bin/env bash
# Before and after, side by side: `rbmdocs check` after a one-file edit, with the code of
# an earlier revision and with the working tree, in alternating rounds on the same machine
# (a shared machine drifts by a third between runs; alternating keeps the two comparable).
#
#   benchmarks/ab_check_after_edit.sh REVISION [DWCPS] [ROUNDS]
#   benchmarks/ab_check_after_edit.sh 1e01b82 2000 5
#
# The earlier code runs from a temporary git worktree through PYTHONPATH, with this
# project's virtual environment; the corpus comes from benchmarks/generate.py.
set -euo pipefail
cd "$(dirname "$0")/.."

revision=${1:?"usage: $0 REVISION [DWCPS] [ROUNDS]"}
dwcps=${2:-2000}
rounds=${3:-5}
python=.venv/bin/python
scratch=$(mktemp -d)
trap 'git worktree remove --force "$scratch/old-code" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

git worktree add --quiet --detach "$scratch/old-code" "$revision"
"$python" benchmarks/generate.py --dwcps "$dwcps" --out "$scratch/new" >/dev/null
cp -r "$scratch/new" "$scratch/old"

check() {  # check WHICH: one `rbmdocs check` in the corpus of WHICH, with its code
  local which=$1 path=""
  [ "$which" = old ] && path="$scratch/old-code/_ext"
  (cd "$scratch/$which" && PYTHONPATH=$path /usr/bin/time -f "%e" \
    "$OLDPWD/$python" -m rbmdocs check >/dev/null) 2>&1 | tail -1
}

edit() {  # edit WHICH ROUND: retitle the first priority of the first DWCP
  sed -i "0,/title: {en: [A-Za-z0-9]* /s//title: {en: Edit$2 /" \
    "$scratch/$1/data/dwcp/D00001.yaml"
}

check new >/dev/null  # fill both caches first
check old >/dev/null
echo "rbmdocs check after a one-file edit, $dwcps DWCPs: seconds, new (working tree) and old ($revision)"
for round in $(seq "$rounds"); do
  edit new "$round"
  edit old "$round"
  echo "round $round: new $(check new) s, old $(check old) s"
done
