#!/usr/bin/env bash
# tests/gen/history.sh: the history generator (src/cli/cmd_gen_history.c) on demo data.
#   - `jingkang demo` (which gives its clients a past since 2026) leaves aggregates that agree
#     with a full recomputation (`jingkang indicators check` exits 0), with standardized clients
#     in several counties of 攀枝花; referrals registered and dispatched within 5 working days
#     60–95 % of the time, a median wait of 3–60 days, every kind of outcome, severe clients'
#     follow-ups and psychological support, satisfaction surveys; 米易's institution has a history
#     and still keeps clients in service with empty files (the care tests start there);
#   - `jingkang gen history --months 24` on a copy of the demo: exits 0, backdates registrations,
#     writes referrals, assessments, plans and services, and `indicators check` exits 0 again;
#   - the same run on a second copy writes the same number of rows (deterministic).
# Usage: tests/gen/history.sh [JK_BIN]; ends with "N passed, N failed". About 30 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-${JK_BIN:-build/rel/jingkang}}
TMP=$(mktemp -d /tmp/jk-gen-history.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
no() { echo "not ok - $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }
q() { sqlite3 "$1/jingkang.db" "$2"; }

t0=$(date +%s.%N)
"$BIN" demo --data "$TMP/demo" >"$TMP/demo.log" 2>&1; rc=$?
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
check "jingkang demo exits 0 (${secs} s)" "[ $rc -eq 0 ]"
"$BIN" indicators check --data "$TMP/demo" >"$TMP/check0.log" 2>&1
check "demo: indicators check exits 0 ($(tail -1 "$TMP/check0.log"))" "[ $? -eq 0 ]"
# the year to the end of last month, as the dashboard's default (early in a month, few clients
# have had this month's service yet, so a year to date that includes it has none standardized)
Y=$(TZ=Asia/Shanghai date +%Y); M=$(TZ=Asia/Shanghai date +%-m)
if [ "$M" -eq 1 ]; then Y=$((Y - 1)); M=12; else M=$((M - 1)); fi
M=$(printf %02d "$M")
n=$(q "$TMP/demo" "SELECT count(DISTINCT scope) FROM ind_agg WHERE metric = 'std' AND level = 3 AND period = 'T$Y-$M' AND value > 0")
check "demo: standardized clients this year in $n of 5 counties" "[ ${n:-0} -ge 3 ]"
n=$(q "$TMP/demo" "SELECT count(*) FROM client WHERE created_at < $(( $(date +%s) * 1000 - 30 * 86400000 ))")
check "demo: $n registrations backdated by more than a month" "[ ${n:-0} -ge 100 ]"
n2=$(q "$TMP/demo" "SELECT count(*) FROM service_attendance WHERE date < '2026-01-01'")
check "demo: nothing before 2026 (the test dataset's year stays alone): $n2 services" "[ ${n2:-1} -eq 0 ]"
n=$(q "$TMP/demo" "SELECT count(*) FROM rehab_plan p JOIN organization o ON o.rid = p.org_rid WHERE o.name LIKE '米易县精康家园%'")
check "demo: 米易's institution (worker accounts) has a history too ($n plans)" "[ ${n:-0} -ge 5 ]"
n=$(q "$TMP/demo" "SELECT count(*) FROM client c JOIN organization o ON o.rid = c.organization_rid WHERE o.name LIKE '米易县精康家园%'
  AND c.status = 'in_service' AND NOT EXISTS (SELECT 1 FROM assessment a WHERE a.client_rid = c.rid)
  AND NOT EXISTS (SELECT 1 FROM rehab_plan p WHERE p.client_rid = c.rid)")
check "demo: 米易's institution keeps $n clients in service with empty files (care tests)" "[ ${n:-0} -ge 8 ]"
# the referral, outcome and severe figures of the whole demo (nation level, every month)
agg() { q "$TMP/demo" "SELECT coalesce(sum(value), 0) FROM ind_agg WHERE metric = '$1' AND level = 0 AND period LIKE 'M%'"; }
for p in reg disp; do
  a=$(agg "ref_$p"); b=$(agg "ref_${p}_ot")
  check "demo: referrals $([ $p = reg ] && echo registered || echo dispatched) within 5 working days: $b of $a (60–95 %)" "[ ${a:-0} -gt 20 ] && [ $((b * 100)) -ge $((a * 60)) ] && [ $((b * 100)) -le $((a * 95)) ]"
done
med=$(q "$TMP/demo" "SELECT cast(substr(period, instr(period, '/') + 1) AS INTEGER) AS d, sum(value) FROM ind_agg
  WHERE metric = 'ref_wait' AND level = 0 AND period LIKE 'M%' GROUP BY d ORDER BY d" |
  awk -F'|' '{ d[NR] = $1; n[NR] = $2; t += $2 } END { for (i = 1; i <= NR; i++) { c += n[i]; if (2 * c >= t) { print d[i]; exit } } }')
check "demo: median wait from submission to service ${med:-?} days (3–60)" "[ ${med:-0} -ge 3 ] && [ ${med:-0} -le 60 ]"
for m in ref_over3 ref_rerefer out_emp_recommended out_emp_sheltered out_emp_assisted out_home out_transfer out_relapse \
         out_moved out_closed out_closed_fu sat sat_ok severe_fu severe_med severe_psych; do
  n=$(agg "$m")
  check "demo: $m $n" "[ ${n:-0} -gt 0 ]"
done
n=$(q "$TMP/demo" "SELECT count(*) FROM referral r WHERE status <> (SELECT to_status FROM referral_event e WHERE e.referral_rid = r.rid ORDER BY rid DESC LIMIT 1)")
check "demo: every referral's status is its last event's ($n differ)" "[ ${n:-1} -eq 0 ]"
n=$(q "$TMP/demo" "SELECT count(*) FROM referral r JOIN client c ON c.rid = r.client_rid WHERE r.created_by = 'gen' AND
  ((r.status IN ('in_service', 'hospitalized') AND c.status <> 'in_service') OR (r.status = 'moved' AND c.status <> 'moved')
   OR (r.status = 'closed' AND c.status NOT IN ('closed', 'deceased')))")
check "demo: clients' status follows their referral ($n differ)" "[ ${n:-1} -eq 0 ]"

cp -a "$TMP/demo" "$TMP/a"; cp -a "$TMP/demo" "$TMP/b"
"$BIN" gen history --months 24 --data "$TMP/a" >"$TMP/gen-a.log" 2>&1
check "gen history exits 0: $(tail -1 "$TMP/gen-a.log")" "[ $? -eq 0 ]"
for t in referral assessment rehab_plan service_record service_attendance; do
  a=$(q "$TMP/demo" "SELECT count(*) FROM $t"); b=$(q "$TMP/a" "SELECT count(*) FROM $t")
  check "gen history wrote $t rows ($a → $b)" "[ $b -gt $a ]"
done
n=$(q "$TMP/a" "SELECT count(*) FROM service_attendance WHERE date < '$(( Y - 1 ))-06-01'")
check "gen history --months 24 reaches back before last June ($n attendance rows)" "[ ${n:-0} -gt 0 ]"
n=$(q "$TMP/a" "SELECT count(*) FROM client WHERE status IN ('closed', 'moved', 'deceased') AND exited_at IS NULL")
check "every client off the register has an exit date ($n without)" "[ ${n:-1} -eq 0 ]"
"$BIN" indicators check --data "$TMP/a" >"$TMP/check1.log" 2>&1
check "after gen history: indicators check exits 0 ($(tail -1 "$TMP/check1.log"))" "[ $? -eq 0 ]"
"$BIN" gen history --months 24 --data "$TMP/b" >"$TMP/gen-b.log" 2>&1
ra=$(q "$TMP/a" "SELECT count(*) || '/' || sum(n_attended) FROM service_record"); rb=$(q "$TMP/b" "SELECT count(*) || '/' || sum(n_attended) FROM service_record")
check "deterministic: the same records on a second copy ($ra = $rb)" "[ '$ra' = '$rb' ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
