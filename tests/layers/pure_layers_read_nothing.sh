#!/bin/sh
# The appraisers, the pipeline and the location claims are functions of what they are given:
# they read no file, clock or environment (docs/architecture.md). The include roots cannot say
# so (core/text.h, which has read_file(), is below them), so this looks at their sources for the
# calls that would. The one known exception (load_export_policy()'s read, the line after a
# comment naming "the known exception") is allowed until the policy types move to the
# reference layer.
# Usage: pure_layers_read_nothing.sh <source dir> <file stem>...
set -eu
src=$1
shift
pattern='read_file\(|ifstream|ofstream|fopen\(|getenv|secure_getenv|directory_iterator|/proc/|time\(nullptr\)|std::time\(|system_clock|steady_clock|high_resolution_clock|clock_gettime|gettimeofday'
status=0
for stem in "$@"; do
  for f in "$src/verifier/$stem.h" "$src/verifier/$stem.cpp"; do
    [ -f "$f" ] || continue
    hits=$(awk -v pat="$pattern" '
      $0 ~ pat && prev !~ /the known exception/ { print FILENAME ":" FNR ": " $0 }
      { prev = $0 }' "$f")
    if [ -n "$hits" ]; then
      echo "$hits"
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "no file, clock or environment read in: $*"
exit $status
