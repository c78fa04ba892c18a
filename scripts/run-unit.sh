#!/usr/bin/env bash
# Runs cmocka unit test binaries; prints their output and appends "passed failed" to $TALLY.
set -uo pipefail
pass=0; fail=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
  if [ $rc -ne 0 ] && [ -z "$f" ]; then echo "unit: $t exited $rc"; fail=$((fail + 1)); fi
done
echo "unit tests: $pass passed, $fail failed"
[ -n "${TALLY:-}" ] && echo "$pass $fail" >> "$TALLY"
[ $fail -eq 0 ]
