#!/usr/bin/env bash
# Atomic output under kill -9 (issue 10). For each case: an app writes a file over an existing good one; it is
# killed with SIGKILL: in odd trials after a delay spread over its measured run time, in even trials as soon as a
# temporary file shows up beside the target (the write has begun) plus a few milliseconds. After each kill the file at the final name must be byte-identical to the previous good file or
# to the complete new file (the run is deterministic, so a finished run's output is known) — never anything else.
# Temporary files left beside it (a SIGKILLed process cannot remove them) are counted: their presence shows the
# kill landed during the write, and they must never carry the final name.
#
# Usage: tools/kill_test.sh [TRIALS_PER_CASE (default 8)]
#   KILL_BIN=/work/target-fuzz/release   where the app binaries are (cargo build --release -p onehot -p w2v ...)
#   KILL_WORK=/tmp/rnnlab-kill           scratch directory (never the repo)
# Input text: ../shared/data/crime_and_punishment.txt when present, else generated words. No Python needed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
trials=${1:-8}
bin=${KILL_BIN:-${CARGO_TARGET_DIR:-/work/target-fuzz}/release}
work=${KILL_WORK:-/tmp/rnnlab-kill}
rm -rf "$work"
mkdir -p "$work"

novel="$repo/../shared/data/crime_and_punishment.txt"
if [ ! -f "$novel" ]; then
    novel="$work/words.txt"
    awk 'BEGIN { srand(7); for (l = 0; l < 40000; l++) { s = ""; for (w = 0; w < 12; w++) s = s sprintf("w%d ", int(rand() * rand() * 5000)); print s "." } }' >"$novel"
fi

failures=0
now() { date +%s.%N; }

# kill_case NAME RELATIVE_FILE OLD_CMD NEW_CMD [CHECK_CMD]
# Commands are strings in which @DIR@ stands for the output directory. CHECK_CMD (optional) runs after each kill
# and must exit 0 or 1 (a clear refusal), never 101 or a signal.
kill_case() {
    local name=$1 rel=$2 old_cmd=$3 new_cmd=$4 check_cmd=${5:-}
    local base="$work/$name"
    mkdir -p "$base/old" "$base/ref"
    eval "${old_cmd//@DIR@/$base/old}" >/dev/null 2>&1
    local t0 t1
    t0=$(now)
    eval "${new_cmd//@DIR@/$base/ref}" >/dev/null 2>&1
    t1=$(now)
    local old_hash new_hash total
    old_hash=$(sha256sum "$base/old/$rel" | cut -d' ' -f1)
    new_hash=$(sha256sum "$base/ref/$rel" | cut -d' ' -f1)
    total=$(echo "$t1 - $t0" | bc -l)
    if [ "$old_hash" = "$new_hash" ]; then
        echo "$name: old and new outputs are identical; the case cannot tell them apart" >&2
        failures=$((failures + 1))
        return
    fi
    local kept_old=0 got_new=0 corrupt=0 midwrite=0 leftovers=0 bad_check=0
    for i in $(seq 1 "$trials"); do
        local dir="$base/run$i"
        rm -rf "$dir"
        cp -r "$base/old" "$dir"
        eval "exec ${new_cmd//@DIR@/$dir}" >/dev/null 2>&1 &
        local pid=$!
        local delay
        if [ $((i % 2)) -eq 1 ]; then
            # Odd trials: a delay spread over the measured run time.
            delay=$(echo "$total * $i / ($trials + 1)" | bc -l)
            sleep "$delay"
        else
            # Even trials: as soon as a temporary file appears (the write has begun), plus 0, 2, 4, ... ms.
            local waited=0
            while [ -z "$(find "$dir" -name '*.tmp*' -print -quit)" ] && kill -0 "$pid" 2>/dev/null \
                && [ "$waited" -lt 100000 ]; do
                sleep 0.002
                waited=$((waited + 1))
            done
            delay="temp+$((i - 2))ms"
            sleep "$(echo "($i - 2) / 1000" | bc -l)"
        fi
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        local hash
        hash=$(sha256sum "$dir/$rel" 2>/dev/null | cut -d' ' -f1 || true)
        if [ "$hash" = "$old_hash" ]; then
            kept_old=$((kept_old + 1))
        elif [ "$hash" = "$new_hash" ]; then
            got_new=$((got_new + 1))
        else
            corrupt=$((corrupt + 1))
            echo "$name trial $i (kill after ${delay}s): $rel is neither the old nor the new file (hash ${hash:-missing})" >&2
        fi
        local tmps
        tmps=$(find "$dir" -name '*.tmp*' | wc -l)
        if [ "$tmps" -gt 0 ]; then
            midwrite=$((midwrite + 1))
            leftovers=$((leftovers + tmps))
        fi
        if [ -n "$check_cmd" ]; then
            local rc=0
            eval "${check_cmd//@DIR@/$dir}" >"$dir.check.out" 2>&1 || rc=$?
            if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
                bad_check=$((bad_check + 1))
                echo "$name trial $i: check exited $rc: $(tail -c 300 "$dir.check.out")" >&2
            fi
        fi
        rm -rf "$dir"
    done
    printf '%-22s run %6.2fs  kills %2d  old kept %2d  new complete %2d  corrupt %d  killed mid-write %2d (temp files left %d)  bad check %d\n' \
        "$name" "$total" "$trials" "$kept_old" "$got_new" "$corrupt" "$midwrite" "$leftovers" "$bad_check"
    failures=$((failures + corrupt + bad_check))
}

