#!/usr/bin/env bash
# Runs every benchmark; figures go to stdout and, as JSON, to the folder given ($1).
# A benchmark that fails does not stop the others; the script then exits non-zero.
set -euo pipefail
out=${1:-bench-out}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
failed=()
for b in "$here"/bench_*; do
  # -f: CMake's bench_*_autogen folders are "executable" too.
  [ -f "$b" ] && [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  start=$SECONDS
  status=0
  "$b" "$out" || status=$?
  if [ "$status" -eq 0 ]; then
    echo "== $(basename "$b"): $((SECONDS - start)) s"
  else
    echo "== $(basename "$b") FAILED (exit $status)"
    failed+=("$(basename "$b")")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
