#!/usr/bin/env bash
# bench/soak.sh [SECONDS]: capacity by stepping the rate, then a soak at half of it.
#   1. `jingkang demo` into bench/out/soak/data; `jingkang serve` on it (default threads).
#   2. Capacity: build/bench/load (open loop, built-in mix, logged in as a demo rehabilitation
#      worker) at 250, 500, 1000, 1500, … req/s, STEP_SECONDS each; the capacity is the highest
#      rate with no error, achieved ≥ 97 % of offered and p99 ≤ 100 ms. SOAK_RATE skips this.
#   3. Soak: SECONDS (default 3600) at half the capacity; every 10 s the server's RSS
#      (/proc/PID/status VmRSS) and open fds (/proc/PID/fd) are sampled; the generator prints
#      one line per window (300 s, shorter for short runs) with its p99.
#   4. Checks: no error, RSS at the end ≤ 105 % of RSS after the first window, fd count at the
#      end ≤ the first window's + 8, the server still running and exits 0 on SIGTERM,
#      `jingkang audit verify` passes. One line per check, then `N passed, N failed`.
# Environment: JK_BIN (default build/rel/jingkang), LOAD_BIN (build/bench/load), SOAK_RATE,
# SOAK_CONNECTIONS (32), STEP_SECONDS (10), SOAK_PORT (18391), SOAK_USER (rehab_worker),
# SOAK_OUT (bench/out/soak). Loopback only; the generator and the server share the machine.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3600}
BIN=${JK_BIN:-build/rel/jingkang}
LOAD=${LOAD_BIN:-build/bench/load}
OUT=${SOAK_OUT:-bench/out/soak}
PORT=${SOAK_PORT:-18391}
CONNS=${SOAK_CONNECTIONS:-32}
STEP=${STEP_SECONDS:-10}
USER_NAME=${SOAK_USER:-rehab_worker}
WIN=300
[ "$SECS" -lt 1800 ] && WIN=$(( SECS / 6 < 10 ? 10 : SECS / 6 ))
URL=http://127.0.0.1:$PORT

for f in "$BIN" "$LOAD"; do
  [ -x "$f" ] || { echo "soak: $f not found (make bin bench-load, or set JK_BIN / LOAD_BIN)" >&2; exit 2; }
done
rm -rf "$OUT"; mkdir -p "$OUT"
SRV=""; SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$SRV" ] && kill "$SRV" 2>/dev/null
  true
}
trap cleanup EXIT

echo "# soak $(date -u +%FT%TZ): $SECS s, $(nproc) cores, binary $BIN"
"$BIN" demo --data "$OUT/data" > "$OUT/demo.log" 2>&1 || { echo "soak: jingkang demo failed"; cat "$OUT/demo.log"; exit 2; }
JINGKANG_RATE_LIMIT=off "$BIN" serve --data "$OUT/data" --listen 127.0.0.1:$PORT > "$OUT/serve.log" 2>&1 &
SRV=$!
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$URL/healthz" >/dev/null || { echo "soak: server did not start"; cat "$OUT/serve.log"; exit 2; }

jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$@"; }

if [ -n "${SOAK_RATE:-}" ]; then
  RATE=$SOAK_RATE
  echo "## rate given: $RATE req/s"
else
  echo "## capacity: ${STEP} s per step, $CONNS connections, pass = 0 errors, achieved ≥ 97 %, p99 ≤ 100 ms"
  # Warm-up (not recorded): the first seconds of a fresh server are slower (cold caches).
  "$LOAD" --url "$URL" --user "$USER_NAME" --rate 100 --duration 5 --connections "$CONNS" > "$OUT/warmup.txt" 2>&1
  CAP=0
  for r in 250 500 1000 1500 2000 2500 3000 3500 4000 5000 6000 8000 10000; do
    # A step that fails is run once more: the machine is shared, and one stall of another
    # process should not set the capacity.
    for try in 1 2; do
      "$LOAD" --url "$URL" --user "$USER_NAME" --rate "$r" --duration "$STEP" --connections "$CONNS" --json \
        > "$OUT/step-$r.json" 2> "$OUT/step-$r.txt"
      ach=$(jget "$OUT/step-$r.json" 'd["achieved_rate"]'); p99=$(jget "$OUT/step-$r.json" 'd["latency_ms"]["p99"]')
      err=$(jget "$OUT/step-$r.json" 'd["errors"]')
      ok=$(python3 -c "print(int($err == 0 and $ach >= 0.97 * $r and $p99 <= 100))")
      printf '  %6d req/s offered: achieved %8.1f, p99 %8.2f ms, errors %s%s\n' "$r" "$ach" "$p99" "$err" \
        "$([ "$ok" = 1 ] || echo "  ← over capacity (try $try)")"
      sleep 2
      [ "$ok" = 1 ] && break
    done
    [ "$ok" = 1 ] || break
    CAP=$r
  done
  [ "$CAP" -gt 0 ] || { echo "soak: not even 250 req/s passed"; exit 1; }
  RATE=$(( CAP / 2 ))
  echo "capacity: $CAP req/s; soak rate (half): $RATE req/s"
