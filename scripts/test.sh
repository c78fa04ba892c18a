#!/usr/bin/env bash
# make test: every test, twice where it matters.
#  1. release build (gcc, hardened): the binary's hardening checked; unit tests, black-box API tests
#     (including the authorization matrix generated from the route table), OpenAPI lint, browser tests
#  2. assurance (issue 5, docs/security.md): crash, power-loss and fault-injection runs (short;
#     `make soak` is the long one), every fuzz corpus and regression input once (`make fuzz` fuzzes),
#     sqlmap against every endpoint with parameters
#  3. ASan+UBSan build: unit tests and API tests again
#  4. clang build with -Werror, its hardening checked too
# Ends with one line "N passed, N failed" summing every runner.
set -uo pipefail
cd "$(dirname "$0")/.."
export TALLY; TALLY=$(mktemp); trap 'rm -f "$TALLY"' EXIT
jobs=$(nproc)
status=0
step() { echo; echo "=== $* ==="; }
count_node() {   # node --test output on stdin → tally
  local out; out=$(cat); printf '%s\n' "$out"
  local p f; p=$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -1)
  echo "${p:-0} ${f:-1}" >> "$TALLY"
  [ "${f:-1}" = 0 ]
}
count_line() {   # output ending with "N passed, N failed" on stdin → tally
  local out; out=$(cat); printf '%s\n' "$out"
  local last; last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
  local p f; p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$last" | sed -n 's/.*, \([0-9]*\) failed$/\1/p')
  echo "${p:-0} ${f:-1}" >> "$TALLY"
  [ -n "$last" ] && [ "${f:-1}" = 0 ]
}

step "build (gcc, release, hardened)"
make -s -j"$jobs" VARIANT=rel all || { echo "0 passed, 1 failed"; exit 1; }
make -s -j"$jobs" VARIANT=fault bin || { echo "0 passed, 1 failed"; exit 1; }

step "binary hardening (release)"
tests/hardening.sh build/rel/jingkang 2>&1 | count_line || status=1

step "unit tests (release)"
make -s -j"$jobs" VARIANT=rel test-unit || status=1

step "API tests (release)"
JK_BIN=build/rel/jingkang node --test --test-concurrency=2 tests/api/ 2>&1 | count_node || status=1

step "indicators: generated history agrees with a full recomputation"
tests/gen/history.sh build/rel/jingkang 2>&1 | count_line || status=1

step "OpenAPI lint"
if bash tests/api/lint-openapi.sh; then echo "1 0" >> "$TALLY"; else echo "0 1" >> "$TALLY"; status=1; fi

step "browser tests (Playwright + Chromium)"
bash tests/e2e/run.sh build/rel/jingkang || status=1

step "durability: crash, power loss, I/O errors, out of memory (short)"
DUR_BIN=build/rel/jingkang DUR_FAULT_BIN=build/fault/jingkang scripts/durability.sh short 2>&1 | count_line || status=1

step "fuzz corpus and regression inputs (libFuzzer, ASan+UBSan)"
scripts/fuzz.sh replay 2>&1 | count_line || status=1

step "sqlmap against every endpoint with parameters"
JK_BIN=build/rel/jingkang tests/security/sqlmap.sh 2>&1 | count_line || status=1

step "build (gcc, ASan+UBSan)"
make -s -j"$jobs" VARIANT=asan bin || status=1
step "unit tests (ASan+UBSan)"
make -s -j"$jobs" VARIANT=asan test-unit || status=1
step "API tests (ASan+UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  JK_BIN=build/asan/jingkang node --test --test-concurrency=2 tests/api/ 2>&1 | count_node || status=1

step "build (clang, -Werror)"
if make -s -j"$jobs" VARIANT=clang CC=clang bin; then echo "1 0" >> "$TALLY"; else echo "0 1" >> "$TALLY"; status=1; fi
step "binary hardening (clang)"
tests/hardening.sh build/clang/jingkang 2>&1 | count_line || status=1

echo
awk '{p+=$1; f+=$2} END {printf "%d passed, %d failed\n", p, f}' "$TALLY"
exit $status
