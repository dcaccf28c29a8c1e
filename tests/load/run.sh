#!/usr/bin/env bash
# The load test (issue 15): replicas of `accel-attest serve`, one per STORE_URL (give the same
# PostgreSQL URL twice for 2 replicas sharing it), evidence answering their challenges
# (make_bundles.py), N concurrent clients for a duration (load_client.py), and, with --kill-after
# (a persistent store only), replica 0 killed with SIGKILL mid-run and restarted on its port.
# Afterwards: every acknowledged result is retrievable, no nonce was accepted twice, the ledger
# verifies (`accel-attest ledger verify`, persistent stores), and every replica stops on SIGTERM
# with exit 0. Prints the load report and each replica's resident memory (VmRSS, VmHWM).
#
# Usage: tests/load/run.sh [--duration S] [--clients N] [--bundles N] [--kill-after S]
#                          [--bin PATH] [--report FILE] [--landmarks DIR] STORE_URL [STORE_URL...]
# (--landmarks: the replicas load the location boundaries too, for the memory figure; an empty
# directory will do). A STORE_URL of the form @FILE is the URL written in FILE (the test
# cluster's, tests/store/pg-cluster.sh). Evidence takes about 0.25 s a bundle to make; once every bundle was posted
# the clients post them again as replays (each must be refused) until the duration is over.
# e.g.   tests/load/run.sh memory:                                   (CI: 10 s)
#        tests/load/run.sh --duration 60 --bundles 400 sqlite:/tmp/aa.sqlite
#        tests/load/run.sh --duration 60 --bundles 400 --kill-after 20 "$PG" "$PG"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
bin=$src/build/accel-attest
duration=10 clients=4 bundles=40 kill_after=0 report= landmarks=
stores=()
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --bundles) bundles=$2; shift 2 ;;
    --kill-after) kill_after=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    --landmarks) landmarks=$2; shift 2 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    @*) stores+=("$(cat "${1#@}")"); shift ;;
    *) stores+=("$1"); shift ;;
  esac
done
[ ${#stores[@]} -gt 0 ] || { sed -n '2,14p' "$0"; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
token=load-test-token-$RANDOM$RANDOM
printf '%s\n' "$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)" > "$tmp/tokens"
"$bin" keys rotate --dir "$tmp/keys" >/dev/null
python3 "$here/make_bundles.py" ca "$tmp/ev"

start() {  # start INDEX LISTEN
  local i=$1
  rm -f "$tmp/port.$i"
  "$bin" serve --listen "$2" --port-file "$tmp/port.$i" --store "${stores[$i]}" \
    --keys "$tmp/keys" --bearer-tokens "$tmp/tokens" --ak-ca "$tmp/ev/ak-ca.pem" \
    --threads 8 ${landmarks:+--landmarks "$landmarks"} >>"$tmp/serve.$i.log" 2>&1 &
  pids[$i]=$!
  for _ in $(seq 600); do
    [ -s "$tmp/port.$i" ] && return 0
    kill -0 "${pids[$i]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: replica $i did not start:" >&2
  cat "$tmp/serve.$i.log" >&2
  exit 1
}

urls=()
for i in "${!stores[@]}"; do
  start "$i" 127.0.0.1:0
  urls+=("http://127.0.0.1:$(cat "$tmp/port.$i")")
done
url_args=()
for u in "${urls[@]}"; do url_args+=(--url "$u"); done
python3 "$here/make_bundles.py" bundles "$tmp/ev" "${url_args[@]}" --count "$bundles" \
  --token "$token" --bin "$bin"

persistent=1
shared=()
for s in "${stores[@]}"; do [ "$s" = memory: ] && persistent=0; done
if [ $persistent = 1 ] && [ "$(printf '%s\n' "${stores[@]}" | sort -u | wc -l)" = 1 ]; then
  shared=(--shared-store)
fi
if [ "$kill_after" != 0 ] && [ $persistent = 0 ]; then
  echo "run.sh: --kill-after needs a persistent store (a memory: replica forgets its results)" >&2
  exit 2
fi
rc=0
python3 "$here/load_client.py" --bundles "$tmp/ev" --clients "$clients" --duration "$duration" \
  --token "$token" ${report:+--report "$report"} "${shared[@]}" "${urls[@]}" &
client=$!
if [ "$kill_after" != 0 ]; then
  sleep "$kill_after"
  echo "run.sh: SIGKILL replica 0 (pid ${pids[0]})" >&2
  kill -KILL "${pids[0]}"
  wait "${pids[0]}" 2>/dev/null || true
  start 0 "127.0.0.1:${urls[0]##*:}"
  echo "run.sh: replica 0 restarted (pid ${pids[0]})" >&2
fi
wait "$client" || rc=$?
for i in "${!pids[@]}"; do
  echo "replica $i (${stores[$i]%%\?*}): $(grep -E '^(VmRSS|VmHWM)' "/proc/${pids[$i]}/status" | tr -s ' \t' ' ' | paste -sd, -)"
done
if [ $persistent = 1 ]; then
  for s in $(printf '%s\n' "${stores[@]}" | sort -u); do
    # with the result key: every token and served document is checked too
    "$bin" ledger verify --store "$s" --key "$tmp/keys/current.pem" ||
      { echo "run.sh: ledger verify failed for $s" >&2; rc=1; }
  done
fi
for i in "${!pids[@]}"; do
  kill -TERM "${pids[$i]}"
  if ! wait "${pids[$i]}"; then
    echo "run.sh: replica $i did not exit 0 on SIGTERM" >&2
    rc=1
  fi
done
pids=()
[ $rc = 0 ] && echo "load test passed" || { echo "load test FAILED"; tail -20 "$tmp"/serve.*.log; }
exit $rc
