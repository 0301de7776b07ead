# tests/lib/check.sh - the helpers every suite shares. Source it from
# the project root; a suite's last command is `check_done NAME`, whose line
# "NAME: P passed, F failed" is what tests/run.sh counts.
#
#   ok "what held"            bad "what did not (and why)"
#   check "what" 'CONDITION' ["detail shown when it fails"]
#
#   wait_for SECONDS 'CONDITION'   (poll every 0.1 s; the condition's status)
#
# A suite whose checks read something else (a JSON field, a score) defines
# its own check() after sourcing this file.
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1 ${3:-}"; fi; }
# wait_for SECONDS CONDITION: poll the condition every 0.1 s.
wait_for() {
    local i
    for ((i = 0; i < $1 * 10; i++)); do
        eval "$2" && return 0
        sleep 0.1
    done
    eval "$2"
}
# check_done NAME: print the tally; the status is 0 only when nothing failed.
check_done() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
