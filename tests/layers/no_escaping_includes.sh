#!/bin/sh
# The layer include roots (CMakeLists.txt) hold links to exactly the headers a layer may use; a
# quote include that climbs out of its root with "../" or names an absolute path could reach the
# source tree past them. None of verifier/ may do either (the compiler checks the rest).
# Usage: no_escaping_includes.sh <source dir>
set -eu
src=$1
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(/|[^"]*\.\./)' "$src/verifier" || true)
if [ -n "$bad" ]; then
  echo "includes that escape the layer include roots:"
  echo "$bad"
  exit 1
fi
echo "no include in verifier/ escapes its layer's include root"
