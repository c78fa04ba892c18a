#!/usr/bin/env bash
# tests/e2e/run.sh [BIN]: the browser tests against a fresh demo server.
#
# With JK_BASE_URL set, runs tests/e2e/run.mjs against that server and nothing else. Otherwise:
# creates demo data in a temporary directory with `BIN demo`, starts `BIN serve` on a free
# local port with --web web/dist (built first if missing), waits for /healthz, runs the tests,
# stops the server it started and removes the directory. Appends "passed failed" to $TALLY
# when set (scripts/test.sh sums them); the last line of run.mjs is `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/rel/jingkang}

tally() { if [ -n "${TALLY:-}" ]; then echo "$1 $2" >> "$TALLY"; fi; }
give_up() { echo "e2e: $*"; echo "0 passed, 1 failed"; tally 0 1; exit 1; }

WORK=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${JK_BASE_URL:-}" ]; then
  [ -x "$BIN" ] || give_up "server binary $BIN not found (make bin)"
  if [ ! -f web/dist/index.html ]; then
    npx --no-install vite build web --logLevel warn || give_up "web UI build failed"
  fi
  "$BIN" demo --data "$WORK/data" > "$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log"; give_up "demo data could not be created"; }
  PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  "$BIN" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" --web web/dist > "$WORK/serve.log" 2>&1 &
  SERVER=$!
  export JK_BASE_URL="http://127.0.0.1:$PORT" JK_DATA_DIR="$WORK/data" JK_BIN="$BIN"
  up=0
  for _ in $(seq 1 100); do
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$JK_BASE_URL/healthz"; then up=1; break; fi
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.2
  done
  [ $up = 1 ] || { tail -n 30 "$WORK/serve.log"; give_up "server did not start on port $PORT"; }
fi

node tests/e2e/run.mjs 2>&1 | tee "$WORK/e2e.out"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$WORK/e2e.out" | tail -n 1)
p=$(printf '%s' "$summary" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
f=$(printf '%s' "$summary" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
if [ -z "$summary" ]; then p=0; f=1; rc=1; fi
if [ -n "$SERVER" ] && ! kill -0 "$SERVER" 2>/dev/null; then
  echo "e2e: the server exited during the tests; the end of its log:"
  tail -n 30 "$WORK/serve.log"
fi
tally "${p:-0}" "${f:-1}"
exit $rc
