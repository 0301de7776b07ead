#!/usr/bin/env bash
# fuzz/campaign.sh - a timed fuzzing campaign over the libFuzzer targets:
# builds them (make build/fuzz/fuzz-T: clang, ASan+UBSan), then runs each
# target in turn for FUZZ_SECONDS (default 60), one job (-jobs=1, one core),
# from its committed corpus fuzz/corpus/T into a fresh working corpus, and
# prints a markdown table row per target for docs/fuzzing.md: executions,
# executions/s, coverage, the new inputs kept and the crashes (crash-,
# leak-, timeout-, oom- artifacts). The work of each target stays in
# build/fuzz/campaign/T (fuzz-0.log, corpus/, art/).
# Exit 1 when any target left an artifact (or a build failed).
#
#   fuzz/campaign.sh [TARGET...]        default: every fuzz/fuzz_*.c
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
W=build/fuzz/campaign
mkdir -p build/fuzz
root=$PWD
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for src in fuzz/fuzz_*.c; do
        t=${src#fuzz/fuzz_}
        targets+=("${t%.c}")
    done
fi
make --no-print-directory "${targets[@]/#/build/fuzz/fuzz-}" >"$W.build.log" 2>&1 ||
    { echo "campaign: the build failed (see $W.build.log)" >&2; exit 1; }

echo "| target | seconds | executions | exec/s | coverage (cov) | seed inputs | new inputs kept | crashes |"
echo "|---|---|---|---|---|---|---|---|"
found=0
for t in "${targets[@]}"; do
    d=$W/$t
    rm -rf "$d"
    mkdir -p "$d/corpus" "$d/art"
    start=$(date +%s)
    (cd "$d" && "$root/build/fuzz/fuzz-$t" -max_total_time="$SECS" -jobs=1 -timeout=10 \
        -print_final_stats=1 -artifact_prefix=art/ corpus "$root/fuzz/corpus/$t") \
        >"$d/driver.log" 2>&1
    took=$(($(date +%s) - start))
    log=$d/fuzz-0.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    seeds=$(find "fuzz/corpus/$t" -type f | wc -l)
    units=$(find "$d/corpus" -type f | wc -l)
    arts=$(find "$d/art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    what=$arts
    if [ "$arts" -gt 0 ]; then
        found=1
        what="$arts ($(find "$d/art" -type f -printf '%f ' | sed 's/ $//'))"
    fi
    # libFuzzer's own time ("Done N runs in S second(s)"), else the wall time
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    secs=${secs:-$took}
    rate=$(awk -v e="${execs:-0}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')
    echo "| $t | $secs | ${execs:-?} | $rate | ${cov:-?} | $seeds | $units | $what |"
done
exit "$found"
