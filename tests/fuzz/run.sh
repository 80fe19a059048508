#!/usr/bin/env bash
# Run every atheris fuzz target for MINUTES in total (split evenly), one after
# the other on one core, at low priority.
#
#   tests/fuzz/run.sh MINUTES [TARGET...]      (default targets: all ten)
#
# Loader targets (fuzz_loader.py): load pem der pkcs7 pkcs12 jks tolerant.
# Command targets (fuzz_commands.py): inspect verify convert.
# Needs `pip install -e '.[fuzz]'` (atheris). The working corpus and any crash,
# timeout or OOM reproducer go to $FUZZ_WORK (default /tmp/certconv-fuzz), never
# into the repository; each target's log is $FUZZ_WORK/TARGET.log. Exit status
# is non-zero if any target found something. Reproduce a finding with
#   python tests/fuzz/fuzz_loader.py TARGET $FUZZ_WORK/crash-...
#   python tests/fuzz/fuzz_commands.py TARGET $FUZZ_WORK/crash-...
# and keep it as tests/fuzz/regressions/TARGET-what-N.ext (tests/test_fuzz_properties.py
# replays it through the same target).
set -euo pipefail
cd "$(dirname "$0")/../.."

minutes=${1:?usage: tests/fuzz/run.sh MINUTES [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load pem der pkcs7 pkcs12 jks tolerant inspect verify convert)
work=${FUZZ_WORK:-/tmp/certconv-fuzz}
seconds=$((minutes * 60 / ${#targets[@]}))
mkdir -p "$work"

status=0
for target in "${targets[@]}"; do
  case $target in
    load | pem | der | pkcs7 | pkcs12 | jks | tolerant) harness=tests/fuzz/fuzz_loader.py ;;
    inspect | verify | convert) harness=tests/fuzz/fuzz_commands.py ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  mkdir -p "$work/$target"
  echo "== $target: ${seconds}s, log $work/$target.log"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: memory blow-ups are findings too.
  if ! nice -n 10 python "$harness" "$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$work/$target-" -print_final_stats=1 \
      "$work/$target" "tests/fuzz/corpus/$target" >"$work/$target.log" 2>&1; then
    echo "!! $target found something: see $work/$target.log"
    status=1
  fi
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done [0-9]+ runs)' "$work/$target.log" || true
done
exit $status
