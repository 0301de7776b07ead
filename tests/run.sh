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
    local line p
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
    suite_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    suite_failed=${suite_failed:-1}
    passed=$((passed + ${p:-0}))
    failed=$((failed + suite_failed))
}

run_suite() { # name, command...
    local name=$1 rc
    shift
    echo "== $name"
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ]; then
        grep -qE '[0-9]+ passed, [0-9]+ failed' "$log" || echo "$name: 0 passed, 1 failed" >>"$log"
    fi
    count "$log"
    # A suite that fails after a clean summary (a sanitizer's leak report
    # at exit, a crash in its cleanup) still fails the run.
    if [ "$rc" -ne 0 ] && [ "$suite_failed" -eq 0 ]; then
        echo "FAIL $name exited with status $rc after reporting no failure"
        failed=$((failed + 1))
    fi
}

run_suite unit "$LC_BUILD/unit-tests"
run_suite cli tests/cli.sh
run_suite api tests/api.sh
run_suite api-video tests/api_video.sh
run_suite api-forensics tests/api_forensics.sh
run_suite api-active tests/api_active.sh
run_suite callback tests/callback.sh
run_suite reliability tests/reliability.sh
run_suite multinode tests/multinode.sh
run_suite capture tests/capture.sh
run_suite video tests/video.sh
run_suite speech tests/speech.sh
run_suite active tests/active.sh
run_suite eval tests/eval.sh
if ls "$LC_BUILD"/fuzz-replay-* >/dev/null 2>&1; then
    run_suite fuzz-replay tests/fuzz_replay.sh
fi
run_suite install tests/install.sh

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
