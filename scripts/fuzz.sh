#!/usr/bin/env bash
# Runs each fuzz target for SECONDS over its corpus: the seeds in Fuzz/Corpus/<target> (kept in git) and
# what earlier runs found in .build/fuzz/corpus/<target> (not kept). A crash stops the run, with its input
# in .build/fuzz/crashes/; turn it into a regression test, then keep the input in Fuzz/Corpus.
# With --merge instead of SECONDS, folds what runs found into Fuzz/Corpus, keeping inputs that add coverage.
# Usage: [FUZZ_MODE=debug] scripts/fuzz.sh SECONDS|--merge TARGET...   (the targets as built: release by default)
set -euo pipefail
seconds=$1
shift
build=.build/fuzz
binaries=$build/${FUZZ_MODE:-release}
mkdir -p "$build/crashes"
# libFuzzer saves the input of a failed precondition only if Swift's backtracer does not take the signal first.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=detect_leaks=0

# Datagrams fit in 2 KiB; offers from browsers are larger (Chromium's seed is 5,514 bytes), configuration files too.
max_len() {
    case $1 in
        FuzzSDP | FuzzAPI) echo 16384 ;;
        FuzzConfig) echo 4096 ;;
        *) echo 2048 ;;
    esac
}

for target in "$@"; do
    mkdir -p "$build/corpus/$target"
    if [ "$seconds" = --merge ]; then
        "$binaries/$target" -merge=1 -max_len="$(max_len "$target")" "Fuzz/Corpus/$target" "$build/corpus/$target"
        continue
    fi
    log="$build/$target.log"
    if ! "$binaries/$target" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$target-" "$build/corpus/$target" "Fuzz/Corpus/$target" >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "$target: crashed; the input is in $build/crashes/" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    echo "$target: $runs executions in $seconds s, $coverage, no crash"
done
