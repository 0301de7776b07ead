#!/usr/bin/env bash
# tests/run.sh - the whole test suite (`make test`): C unit tests, the CLI
# end to end, the attack-detection targets on the dev data (tests/eval.sh),
# and the fuzz corpora replayed. Prints "N passed, N failed"
# as its last line and exits non-zero if anything failed.
#
# Environment: LC_BUILD (build dir, default build), LC_DEV_DATA (default
# ../shared/data/dev), LC_MODELS (default models).
set -uo pipefail
cd "$(dirname "$0")/.."
export LC_BUILD=${LC_BUILD:-build}
export LC_DEV_DATA=${LC_DEV_DATA:-../shared/data/dev}
export LC_MODELS=${LC_MODELS:-models}

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # $1 = log of a suite that ends with "...: P passed, F failed"
    local line p f
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
}

run_suite() { # name, command...
    local name=$1
    shift
    echo "== $name"
    if ! "$@" 2>&1 | tee "$log"; then
        grep -qE '[0-9]+ passed, [0-9]+ failed' "$log" || echo "$name: 0 passed, 1 failed" >>"$log"
    fi
    count "$log"
}

run_suite unit "$LC_BUILD/unit-tests"
run_suite cli tests/cli.sh
run_suite api tests/api.sh
run_suite api-video tests/api_video.sh
run_suite api-forensics tests/api_forensics.sh
run_suite video tests/video.sh
run_suite speech tests/speech.sh
run_suite eval tests/eval.sh
if ls "$LC_BUILD"/fuzz-replay-* >/dev/null 2>&1; then
    run_suite fuzz-replay tests/fuzz_replay.sh
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
