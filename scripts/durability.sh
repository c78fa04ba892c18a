#!/usr/bin/env bash
# durability.sh short|long — the crash, power-loss, I/O-error and OOM tests (issue 5).
#   short (make durability, ~3 min): 3 SIGKILLs of the release server; 3 power losses with the
#         default synchronous=FULL (no acknowledged write may be lost); 3 power losses with
#         JINGKANG_SYNCHRONOUS=NORMAL (the harness must see acknowledged writes go missing);
#         then the I/O-error / OOM / fsync-failure loops of tests/durability/faults.mjs.
#   long  (make soak): DUR_KILLS (default 1000) SIGKILLs of the release server plus
#         DUR_KILLS/4 power losses, integrity_check + audit verify every 25 rounds and at the end.
# Binaries: DUR_BIN (default build/rel/jingkang) and DUR_FAULT_BIN (default build/fault/jingkang,
# `make VARIANT=fault bin`). Ends with one line "N passed, N failed" (one per runner).
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
bin=${DUR_BIN:-build/rel/jingkang}
fbin=${DUR_FAULT_BIN:-build/fault/jingkang}
for b in "$bin" "$fbin"; do
  [ -x "$b" ] || { echo "durability: $b missing (make bin; make VARIANT=fault bin)"; echo "0 passed, 1 failed"; exit 1; }
done
passed=0 failed=0
run() { # name, command...
  local name=$1; shift
  echo; echo "=== durability: $name ==="
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "=== FAILED: $name"; fi
}
case "$mode" in
short)
  run "crash (SIGKILL, release build)" node tests/durability/crash.mjs --bin "$bin" --kills 3
  run "power loss, synchronous=FULL: nothing acknowledged is lost" \
    node tests/durability/crash.mjs --bin "$fbin" --powerloss --kills 3
  run "power loss, synchronous=NORMAL: the loss is seen" \
    node tests/durability/crash.mjs --bin "$fbin" --powerloss --sync NORMAL --expect-loss --kills 3
  run "I/O errors, out of memory, fsync failure" node tests/durability/faults.mjs --bin "$fbin"
  ;;
long)
  kills=${DUR_KILLS:-1000}
  run "crash soak ($kills SIGKILLs)" \
    node tests/durability/crash.mjs --bin "$bin" --kills "$kills" --check-every 25 --old-sample 100 --min-ms 100 --max-ms 1500
  run "power-loss soak ($((kills / 4)) power losses, FULL)" \
    node tests/durability/crash.mjs --bin "$fbin" --powerloss --kills $((kills / 4)) --check-every 25 --old-sample 100 --min-ms 100 --max-ms 1500
  run "power loss, synchronous=NORMAL: the loss is seen" \
    node tests/durability/crash.mjs --bin "$fbin" --powerloss --sync NORMAL --expect-loss --kills 3
  run "I/O errors, out of memory, fsync failure" node tests/durability/faults.mjs --bin "$fbin"
  ;;
*) echo "usage: scripts/durability.sh short|long"; exit 2 ;;
esac
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
