#!/usr/bin/env bash
# make bench: the foundation's speed and memory figures (results are copied into bench/README.md).
#  1. 1,000,000 synthetic clients over the real counties: generate and store, timed.
#  2. GET /api/v1/clients/{id} with a bearer token, audited, on 2 server threads, with wrk;
#     nginx (2 workers) serving a static file of the same size in the same run; the ratio. Each
#     side gets a 5 s warm-up that is not recorded.
#  3. name search and ID-number lookup throughput; p99 latency at half the maximum rate (wrk
#     paced with delay(), closed loop); server RSS.
# Loopback only, bounded in time. Writes bench/out/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${JK_BIN:-build/rel/jingkang}
OUT=bench/out
N=${BENCH_CLIENTS:-1000000}
DUR=${BENCH_SECONDS:-15}
PORT=18181; NGINX_PORT=18182
mkdir -p "$OUT"; rm -rf "$OUT/data" "$OUT/nginx"; : > "$OUT/results.txt"
say() { echo "$*" | tee -a "$OUT/results.txt"; }
cleanup() { [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null; [ -f "$OUT/nginx/nginx.pid" ] && kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null; true; }
trap cleanup EXIT

say "# Jingkang bench $(date -u +%FT%TZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$BIN" init --data "$OUT/data" >/dev/null
say "## generate $N clients"
/usr/bin/time -f "gen: %e s wall, max RSS %M KiB" "$BIN" gen clients --count "$N" --data "$OUT/data" 2>&1 | tee -a "$OUT/results.txt"
echo "Bench-Password-2026-strong" | "$BIN" user add bench_official --role official --region 51 --data "$OUT/data" >/dev/null
echo "Bench-Password-2026-strong" | "$BIN" user add bench_referral --role referral_worker --region 51 --data "$OUT/data" >/dev/null
TOKEN=$("$BIN" token create bench_official --data "$OUT/data")
RTOKEN=$("$BIN" token create bench_referral --data "$OUT/data")

JINGKANG_RATE_LIMIT=off "$BIN" serve --data "$OUT/data" --listen 127.0.0.1:$PORT --threads 2 2>"$OUT/serve.log" & SRV=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
B=http://127.0.0.1:$PORT/api/v1
ids=$(curl -sf -H "Authorization: Bearer $TOKEN" "$B/clients?page_size=100" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).items.map(c=>c.id).join(" ")))')
idnums=""
for id in $(echo "$ids" | tr ' ' '\n' | head -50); do
  idnums+="$(curl -sf -H "Authorization: Bearer $RTOKEN" -H 'Content-Type: application/json' -d '{"fields":["id_number"],"reason":"bench"}' "$B/clients/$id/reveal" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id_number))') "
done
one=$(echo "$ids" | cut -d' ' -f1)
SIZE=$(curl -sf -H "Authorization: Bearer $TOKEN" "$B/clients/$one" | wc -c)

lua_rotate() {  # $1 = name, $2 = path prefix, $3 = list, $4 = delay ms (0 = none)
  cat > "$OUT/$1.lua" <<LUA
local items = {}
for w in string.gmatch("$3", "%S+") do table.insert(items, w) end
local i = 0
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function() i = i + 1; return wrk.format("GET", "$2" .. items[(i % #items) + 1]) end
$( [ "${4:-0}" != 0 ] && echo "delay = function() return $4 end" )
LUA
}
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }
p99() { sed -n 's/^ *99% *\(.*\)$/\1/p' "$1"; }

lua_rotate get "/api/v1/clients/" "$ids"
wrk -t2 -c64 -d5s -s "$OUT/get.lua" http://127.0.0.1:$PORT >/dev/null   # warm-up, not recorded
say "## GET /api/v1/clients/{id} (bearer, audited), response $SIZE bytes, wrk -t2 -c64 -d${DUR}s"
wrk -t2 -c64 -d${DUR}s --latency -s "$OUT/get.lua" http://127.0.0.1:$PORT > "$OUT/get.txt"; cat "$OUT/get.txt" >> "$OUT/results.txt"
JK_RPS=$(rps "$OUT/get.txt")

mkdir -p "$OUT/nginx/www"; head -c "$SIZE" /dev/urandom | base64 -w0 | head -c "$SIZE" > "$OUT/nginx/www/client.json"
cat > "$OUT/nginx/nginx.conf" <<NGX
worker_processes 2; pid $PWD/$OUT/nginx/nginx.pid; error_log $PWD/$OUT/nginx/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/nginx/www;
  location / { default_type application/json; } } }
NGX
nginx -c "$PWD/$OUT/nginx/nginx.conf"
sleep 0.5
wrk -t2 -c64 -d5s http://127.0.0.1:$NGINX_PORT/client.json >/dev/null   # warm-up, not recorded
say "## nginx, static file of $SIZE bytes, same wrk settings"
wrk -t2 -c64 -d${DUR}s --latency http://127.0.0.1:$NGINX_PORT/client.json > "$OUT/nginx.txt"; cat "$OUT/nginx.txt" >> "$OUT/results.txt"
NGX_RPS=$(rps "$OUT/nginx.txt")
kill "$(cat "$OUT/nginx/nginx.pid")"; rm -f "$OUT/nginx/nginx.pid"
say "ratio jingkang/nginx: $(awk -v a="$JK_RPS" -v b="$NGX_RPS" 'BEGIN{printf "%.2f", a/b}') ($JK_RPS / $NGX_RPS req/s)"

names=$(node -e 'console.log("王伟 李静 张敏 刘洋 陈杰 杨丽 黄强 赵娟".split(" ").map(encodeURIComponent).join(" "))')
lua_rotate search "/api/v1/clients?page_size=20&q=" "$names"
say "## name search (20 per page), wrk -t2 -c16"
wrk -t2 -c16 -d${DUR}s --latency -s "$OUT/search.lua" http://127.0.0.1:$PORT > "$OUT/search.txt"; cat "$OUT/search.txt" >> "$OUT/results.txt"
lua_rotate idlookup "/api/v1/clients?id_number=" "$idnums"
say "## ID-number lookup (blind index), wrk -t2 -c64"
wrk -t2 -c64 -d${DUR}s --latency -s "$OUT/idlookup.lua" http://127.0.0.1:$PORT > "$OUT/idlookup.txt"; cat "$OUT/idlookup.txt" >> "$OUT/results.txt"

# p99 at half the maximum rate: each connection waits 10 ms between requests (wrk's delay() is
# in whole milliseconds), with as many connections as make half the maximum rate together.
HALF=$(awk -v a="$JK_RPS" 'BEGIN{printf "%d", a/2}')
DELAY=10
CONNS=$(awk -v h="$HALF" 'BEGIN{c=int(h*0.010+0.5); if (c<2) c=2; printf "%d", c}')
lua_rotate paced "/api/v1/clients/" "$ids" "$DELAY"
say "## GET by id paced at ~$HALF req/s ($CONNS connections, ${DELAY} ms between requests each)"
wrk -t2 -c"$CONNS" -d${DUR}s --latency -s "$OUT/paced.lua" http://127.0.0.1:$PORT > "$OUT/paced.txt"; cat "$OUT/paced.txt" >> "$OUT/results.txt"
say "p99 at half rate: $(p99 "$OUT/paced.txt") (achieved $(rps "$OUT/paced.txt") req/s)"
say "server memory: $(grep -E 'VmRSS|VmHWM' /proc/$SRV/status | tr -s ' ' | tr '\n' ' ')"
kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=""
say "audit entries written and chain check: $("$BIN" audit verify --data "$OUT/data" 2>&1)"
echo "results in $OUT/results.txt"
