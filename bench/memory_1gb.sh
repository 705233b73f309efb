#!/usr/bin/env bash
# Peak memory against input size (issue 10: "a 1 GB input file works within 2 GB of memory; memory grows with the
# vocabulary, not with the file size"). Builds two inputs in /tmp (never in the repo) by repeating the novel with
# each copy's lines shuffled (same vocabulary, any size): ~100 MB and ~1 GB. Runs `w2v train` (1 epoch, dim 50),
# `ngrams --input` (the summary: one streamed pass), `ngrams --input --json` (two streamed passes, the JSON to
# /dev/null, its indices/data arrays spilled to temporary files under $TMPDIR), `onehot --input
# --fragment-chars` and `char-rnn train --fragment-chars` (1 epoch, 32 units) on both under /usr/bin/time -v and prints peak RSS, wall and CPU time. If the 1 GB peak is
# ~10x the 100 MB peak, the app holds data in proportion to the file.
#
# Usage: bench/memory_1gb.sh            (from the repo root; everything runs under nice -n 19)
#   MEM_BIN=/work/target-fuzz/release   where the release binaries are (cargo build --release -p w2v -p ngrams -p onehot -p char-rnn)
#   MEM_WORK=/tmp/rnnlab-mem            scratch directory; MEM_SIZES="100 1000" sizes in MB; MEM_KEEP=1 keeps the inputs
#   MEM_APPS="w2v ngrams ngrams-json onehot char-rnn"   which rows to run
# Needs ../shared/data/crime_and_punishment.txt. No Python.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${MEM_BIN:-${CARGO_TARGET_DIR:-/work/target-fuzz}/release}
work=${MEM_WORK:-/tmp/rnnlab-mem}
sizes=${MEM_SIZES:-"100 1000"}
apps=" ${MEM_APPS:-w2v ngrams ngrams-json onehot char-rnn} "
novel="$repo/../shared/data/crime_and_punishment.txt"
mkdir -p "$work"

make_input() {
    local mb=$1 out="$work/text_${1}mb.txt"
    if [ ! -f "$out" ]; then
        local copy=0
        : >"$out"
        while [ "$(stat -c %s "$out")" -lt $((mb * 1000 * 1000)) ]; do
            copy=$((copy + 1))
            shuf --random-source=<(yes "$copy") "$novel" >>"$out"
        done
    fi
    echo "$out"
}

measure() { # measure LABEL CMD... ; prints one row
    local label=$1
    shift
    local log="$work/time.log"
    if ! nice -n 19 /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
        echo "$label: FAILED: $(grep -v '^\s' "$log" | tail -3)"
        return
    fi
    local rss wall user sys
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    user=$(awk -F': ' '/User time/ {print $2}' "$log")
    sys=$(awk -F': ' '/System time/ {print $2}' "$log")
    printf '%-34s peak RSS %8.1f MB   wall %10s   cpu %8.1f s\n' "$label" "$(echo "$rss / 1024" | bc -l)" "$wall" \
        "$(echo "$user + $sys" | bc -l)"
}

for mb in $sizes; do
    input=$(make_input "$mb")
    bytes=$(stat -c %s "$input")
    echo "== input $input: $(echo "$bytes / 1000000" | bc) MB, $(wc -w <"$input") words"
    if [[ $apps == *" w2v "* ]]; then
        measure "w2v train ($mb MB, 1 epoch, dim 50)" "$bin/w2v" train --input "$input" --epochs 1 --dim 50 \
            --threads 2 --quiet --binary --out "$work/vectors.bin"
    fi
    if [[ $apps == *" ngrams "* ]]; then
        measure "ngrams --input ($mb MB)" "$bin/ngrams" --input "$input" --threads 2
    fi
    if [[ $apps == *" ngrams-json "* ]]; then
        measure "ngrams --input --json ($mb MB)" "$bin/ngrams" --input "$input" --ngram-range 1,2 --json --threads 2
    fi
    if [[ $apps == *" onehot "* ]]; then
        measure "onehot --fragment-chars 100000 ($mb MB)" "$bin/onehot" --input "$input" --fragment-chars 100000 \
            --out "$work/X.npy"
    fi
    if [[ $apps == *" char-rnn "* ]]; then
        measure "char-rnn train --fragment-chars 200000 ($mb MB, 1 epoch, 32 units)" "$bin/char-rnn" train \
            --input "$input" --fragment-chars 200000 --epochs 1 --units 32 --sample-len 0 --threads 2 \
            --out "$work/char-rnn-model"
    fi
done
rm -rf "$work/vectors.bin" "$work"/*.npy "$work"/alphabet.json "$work/char-rnn-model"
if [ -z "${MEM_KEEP:-}" ]; then
    rm -f "$work"/text_*mb.txt
fi
