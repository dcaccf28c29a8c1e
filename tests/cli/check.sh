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
