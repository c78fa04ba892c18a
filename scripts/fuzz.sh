#!/usr/bin/env bash
# fuzz.sh: the libFuzzer harnesses of tests/fuzz/ (ASan + UBSan, clang), built into build/fuzz/.
#   scripts/fuzz.sh replay          build, then run every input of tests/fuzz/corpus/<harness>/ and
#                                   tests/fuzz/regress/<harness>/ once; ends with `N passed, N failed`
#   scripts/fuzz.sh run [SECONDS]   fuzz each harness for SECONDS (default 60), merging new
#                                   interesting inputs into its corpus; crashes are left in
#                                   build/fuzz/crashes/<harness>/ (fix, then keep as regress input)
# Environment: FUZZ_HARNESSES="fuzz_http fuzz_csv" to pick some.
# The HTTP harnesses need a demo data directory: build/fuzz/template/data, made here once with
# `jingkang demo` (about a minute); each harness process works on its own copy.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-replay}
secs=${2:-60}
all=(fuzz_http fuzz_api_write fuzz_idcard fuzz_region fuzz_csv fuzz_instrument fuzz_rules)
read -r -a harnesses <<< "${FUZZ_HARNESSES:-${all[*]}}"
B=build/fuzz
export JK_FUZZ_WORK=$B/work JK_FUZZ_TEMPLATE=$B/template/data
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

make -s -j2 "${harnesses[@]/#/$B/}" $B/jingkang
mkdir -p "$B/work"
rm -rf "$B"/work/jk-fuzz-*   # copies left by a harness that crashed
if [[ ! -f $B/template/ready ]] && printf '%s\n' "${harnesses[@]}" | grep -q -e fuzz_http -e fuzz_api_write; then
  echo "fuzz: making the demo data template (jingkang demo, about a minute)"
  rm -rf $B/template && mkdir -p $B/template
  $B/jingkang demo --data $B/template/data > $B/template/demo.log 2>&1
  touch $B/template/ready
fi

passed=0 failed=0
case $mode in
replay)
  for h in "${harnesses[@]}"; do
    inputs=()
    for d in tests/fuzz/corpus/$h tests/fuzz/regress/$h; do
      [[ -d $d ]] && while IFS= read -r f; do inputs+=("$f"); done < <(find "$d" -type f | sort)
    done
    [[ ${#inputs[@]} -eq 0 ]] && continue
    log=$B/replay-$h.log
    # -runs=0 over files: each input executed once; a crash stops the harness with exit != 0
    if "$B/$h" -runs=1 -rss_limit_mb=4096 "${inputs[@]}" > "$log" 2>&1; then
      passed=$((passed + ${#inputs[@]}))
      echo "ok    $h: ${#inputs[@]} inputs"
    else
      failed=$((failed + 1))
      echo "FAIL  $h (log: $log)"
      grep -E "ERROR|runtime error|property failed|SUMMARY|Running: " "$log" | tail -5 || true
    fi
  done
  ;;
run)
  for h in "${harnesses[@]}"; do
    corpus=tests/fuzz/corpus/$h new=$B/new/$h crashes=$B/crashes/$h
    mkdir -p "$corpus" "$new" "$crashes"
    dict=()
    [[ $h == fuzz_http || $h == fuzz_api_write ]] && dict=(-dict=tests/fuzz/http.dict)
    [[ $h == fuzz_instrument || $h == fuzz_rules ]] && dict=(-dict=tests/fuzz/json.dict)
    log=$B/run-$h.log
    echo "fuzz: $h for ${secs}s"
    if "$B/$h" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
         -artifact_prefix="$crashes/" \
         "${dict[@]}" "$new" "$corpus" > "$log" 2>&1; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL  $h: crash saved in $crashes/ (log: $log)"
      grep -E "ERROR|runtime error|property failed|SUMMARY" "$log" | tail -5 || true
    fi
    grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec" "$log" | tail -3 | sed "s/^/      /" || true
    # keep only what adds coverage: merge the new inputs into the committed corpus
    "$B/$h" -merge=1 "${dict[@]}" "$corpus" "$new" > "$B/merge-$h.log" 2>&1 || true
    rm -rf "$new"
  done
  ;;
*) echo "usage: scripts/fuzz.sh replay | run [SECONDS]" >&2; exit 2 ;;
esac
rm -rf "$B"/work/jk-fuzz-*
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
