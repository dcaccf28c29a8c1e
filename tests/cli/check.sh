# Shared by the CLI test scripts: `check NAME EXPECTED_EXIT GREP_PATTERN -- command...` runs the
# command, compares its exit code and greps its output; `ok`/`not_ok` count other assertions;
# `finish` prints "N passed, N failed" and sets the exit status. Needs $tmp.
pass=0
fail=0

check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, expected $want"; cat "$tmp/out" "$tmp/err" | head -20
    fail=$((fail + 1)); return
  fi
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$tmp/out" "$tmp/err"; then
    echo "FAIL $name: output lacks /$pattern/"; cat "$tmp/out" "$tmp/err" | head -20
    fail=$((fail + 1)); return
  fi
  pass=$((pass + 1))
}

ok() { pass=$((pass + 1)); }
not_ok() { echo "FAIL $*"; fail=$((fail + 1)); }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

# start_swtpm STATE_DIR PID_FILE LOG BASE STRIDE: a swtpm daemon on loopback with its state in
# STATE_DIR, on the first port pair of 8 tried that is free (BASE + 2k: below the ephemeral range
# 32768+, which the load and serve tests fill with TIME_WAIT; scripts running side by side use
# their own BASE parity and STRIDE). Sets $port: 0 when none started.
start_swtpm() {
  local state=$1 pidf=$2 log=$3 base=$4 stride=$5 i p
  port=0
  for i in 1 2 3 4 5 6 7 8; do
    p=$((base + 2 * (($$ + i * stride) % 6000)))
    if swtpm socket --tpm2 --tpmstate dir="$state" --server type=tcp,port=$p,bindaddr=127.0.0.1 \
         --ctrl type=tcp,port=$((p + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
         --daemon --pid file="$pidf" >>"$log" 2>&1; then port=$p; return 0; fi
  done
}
