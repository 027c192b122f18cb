#!/usr/bin/env bash
# Cold build times: `cargo build --release`, then `cargo test --no-run`, each timed with
# /usr/bin/time -v in a fresh target directory (the registry is not cleared: crates already
# downloaded are not downloaded again), and the number of test executables.
#
#   benches/cold_build.sh                      # target dir in a fresh mktemp -d, removed after
#   COLD_TARGET=/tmp/cold benches/cold_build.sh   # keep it there (must not exist yet)
#
# Takes minutes and both cores; run it on an otherwise idle machine for comparable figures.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

if [ -n "${COLD_TARGET:-}" ]; then
  [ ! -e "$COLD_TARGET" ] || { echo "$COLD_TARGET exists: not a cold build" >&2; exit 1; }
  target="$COLD_TARGET"
else
  target="$(mktemp -d)"
  trap 'rm -rf "$target"' EXIT
fi
export CARGO_TARGET_DIR="$target"
log="$(mktemp)"

timed() {
  echo "== $*"
  /usr/bin/time -v "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  grep -E 'Elapsed \(wall clock\)|User time|System time|Percent of CPU|Maximum resident set size' "$log" \
    | sed 's/^\s*/  /'
}

timed cargo build --release
timed cargo test --no-run
echo "== test executables"
grep -c '^  Executable ' "$log" | sed 's/^/  all: /'
grep -c '^  Executable tests/' "$log" | sed 's/^/  integration test binaries: /'
rm -f "$log"