# onehot: X.npy of ~40 000 sentences × 40 steps × the alphabet (~100 MB), over an X.npy of a shorter fragment.
kill_case onehot_x_npy X.npy \
    "'$bin/onehot' --input '$novel' --fragment-chars 30000 --stride 1 --out @DIR@/X.npy" \
    "'$bin/onehot' --input '$novel' --fragment-chars 40000 --stride 1 --out @DIR@/X.npy"

# w2v: word2vec text vectors over vectors from another seed.
kill_case w2v_vectors_txt vectors.txt \
    "'$bin/w2v' train --input '$novel' --epochs 1 --dim 32 --threads 1 --seed 2 --text --quiet --out @DIR@/vectors.txt" \
    "'$bin/w2v' train --input '$novel' --epochs 1 --dim 32 --threads 1 --seed 1 --text --quiet --out @DIR@/vectors.txt"

# w2v: binary vectors.
kill_case w2v_vectors_bin vectors.bin \
    "'$bin/w2v' train --input '$novel' --epochs 1 --dim 32 --threads 1 --seed 2 --binary --quiet --out @DIR@/vectors.bin" \
    "'$bin/w2v' train --input '$novel' --epochs 1 --dim 32 --threads 1 --seed 1 --binary --quiet --out @DIR@/vectors.bin"

# wells: the forecast plot (SVG) and the saved model, over those of another seed.
wells_cmd="'$bin/wells' --csv '$repo/fixtures/wells/production_synthetic.csv' --epochs 20 --ensemble 1 --units 8 --threads 1 --quiet --out @DIR@/out --plot @DIR@/plot.svg --save-model @DIR@/model"
kill_case wells_plot_svg plot.svg "$wells_cmd --seed 2" "$wells_cmd --seed 1"
kill_case wells_model model/model-0.safetensors "$wells_cmd --seed 2" "$wells_cmd --seed 1" \
    "'$bin/wells' --csv '$repo/fixtures/wells/production_synthetic.csv' --load-model @DIR@/model --threads 1 --quiet --out @DIR@/out2 --no-plots"

# char-rnn: the model directory (weights + description) over a model of another seed; loading it afterwards must
# succeed or refuse clearly (a weights file that does not match its description is refused).
char_cmd="'$bin/char-rnn' train --input '$novel' --fragment-chars 20000 --epochs 1 --units 16 --threads 1 --out @DIR@/model"
kill_case char_rnn_weights model/model.safetensors "$char_cmd --seed 2" "$char_cmd --seed 1" \
    "'$bin/char-rnn' generate --model @DIR@/model --len 20"

if [ "$failures" -gt 0 ]; then
    echo "FAILED: $failures corrupt files or bad loads" >&2
    exit 1
fi
echo "kill test passed: every interrupted write left the previous file or the complete new one"
