#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/CMakeLists.txt, clang) and runs each for
# FUZZ_SECONDS from its seed corpus and dictionary. Fails on any crash, leak, timeout (10 s for
# one input) or allocation over 2 GiB, naming the input that did it and how to keep it as a
# regression input. Writes a summary (one line per target and summary.json) into the build folder.
#   run_fuzzers.sh BUILD_DIR [TARGET...]      env: FUZZ_SECONDS (60), FUZZ_JOBS (nproc)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_fuzzers.sh BUILD_DIR [TARGET...]}
shift
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}

CC=clang CXX=clang++ cmake -S "$here" -B "$build" -G Ninja >/dev/null || exit 2
cmake --build "$build" || exit 2

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for t in "$build"/fuzz_*; do targets+=("$(basename "$t" | sed 's/^fuzz_//')"); done
fi

run_one() {
    local here=$1 build=$2 seconds=$3 t=$4
    local work="$build/work/$t" findings="$build/findings"
    rm -rf "$work" && mkdir -p "$work" "$findings"
    cp "$here/corpus/$t"/* "$work"/ 2>/dev/null
    [ -d "$here/regressions/$t" ] && cp "$here/regressions/$t"/* "$work"/ 2>/dev/null
    local dict=()
    [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
    "$build/fuzz_$t" "$work" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/$t-" >"$build/$t.log" 2>&1
    local rc=$?
    local runs cov
    runs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$')
    cov=$(grep -a -o 'cov: [0-9]*' "$build/$t.log" | tail -1 | grep -o '[0-9]*')
    if [ $rc -eq 0 ]; then
        printf '%-20s ok      %10s inputs in %ss, %s coverage points\n' "$t" "${runs:-?}" "$seconds" "${cov:-?}"
    else
        printf '%-20s FAILED  (exit %s): %s\n' "$t" "$rc" \
            "$(grep -a -m1 -E 'ERROR|SUMMARY|deadly signal|Test unit written' "$build/$t.log")"
        echo "    log: $build/$t.log; keep the input as a regression: cp $findings/$t-* $here/regressions/$t/"
    fi
    echo "{\"target\": \"$t\", \"ok\": $([ $rc -eq 0 ] && echo true || echo false), \"seconds\": $seconds, \"inputs\": ${runs:-0}, \"coverage\": ${cov:-0}}" >"$build/$t.json"
    return $rc
}
export -f run_one

echo "Fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs at a time"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ "$here" "$build" "$seconds" {}
status=$?
{
    echo "["
    first=1
    for t in "${targets[@]}"; do
        [ $first -eq 1 ] || echo ","
        first=0
        cat "$build/$t.json"
    done
    echo "]"
} >"$build/summary.json"
if [ $status -ne 0 ]; then
    echo "fuzzing found a problem (see above)" >&2
    exit 1
fi
echo "every target ran clean; summary in $build/summary.json"
