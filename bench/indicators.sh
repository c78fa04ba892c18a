#!/usr/bin/env bash
# bench/indicators.sh DATA_DIR [YEAR] (make bench-indicators): the officials' indicators at
# national scale (issue 6). DATA_DIR is made with `jingkang gen national` when it has no
# database yet (sizes from BENCH_CLIENTS, BENCH_INSTITUTIONS, BENCH_SERVICES, BENCH_YEARS;
# defaults 4,000,000 / 20,000 / 40,000,000 / 3). Then, timed in one run:
#  1. `jingkang indicators rebuild` (wall clock): every aggregate from the raw records;
#  2. the national 规范服务 figure for YEAR by a plain SQL query over the raw tables (sqlite3
#     CLI, the same definition as src/domain/indicator.c, default parameters) — the ratio we beat;
#  3. `jingkang serve` (JINGKANG_RATE_LIMIT=off) and GET /api/v1/indicators for the nation and
#     for a province (region=51) for YEAR as an evaluator (bearer token): BENCH_REQUESTS
#     sequential requests each (default 50) after 5 unrecorded, p50/p99 from curl's time_total;
#  4. `jingkang indicators check` (BENCH_CHECK=0 skips it: it recomputes everything in memory).
# BENCH_REBUILD=0 and BENCH_SQL=0 skip steps 1 and 2 (to time the dashboard again).
# Targets: national < 200 ms, province < 100 ms, rebuild < 60 s. Writes bench/out/indicators.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${JK_BIN:-build/rel/jingkang}
DATA=${1:?usage: bench/indicators.sh DATA_DIR [YEAR]}
YEAR=${2:-$(( $(date +%Y) - 1 ))}
N=${BENCH_REQUESTS:-50}
PORT=${BENCH_PORT:-18186}
OUT=bench/out
mkdir -p "$OUT"; : > "$OUT/indicators.txt"
say() { echo "$*" | tee -a "$OUT/indicators.txt"; }
cleanup() { [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null; true; }
trap cleanup EXIT
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
DB="$DATA/jingkang.db"
q() { sqlite3 "$DB" "$1"; }

say "# indicator bench $(date -u +%FT%TZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
if [ ! -f "$DB" ]; then
  "$BIN" init --data "$DATA" >/dev/null 2>&1
  t0=$(now)
  "$BIN" gen national --data "$DATA" --clients "${BENCH_CLIENTS:-4000000}" --institutions "${BENCH_INSTITUTIONS:-20000}" \
    --services "${BENCH_SERVICES:-40000000}" --years "${BENCH_YEARS:-3}" 2>"$OUT/indicators-gen.log" | tee -a "$OUT/indicators.txt"
  say "generation: $(secs "$t0" "$(now)") s"
fi
say "data: $(q 'SELECT count(*) FROM client') clients, $(q 'SELECT count(*) FROM organization') institutions, $(q 'SELECT count(*) FROM service_record') service records, $(q 'SELECT count(*) FROM service_attendance') attendance rows; database $(du -m "$DB" | cut -f1) MB"

# 1. rebuild (BENCH_REBUILD=0 skips it); the log line gives the time of each phase
if [ "${BENCH_REBUILD:-1}" != 0 ]; then
  t0=$(now)
  "$BIN" indicators rebuild --data "$DATA" > "$OUT/indicators-rebuild.log" 2>&1
  REBUILD=$(secs "$t0" "$(now)")
  say "## indicators rebuild: ${REBUILD} s (target < 60 s)"
  say "$(tr '\r' '\n' < "$OUT/indicators-rebuild.log" | grep -a -o 'rebuilt .*' | tail -1)"
fi

# 2. the plain SQL figure: on the register in YEAR, and standardized (every month from the month
# after registration to the exit month within YEAR has an attended service, a plan in force, an
# intake/periodic assessment in the 12 months up to it and consent + agreement in force)
F=$(( (YEAR - 2000) * 12 )); L=$(( F + 11 ))
MI="((CAST(substr(%s, 1, 4) AS INTEGER) - 2000) * 12 + CAST(substr(%s, 6, 2) AS INTEGER) - 1)"
mi() { printf "$MI" "$1" "$1"; }
REG="date(created_at / 1000 + 28800, 'unixepoch')"; EXIT="date(exited_at / 1000 + 28800, 'unixepoch')"
SQL="PRAGMA cache_size=-262144;
WITH RECURSIVE mon(m, d0, d1) AS (
  SELECT $F, '$YEAR-01-01', date('$YEAR-01-01', '+1 month', '-1 day')
  UNION ALL SELECT m + 1, date(d0, '+1 month'), date(d0, '+2 months', '-1 day') FROM mon WHERE m < $L),
cl AS (SELECT rid, $(mi "$REG") AS reg_m, coalesce($(mi "$EXIT"), 999999) AS exit_m FROM client),
onreg AS (SELECT * FROM cl WHERE reg_m <= $L AND exit_m >= $F)
SELECT count(*), sum(reg_m < $L AND exit_m > reg_m AND NOT EXISTS (
  SELECT 1 FROM mon n WHERE n.m > c.reg_m AND n.m <= c.exit_m AND NOT (
    EXISTS (SELECT 1 FROM service_attendance s WHERE s.client_rid = c.rid AND s.date BETWEEN n.d0 AND n.d1 AND s.attended = 1)
    AND EXISTS (SELECT 1 FROM assessment a WHERE a.client_rid = c.rid AND a.instrument IN ('intake', 'periodic')
      AND a.date BETWEEN date(n.d0, '-11 months') AND n.d1
      AND NOT EXISTS (SELECT 1 FROM assessment b WHERE b.series = a.series AND b.version > a.version))
    AND EXISTS (SELECT 1 FROM rehab_plan p WHERE p.client_rid = c.rid AND p.start_date <= n.d1 AND p.review_date >= n.d0
      AND NOT EXISTS (SELECT 1 FROM rehab_plan x WHERE x.series = p.series AND x.version > p.version))
    AND EXISTS (SELECT 1 FROM referral r WHERE r.client_rid = c.rid AND r.informed_consent IS NOT NULL AND r.agreement IS NOT NULL
      AND max(json_extract(r.informed_consent, '\$.signed_on'), json_extract(r.agreement, '\$.signed_on')) <= n.d1
      AND coalesce((SELECT date(min(e.time) / 1000 + 28800, 'unixepoch') FROM referral_event e WHERE e.referral_rid = r.rid
        AND e.to_status IN ('closed', 'moved', 'withdrawn', 'rejected')), '9999-12-31') >= n.d0))))
FROM onreg c;"
echo "$SQL" > "$OUT/indicators-std.sql"
SQLRES=""
if [ "${BENCH_SQL:-1}" != 0 ]; then   # BENCH_SQL=0 skips it (and the comparison)
  t0=$(now)
  SQLRES=$(sqlite3 -separator ' ' "$DB" "$SQL" | tail -1)
  SQLT=$(secs "$t0" "$(now)")
  say "## plain SQL over the raw tables, national 规范服务 $YEAR: registered + standardized = $SQLRES, ${SQLT} s"
fi

# 3. the API
PW="Bench-Password-2026-strong"
echo "$PW" | "$BIN" user add bench_evaluator --role evaluator --data "$DATA" >/dev/null 2>&1 || true
TOKEN=$("$BIN" token create bench_evaluator --data "$DATA" 2>/dev/null | tail -1)
JINGKANG_RATE_LIMIT=off "$BIN" serve --data "$DATA" --listen 127.0.0.1:$PORT --threads 2 >"$OUT/indicators-serve.log" 2>&1 & SRV=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
get() { curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/indicators?$1"; }
timed() {  # $1 label, $2 query: p50 / p99 / max in ms
  for _ in 1 2 3 4 5; do get "$2" >/dev/null; done
  for _ in $(seq "$N"); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/indicators?$2"
  done | sort -n > "$OUT/indicators-$1.times"
  local p50 p99 max
  p50=$(awk -v n="$N" 'NR == int((n + 1) / 2) { printf "%.1f", $1 * 1000 }' "$OUT/indicators-$1.times")
  p99=$(awk -v n="$N" 'NR == int(n * 0.99 + 0.999) { printf "%.1f", $1 * 1000 }' "$OUT/indicators-$1.times")
  max=$(tail -1 "$OUT/indicators-$1.times" | awk '{ printf "%.1f", $1 * 1000 }')
  say "## GET /api/v1/indicators?$2 as evaluator, $N requests: p50 $p50 ms, p99 $p99 ms, max $max ms"
}
std() { get "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin); s=[x for x in r["indicators"] if x["id"]=="standardized_service_rate"][0]; print(s["denominator"], s["numerator"], s["value"], "pending", r.get("pending"))'; }
timed nation "from=$YEAR-01-01&to=$YEAR-12-31"
timed province "region=51&from=$YEAR-01-01&to=$YEAR-12-31"
API=$(std "from=$YEAR-01-01&to=$YEAR-12-31")
say "national 规范服务 $YEAR from the aggregates (registered standardized value%): $API"
if [ -n "$SQLRES" ]; then
  read -r a b _ <<< "$API"; read -r c d <<< "$SQLRES"
  if [ "$a $b" = "$c $d" ]; then say "the plain SQL and the aggregates agree"; else say "MISMATCH: plain SQL $SQLRES, aggregates $API"; fi
fi
say "province 51: $(std "region=51&from=$YEAR-01-01&to=$YEAR-12-31")"
kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=

# 4. check
if [ "${BENCH_CHECK:-1}" != 0 ]; then
  t0=$(now)
  set +e; "$BIN" indicators check --data "$DATA" > "$OUT/indicators-check.txt" 2>&1; RC=$?; set -e
  CHECK=$(tail -2 "$OUT/indicators-check.txt" | tr '\n' ' ')
  say "## indicators check: $(secs "$t0" "$(now)") s, exit $RC: $CHECK"
fi