fi

PID=$SRV
sample() {
  local t0=$SECONDS
  echo -e "t_s\trss_kb\tfds\tthreads" > "$OUT/samples.tsv"
  while kill -0 "$PID" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/{print $2}' /proc/$PID/status 2>/dev/null)
    thr=$(awk '/^Threads:/{print $2}' /proc/$PID/status 2>/dev/null)
    fds=$(ls /proc/$PID/fd 2>/dev/null | wc -l)
    echo -e "$(( SECONDS - t0 ))\t$rss\t$fds\t$thr" >> "$OUT/samples.tsv"
    sleep 10
  done
}
echo "## soak: $RATE req/s for $SECS s, $CONNS connections, windows of $WIN s (samples every 10 s: $OUT/samples.tsv)"
sample & SAMPLER=$!
"$LOAD" --url "$URL" --user "$USER_NAME" --rate "$RATE" --duration "$SECS" --connections "$CONNS" \
  --interval "$WIN" --json > "$OUT/soak.json" 2> "$OUT/soak-load.txt"
LOAD_RC=$?
sleep 1
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""
grep '^\[' "$OUT/soak-load.txt" | sed 's/^/  /'
sed -n '/^requests:/,$p' "$OUT/soak-load.txt" | sed 's/^/  /'

# RSS and fds at each window's end, to tell a plateau (caches filling) from a steady climb.
awk -F'\t' -v w="$WIN" 'NR > 1 && $2 != "" && $1 >= n * w { printf "%s%d s: %.1f MB, %d fds", sep, $1, $2 / 1024, $3; sep = "; "; n++ }
  END { print "" }' n=1 "$OUT/samples.tsv" | sed 's/^/  RSS by window: /'
pass=0; fail=0
check() { if [ "$2" = 1 ]; then echo "ok    $1"; pass=$((pass + 1)); else echo "FAIL  $1"; fail=$((fail + 1)); fi; }
errs=$(jget "$OUT/soak.json" 'd["errors"]' 2>/dev/null || echo "?")
check "no errors during the soak ($errs; generator exit $LOAD_RC)" "$([ "$errs" = 0 ] && [ $LOAD_RC = 0 ] && echo 1)"
# RSS after the first window vs at the end; fd counts likewise.
read -r base_rss base_fd < <(awk -F'\t' -v w="$WIN" 'NR > 1 && $1 >= w { print $2, $3; exit }' "$OUT/samples.tsv")
read -r end_rss end_fd < <(awk -F'\t' 'NR > 1 && $2 != "" { r = $2; f = $3 } END { print r, f }' "$OUT/samples.tsv")
read -r max_rss min_fd max_fd < <(awk -F'\t' 'NR > 1 && $2 != "" { if ($2 > m) m = $2; if (mn == "" || $3 < mn) mn = $3; if ($3 > mx) mx = $3 } END { print m, mn, mx }' "$OUT/samples.tsv")
if [ -n "${base_rss:-}" ] && [ -n "${end_rss:-}" ]; then
  growth=$(python3 -c "print(f'{($end_rss - $base_rss) * 100 / $base_rss:+.1f}')")
  check "RSS after ${WIN} s $((base_rss / 1024)) MB → end $((end_rss / 1024)) MB ($growth %, peak $((max_rss / 1024)) MB; limit +5 %)" \
    "$(python3 -c "print(int($end_rss <= 1.05 * $base_rss))")"
  check "open fds after ${WIN} s $base_fd → end $end_fd (range $min_fd–$max_fd; limit +8)" "$([ "$end_fd" -le $((base_fd + 8)) ] && echo 1)"
else
  check "RSS/fd samples (none after ${WIN} s)" 0
fi
check "server still running after the soak" "$(kill -0 "$SRV" 2>/dev/null && echo 1)"
kill -TERM "$SRV"; wait "$SRV"; SRC=$?; SRV=""
check "server exits 0 on SIGTERM (exit $SRC)" "$([ $SRC = 0 ] && echo 1)"
"$BIN" audit verify --data "$OUT/data" > "$OUT/verify.txt" 2>&1
VRC=$?
check "jingkang audit verify: $(tail -1 "$OUT/verify.txt")" "$([ $VRC = 0 ] && echo 1)"
echo "database $(du -sh "$OUT/data" | cut -f1); raw output in $OUT/"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
