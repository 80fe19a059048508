#!/usr/bin/env bash
# Start-up of a split, import by import: `python -X importtime` over a whole `certconv split` of
# samples/bundle.pfx (lazy imports made while it runs included), for each source tree given,
# alternating, 5 rounds. Prints the number of certconv modules loaded, their summed self time,
# and the summed time of every import.
# Usage: bash benchmarks/split_imports.sh PYTHON TREE [TREE...]   (e.g. a `git archive` of main and of HEAD)
set -euo pipefail
python=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for tree in "$@"; do PYTHONPATH=$tree "$python" -m compileall -q "$tree/certconv"; done
for round in 1 2 3 4 5; do
  for tree in "$@"; do
    rm -rf "$out/split"
    (cd "$out" && PYTHONPATH=$tree "$python" -X importtime -c "import sys; sys.argv = ['certconv', 'split', '$root/samples/bundle.pfx', '-o', '$out/split', '-q', '--password-file', '$root/samples/password.txt']; from certconv.cli import main; main()") 2>&1 >/dev/null |
      awk -F'|' -v t="$tree" -v r="$round" '
        { gsub(/import time:/, "", $1) }
        /certconv/ { own += $1; n++ }
        { all += $1 }
        END { printf "round %d %s: %d certconv modules, their self time %.1f ms, all imports %.1f ms\n", r, t, n, own / 1000, all / 1000 }'
  done
done
