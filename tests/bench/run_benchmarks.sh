#!/usr/bin/env bash
# Runs every benchmark; figures go to stdout and, as JSON, to the folder given ($1).
set -euo pipefail
out=${1:-bench-out}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
for b in "$here"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" "$out"
done
