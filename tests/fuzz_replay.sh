#!/usr/bin/env bash
# tests/fuzz_replay.sh - replay every fuzz target's corpus (fuzz/corpus/<t>)
# through its LLVMFuzzerTestOneInput, built without clang.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${LC_BUILD:-build}
pass=0
fail=0
for bin in "$B"/fuzz-replay-*; do
    case $bin in *.d) continue ;; esac
    t=${bin##*/fuzz-replay-}
    if "$bin" "fuzz/corpus/$t" >/dev/null 2>&1; then
        echo "ok   corpus $t"
        pass=$((pass + 1))
    else
        echo "FAIL corpus $t"
        fail=$((fail + 1))
    fi
done
echo "fuzz-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
