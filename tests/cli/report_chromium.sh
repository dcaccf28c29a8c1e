#!/usr/bin/env bash
# Renders the audit report of the example results in headless Chromium (Debian `chromium`):
# takes a screenshot at a laptop size and prints to PDF (kept in OUT_DIR for a person to look
# at), and checks the rendered DOM has the verdict, one row per device and the findings.
# Usage: report_chromium.sh BINARY SOURCE_DIR OUT_DIR
set -u
bin=$1
src=$2
out=$3
ex=$src/docs/examples/bundles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  not_ok "chromium is not installed (tools/setup-debian.sh test installs it)"
  finish
  exit 1
fi
mkdir -p "$out"
"$bin" keygen --out "$tmp/k" >/dev/null
render() {  # render NAME: screenshot, PDF and DOM of $out/NAME.html
  local html=$out/$1.html
  for what in "--screenshot=$out/$1.png --window-size=1366,900" "--print-to-pdf=$out/$1.pdf" "--dump-dom"; do
    # shellcheck disable=SC2086
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
      --user-data-dir="$tmp/profile" --no-first-run $what "file://$html" >"$tmp/$1.dom" 2>"$tmp/$1.log" </dev/null
  done
}
at=2026-11-27T00:00:00Z
"$bin" verify "$ex/hgx-h100/bundle.json" --key "$tmp/k/signing-key.pem" --out "$tmp/hgx.jwt" \
  --licence "$ex/hgx-h100/licence.json" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" --time "$at" \
  --nonce 4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e >/dev/null
check report-hgx 0 "signature verified" -- "$bin" report "$tmp/hgx.jwt" -o "$out/report-hgx.html" \
  --jwks "$tmp/k/jwks.json"
"$bin" verify "$ex/ascend-910b/bundle.json" --key "$tmp/k/signing-key.pem" --out "$tmp/asc.jwt" \
  --ak-ca "$ex/ascend-910b/sim-ak-ca.pem" --time "$at" >/dev/null
check report-ascend 0 "signature verified" -- "$bin" report "$tmp/asc.jwt" -o "$out/report-ascend.html" \
  --jwks "$tmp/k/jwks.json"

check report-hgx-unverified 0 "UNVERIFIED" -- "$bin" report "$tmp/hgx.jwt" -o "$out/report-hgx-unverified.html" \
  --unverified

for name in report-hgx report-ascend report-hgx-unverified; do
  render "$name"
  if [ "$(head -c 8 "$out/$name.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] &&
     [ "$(stat -c %s "$out/$name.png")" -gt 20000 ]; then ok; else
    not_ok "$name: no screenshot"; cat "$tmp/$name.log" | tail -5; fi
  if [ "$(head -c 5 "$out/$name.pdf" 2>/dev/null)" = "%PDF-" ]; then ok; else not_ok "$name: no PDF"; fi
  grep -q '<div class="verdict' "$tmp/$name.dom" && ok || not_ok "$name: rendered DOM has no verdict"
done
grep -q 'id="verdict"><b>warning</b>' "$tmp/report-hgx.dom" && ok || not_ok "hgx verdict"
[ "$(grep -o 'class="device"' "$tmp/report-hgx.dom" | wc -l)" -eq 8 ] && ok || not_ok "hgx: 8 device rows"
grep -q 'nvidia.rim.not-checked' "$tmp/report-hgx.dom" && ok || not_ok "hgx: findings"
grep -q 'id="verdict"><b>contraindicated</b>' "$tmp/report-ascend.dom" && ok || not_ok "ascend verdict"
[ "$(grep -o 'class="device"' "$tmp/report-ascend.dom" | wc -l)" -eq 8 ] && ok || not_ok "ascend: 8 device rows"
grep -q 'policy.prc-3a090-part' "$tmp/report-ascend.dom" && ok || not_ok "ascend: findings"
# Unverified: the banner says so, and nothing is coloured as a verdict.
grep -q 'id="verdict"><b>UNVERIFIED</b>' "$tmp/report-hgx-unverified.dom" && ok || not_ok "unverified banner"
grep -qE 'class="(verdict|pill) (affirming|warning|contraindicated|none|info|warn|fail)"' \
  "$tmp/report-hgx-unverified.dom" && not_ok "unverified page has status colours" || ok
grep -q 'id="reverify"' "$tmp/report-hgx.dom" && ok || not_ok "hgx: no re-verify command"
echo "screenshots and PDFs in $out"
finish
