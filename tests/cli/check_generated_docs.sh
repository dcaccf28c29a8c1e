#!/usr/bin/env bash
# The committed man page (docs/accel-attest.1) and bash completion
# (docs/accel-attest.bash-completion) are exactly what `accel-attest man` and
# `accel-attest completion bash` print; regenerate them with tools/generate-cli-docs.sh. The
# completion script also loads in bash and completes subcommands and options.
# Usage: check_generated_docs.sh BINARY SOURCE_DIR
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"
"$bin" man >"$tmp/man" && cmp -s "$tmp/man" "$src/docs/accel-attest.1" && ok ||
  not_ok "docs/accel-attest.1 differs from 'accel-attest man' (run tools/generate-cli-docs.sh)"
"$bin" completion bash >"$tmp/bash" && cmp -s "$tmp/bash" "$src/docs/accel-attest.bash-completion" && ok ||
  not_ok "docs/accel-attest.bash-completion differs from 'accel-attest completion bash'"
check completion-bad-shell 2 "" -- "$bin" completion fish
# Every leaf command's options are in the man page.
for c in "identify" "nvidia verify" "tpm verify" "verify-token" "location verify" "landmark respond"; do
  grep -qF ".SS \"accel\\-attest ${c//-/\\-}\"" "$tmp/man" && ok || not_ok "man page lacks $c"
done
complete_words() {  # complete_words WORD...: what the completion offers for the last word
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _accel_attest; echo "${COMPREPLY[*]}"' \
    _ "$tmp/bash" "$@"
}
[[ " $(complete_words accel-attest ide) " == *" identify "* ]] && ok || not_ok "completion of 'ide'"
[[ " $(complete_words accel-attest tpm verify --fail) " == *" --fail-on "* ]] && ok ||
  not_ok "completion of 'tpm verify --fail'"
[[ " $(complete_words accel-attest nvidia "") " == *" verify "* ]] && ok || not_ok "completion under nvidia"
finish
