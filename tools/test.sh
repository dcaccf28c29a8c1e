#!/usr/bin/env bash
# The whole test suite: installs missing Debian packages, then
#   1. builds with warnings as errors (gcc) and runs every test (ctest: GoogleTest + CLI tests);
#   2. builds the library and the embedding example (docs/examples/embed) with clang and
#      ThreadSanitizer, and runs the example: the HGX example bundle verified through the public
#      API from 4 threads at once, twice each (cold, then warm through the shared certificate
#      cache), every result identical (phase 1 checks they equal the CLI's);
#   3. builds once with clang, AddressSanitizer + UndefinedBehaviorSanitizer and the libFuzzer
#      targets, and runs every test again in it (except the headless-Chromium report check,
#      which tests a browser, not our code, and the 60 s load tests, which phase 1 ran and
#      whose ASan twin at CI size is load_test_memory);
#   4. runs each fuzz target of that build for FUZZ_SECONDS (default 20), as many at a time as
#      there are cores.
# One sanitizer tree serves both the tests and the fuzzers; the ThreadSanitizer tree builds only
# what the example links (no CLI, no tests). Ends with one line "N passed, N failed". Exit status
# 0 only if everything passed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz_seconds=${FUZZ_SECONDS:-20}
jobs=$(nproc 2>/dev/null || echo 2)
"$root/tools/setup-debian.sh" test || exit 1

passed=0
failed=0
suite_start=$SECONDS
phase_start=$SECONDS
phase=""
# Each phase ends with how long it took; the suite ends with its total.
phase_end() { [ -z "$phase" ] || echo "--- phase $phase took $((SECONDS - phase_start)) s"; }
note() {
  phase_end
  phase=${1%%.*}
  phase_start=$SECONDS
  echo; echo "=== $*"
}
# ccache, where installed, only speeds up rebuilds; the build is the same without it.
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

run_ctest() {  # run_ctest BUILD_DIR [ctest args...]
  local log dir=$1
  shift
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@") 2>&1 | tee "$log"
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1))
  else
    local total bad
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    bad=$(sed -E 's/.*, ([0-9]+) tests failed.*/\1/' <<<"$line")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
  fi
  rm -f "$log"
}

build() {  # build DIR [cmake args...] [--target T]: configures, then builds T (default all)
  local dir=$1 target=()
  shift
  local args=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--target" ]; then target=(--target "$2"); shift 2; else args+=("$1"); shift; fi
  done
  cmake -S "$root" -B "$dir" -G Ninja "${launcher[@]}" "${args[@]}" >/dev/null &&
    cmake --build "$dir" -j "$jobs" "${target[@]}"
}

note "1. build (warnings are errors) and test"
if build "$root/build" -DACCEL_ATTEST_BENCH=ON; then run_ctest "$root/build"; else failed=$((failed + 1)); fi

note "2. clang ThreadSanitizer build of the library and the embedding example, 4 threads"
if build "$root/build-tsan" -DCMAKE_CXX_COMPILER=clang++ -DACCEL_ATTEST_TSAN=ON \
     -DACCEL_ATTEST_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo --target embed_example; then
  ex="$root/docs/examples/bundles/hgx-h100"
  tsan_key=$(mktemp -d)
  # A throwaway P-256 signing key for the example (keygen is a CLI command, not built here).
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tsan_key/key.pem" 2>/dev/null
  if TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$root/build-tsan/docs/examples/embed/embed_example" \
       "$root/firmware-profiles" "$ex/bundle.json" "$ex/sim-ak-ca.pem" "$ex/licence.json" \
       2026-11-27T00:00:00Z "$tsan_key/key.pem" 4 2 >"$tsan_key/out" 2>"$tsan_key/err" &&
     grep -q "4 threads x 2 rounds: identical claims" "$tsan_key/err" &&
     ! grep -q "ThreadSanitizer" "$tsan_key/err"; then
    echo "embed_example under ThreadSanitizer: $(tail -1 "$tsan_key/err")"
    passed=$((passed + 1))
  else
    echo "embed_example under ThreadSanitizer: FAILED"; tail -60 "$tsan_key/err"
    failed=$((failed + 1))
  fi
  rm -rf "$tsan_key"
else
  failed=$((failed + 1))
fi

note "3. clang ASan + UBSan build (with the fuzz targets) and test"
san_ok=0
if build "$root/build-san" -DCMAKE_CXX_COMPILER=clang++ -DACCEL_ATTEST_SANITIZE=ON \
     -DACCEL_ATTEST_FUZZ=ON -DACCEL_ATTEST_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  san_ok=1
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_ctest "$root/build-san" -E '^(report_chromium|load_test_pg|load_test_sqlite)$'
else
  failed=$((failed + 1))
fi

note "4. fuzz targets (libFuzzer + ASan/UBSan), ${fuzz_seconds}s each, $jobs at a time"
fuzz_one() {  # fuzz_one TARGET LOG: runs one fuzzer on a copy of its corpus
  local work
  work=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$1/"* "$work/" 2>/dev/null
  if "$root/build-san/tests/fuzz_$1" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
       -print_final_stats=1 "$work" >"$2" 2>&1; then
    echo "ok" >>"$2.status"
  fi
  rm -rf "$work"
}
if [ "$san_ok" -eq 1 ]; then
  targets=(lspci sysfs_id inventory_json json_strict spdm_report rim nvidia_evidence tpm_attest
           tpm_signature tpm_public tpm_eventlog ear_token bundle npu_smi licence timing_record
           nvml_chain inventory_binding terminal_safe ledger_export rim_import tpm_pcrs enrolment)
  logs=$(mktemp -d)
  running=0
  for target in "${targets[@]}"; do
    fuzz_one "$target" "$logs/$target.log" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  done
  wait
  for target in "${targets[@]}"; do
    if [ -f "$logs/$target.log.status" ]; then
      echo "fuzz_$target: $(grep -E 'stat::number_of_executed_units' "$logs/$target.log" | awk '{print $2}') runs, no crash"
      passed=$((passed + 1))
    else
      echo "fuzz_$target: FAILED"; tail -40 "$logs/$target.log"
      failed=$((failed + 1))
    fi
  done
  rm -rf "$logs"
else
  echo "skipped: the sanitizer build failed"
  failed=$((failed + 1))
fi

phase_end
echo "--- whole suite took $((SECONDS - suite_start)) s"
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
