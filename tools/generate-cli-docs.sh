#!/usr/bin/env bash
# Regenerates the committed man page and bash completion from the CLI definitions.
# Usage: tools/generate-cli-docs.sh [BINARY]   (default build/accel-attest)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/accel-attest}
"$bin" man >docs/accel-attest.1
"$bin" completion bash >docs/accel-attest.bash-completion
