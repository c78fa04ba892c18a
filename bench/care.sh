#!/usr/bin/env bash
# bench/care.sh (part of make bench): 10 million service records over 1 million clients in one
# province (Sichuan, 183 counties, one institution each; `jingkang gen services`), then
#  1. a client's file: wrk closed loop, 2 connections, over 1,000 clients, first GET
#     /clients/{id}/services alone (the largest part), then the whole file (client, assessments,
#     plan, services, team in rotation), p50/p99, as a province official (bearer token);
#  2. the monthly ledger of the busiest institution (10,000+ records this month) exported to
#     Excel, timed five times, with the server's RSS before and after.
# Targets (issue 4): client file p99 under 20 ms; a 10,000-row ledger export under 1 s.
# BENCH_SERVICES (default 10000000) sets the size. Writes bench/out/care.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${JK_BIN:-build/rel/jingkang}
OUT=bench/out
N=${BENCH_SERVICES:-10000000}
DUR=${BENCH_SECONDS:-10}
PORT=18184
DATA="$OUT/caredata"
mkdir -p "$OUT"; rm -rf "$DATA"; : > "$OUT/care.txt"
say() { echo "$*" | tee -a "$OUT/care.txt"; }
cleanup() { [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null; true; }
trap cleanup EXIT

say "# care bench $(date -u +%FT%TZ) on $(nproc) cores"
"$BIN" init --data "$DATA" >/dev/null 2>&1
say "## generate $N service records in Sichuan (51)"
/usr/bin/time -f "generation: %e s wall, max RSS %M KiB" "$BIN" gen services --count "$N" --region 51 --data "$DATA" 2>&1 | grep -v " info " | tee -a "$OUT/care.txt"
DB="$DATA/jingkang.db"
say "database: $(du -m "$DB" | cut -f1) MB; attendance rows: $(sqlite3 "$DB" 'SELECT count(*) FROM service_attendance')"
PW="Bench-Password-2026-strong"
echo "$PW" | "$BIN" user add bench_official --role official --region 51 --data "$DATA" >/dev/null
OTOKEN=$("$BIN" token create bench_official --data "$DATA")
MONTH=$(date -u -d '+8 hours' +%Y-%m)
LAST=$(date -u -d "$MONTH-01 +1 month -1 day" +%F)
ORG=$(sqlite3 "$DB" "SELECT o.id FROM organization o JOIN service_record s ON s.org_rid = o.rid WHERE s.date >= '$MONTH-01' GROUP BY o.rid ORDER BY count(*) DESC LIMIT 1")
echo "$PW" | "$BIN" user add bench_staff --role rehab_staff --org "$ORG" --data "$DATA" >/dev/null
STOKEN=$("$BIN" token create bench_staff --data "$DATA")
sqlite3 "$DB" "SELECT id FROM client ORDER BY random() LIMIT 1000" > "$OUT/care-clients.txt"

JINGKANG_RATE_LIMIT=off "$BIN" serve --data "$DATA" --listen 127.0.0.1:$PORT --threads 2 2>"$OUT/careserve.log" & SRV=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2 " KiB"}' /proc/$SRV/status; }
file_bench() {  # $1 file name, $2 label, $3 Lua list of path suffixes
  cat > "$OUT/care.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $OTOKEN"
local ids, parts, i = {}, {$3}, 0
for line in io.lines("$OUT/care-clients.txt") do ids[#ids + 1] = line end
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/clients/" .. ids[(i % #ids) + 1] .. parts[(i % #parts) + 1])
end
LUA
  wrk -t1 -c2 -d3s -s "$OUT/care.lua" "http://127.0.0.1:$PORT" >/dev/null
  wrk -t2 -c2 -d${DUR}s --latency -s "$OUT/care.lua" "http://127.0.0.1:$PORT" > "$OUT/care-$1.txt"
  say "## $2: $(sed -n 's/^Requests\/sec: *//p' "$OUT/care-$1.txt") req/s, p50 $(sed -n 's/^ *50% *//p' "$OUT/care-$1.txt"), p99 $(sed -n 's/^ *99% *//p' "$OUT/care-$1.txt"), non-2xx $(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$OUT/care-$1.txt")"
}
say "server RSS before: $(rss)"
file_bench services "client services (GET /clients/{id}/services)" '"/services"'
file_bench file "client file (client, assessments, plan, services, team)" '"", "/assessments", "/plan", "/services", "/team"'
ROWS=$(sqlite3 "$DB" "SELECT count(*) FROM service_record s JOIN organization o ON o.rid = s.org_rid WHERE o.id = '$ORG' AND s.date >= '$MONTH-01'")
say "## ledger export: $ROWS records of $MONTH at one institution"
for k in 1 2 3 4 5; do
  curl -s -o "$OUT/ledger.xlsx" -w "export %{http_code}: %{time_total} s, %{size_download} bytes\n" -H "Authorization: Bearer $STOKEN" \
    "http://127.0.0.1:$PORT/api/v1/service-records/ledger?from=$MONTH-01&to=$LAST" | tee -a "$OUT/care.txt"
done
say "server RSS after: $(rss)"
