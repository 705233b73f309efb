#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ (issue 10) with cargo-fuzz / libFuzzer and prints, per target, the time, the
# executions and the crashes found.
#
# Setup (once): `cargo install cargo-fuzz`. libFuzzer needs nightly rustc flags (-Zsanitizer=address); this script
# uses the installed stable toolchain with RUSTC_BOOTSTRAP=1 (set FUZZ_TOOLCHAIN=nightly to use a nightly instead).
# No Python and no network beyond the first `cargo` fetch of libfuzzer-sys.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET (default 600)] [TARGET ...]
#   FUZZ_JOBS=2       targets run at the same time (default 2; the machine is shared, every run is nice -n 19)
#   FUZZ_WORK=/tmp/rnnlab-fuzz   where the growing corpora, crash files and logs go (never the repo)
#   FUZZ_SANITIZER=address|none  (default address)
#
# Each run: -rss_limit_mb=2048 (a declared size in a header that makes us allocate more is a crash),
# -malloc_limit_mb=2048 (one allocation over 2 GB is a crash at once), -timeout=10 (an input taking longer is a
# hang), -max_len=65536. Fork mode (-fork=1 with -ignore_crashes/-ignore_ooms/-ignore_timeouts) keeps fuzzing after a
# crash, so one run finds every crash it can; each crashing input is saved under $FUZZ_WORK/artifacts/<target>.
# The seeds in fuzz/seeds/<target> are only read; new inputs go to $FUZZ_WORK/corpus.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(series_csv w2v_text w2v_binary nn_safetensors nn_model nn_model_arch seq2seq_model seq2seq_model_meta
        textprep_text)
fi
jobs=${FUZZ_JOBS:-2}
work=${FUZZ_WORK:-/tmp/rnnlab-fuzz}
sanitizer=${FUZZ_SANITIZER:-address}
toolchain=()
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    toolchain=("+$FUZZ_TOOLCHAIN")
else
    export RUSTC_BOOTSTRAP=1
fi
export CARGO_BUILD_JOBS=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-fuzz}/fuzz
mkdir -p "$work/logs" "$work/artifacts"

cd "$repo/fuzz"
echo "building ${targets[*]} (sanitizer $sanitizer)" >&2
for t in "${targets[@]}"; do
    nice -n 19 cargo "${toolchain[@]}" fuzz build -s "$sanitizer" "$t" >&2
done

run_one() {
    local t=$1
    mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
    local start=$SECONDS
    set +e
    nice -n 19 cargo "${toolchain[@]}" fuzz run -s "$sanitizer" "$t" "$work/corpus/$t" "$repo/fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -max_len=65536 \
        -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -artifact_prefix="$work/artifacts/$t/" -print_final_stats=1 >"$work/logs/$t.log" 2>&1
    local rc=$?
    set -e
    echo "$t rc=$rc elapsed=$((SECONDS - start))s" >>"$work/logs/$t.log"
}

# Crashes found earlier are kept as inputs in fuzz/regressions/<target>/ (until the loader is fixed, each still
# crashes): replay them first and say which still fail.
for t in "${targets[@]}"; do
    for input in "$repo/fuzz/regressions/$t"/*; do
        [ -f "$input" ] || continue
        if nice -n 19 cargo "${toolchain[@]}" fuzz run -s "$sanitizer" "$t" "$input" -- -rss_limit_mb=2048 \
            -malloc_limit_mb=2048 -timeout=10 -runs=1 >"$work/logs/regression-$t-$(basename "$input").log" 2>&1; then
            echo "regression $t/$(basename "$input"): passes (fixed)"
        else
            echo "regression $t/$(basename "$input"): still crashes (see $work/logs/regression-$t-$(basename "$input").log)"
        fi
    done
done

running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

printf '%-20s %8s %12s %18s %s\n' target seconds execs oom/timeout/crash artifacts
for t in "${targets[@]}"; do
    log="$work/logs/$t.log"
    # Fork mode prints '#<execs>: cov: ... oom/timeout/crash: a/b/c time: ...' lines; the last one is the total.
    execs=$(grep -o '^#[0-9]*: cov' "$log" | tail -1 | tr -dc 0-9)
    elapsed=$(grep -o 'elapsed=[0-9]*' "$log" | tail -1 | cut -d= -f2)
    crashes=$(grep -o 'oom/timeout/crash: [0-9/]*' "$log" | tail -1 | cut -d' ' -f2)
    printf '%-20s %8s %12s %18s %s\n' "$t" "${elapsed:-?}" "${execs:-?}" "${crashes:-?}" "$work/artifacts/$t"
done
