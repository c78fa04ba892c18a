#!/usr/bin/env bash
# bench/referrals.sh (part of make bench): 100,000 referrals in flight across one province
# (Sichuan, 183 counties, 366 institutions; `jingkang gen referrals`), then
#  1. the work list (GET /api/v1/inbox) of a referral worker of the largest prefecture (成都,
#     5101) and of one institution's staff: wrk closed loop, 2 connections (one per server thread), p50/p99;
#  2. one sweep over all open referrals as of four months ahead (every waiting-list placement
#     past its limit goes to recheck, every overdue one is announced), timed.
# Targets (issue 3): work list p99 under 20 ms; a full sweep under 2 s. Writes bench/out/referrals.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${JK_BIN:-build/rel/jingkang}
OUT=bench/out
N=${BENCH_REFERRALS:-100000}
DUR=${BENCH_SECONDS:-10}
PORT=18183
mkdir -p "$OUT"; rm -rf "$OUT/refdata"; : > "$OUT/referrals.txt"
say() { echo "$*" | tee -a "$OUT/referrals.txt"; }
cleanup() { [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null; true; }
trap cleanup EXIT

say "# referral bench $(date -u +%FT%TZ) on $(nproc) cores"
"$BIN" init --data "$OUT/refdata" >/dev/null 2>&1
say "## generate $N referrals in Sichuan (51)"
"$BIN" gen referrals --count "$N" --region 51 --data "$OUT/refdata" 2>/dev/null | tee -a "$OUT/referrals.txt"
PW="Bench-Password-2026-strong"
echo "$PW" | "$BIN" user add bench_worker --role referral_worker --region 5101 --data "$OUT/refdata" >/dev/null
WTOKEN=$("$BIN" token create bench_worker --data "$OUT/refdata")
ORG=$(sqlite3 "$OUT/refdata/jingkang.db" "SELECT o.id FROM organization o WHERE o.region LIKE '5101%' ORDER BY (SELECT count(*) FROM referral r WHERE r.org_rid = o.rid) DESC LIMIT 1")
echo "$PW" | "$BIN" user add bench_staff --role rehab_staff --org "$ORG" --data "$OUT/refdata" >/dev/null
STOKEN=$("$BIN" token create bench_staff --data "$OUT/refdata")
say "open referrals in 5101: $(sqlite3 "$OUT/refdata/jingkang.db" "SELECT count(*) FROM referral WHERE region LIKE '5101%'"); at the institution: $(sqlite3 "$OUT/refdata/jingkang.db" "SELECT count(*) FROM referral r JOIN organization o ON o.rid = r.org_rid WHERE o.id = '$ORG'")"

JINGKANG_RATE_LIMIT=off "$BIN" serve --data "$OUT/refdata" --listen 127.0.0.1:$PORT --threads 2 2>"$OUT/refserve.log" & SRV=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
inbox() {  # $1 label, $2 token
  cat > "$OUT/inbox.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $2"
LUA
  wrk -t1 -c4 -d3s -s "$OUT/inbox.lua" "http://127.0.0.1:$PORT/api/v1/inbox" >/dev/null   # warm-up
  wrk -t2 -c2 -d${DUR}s --latency -s "$OUT/inbox.lua" "http://127.0.0.1:$PORT/api/v1/inbox" > "$OUT/inbox-$1.txt"
  say "## GET /api/v1/inbox as $1: $(sed -n 's/^Requests\/sec: *//p' "$OUT/inbox-$1.txt") req/s, p50 $(sed -n 's/^ *50% *//p' "$OUT/inbox-$1.txt"), p99 $(sed -n 's/^ *99% *//p' "$OUT/inbox-$1.txt")"
}
inbox referral_worker "$WTOKEN"
inbox rehab_staff "$STOKEN"
kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
AHEAD=$(date -u -d '+4 months' +%FT%TZ)
say "## jingkang sweep --as-of $AHEAD over all open referrals"
/usr/bin/time -f "sweep: %e s wall, max RSS %M KiB" "$BIN" sweep --as-of "$AHEAD" --data "$OUT/refdata" 2>&1 | grep -v " info " | tee -a "$OUT/referrals.txt"
