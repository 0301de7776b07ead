#!/usr/bin/env bash
# bench/soak.sh - `make soak`: livecheckd under steady load for a long time,
# to catch what a 20 s benchmark cannot (memory growth, descriptor leaks,
# errors that come with time). Starts livecheckd on loopback with a
# temporary data directory and a fresh credential (as bench/http_bench.sh
# does), runs wrk for SOAK_SECONDS (default 600) at 32 connections on POST
# /v2/kyc/forensics/liveness/passive with a 1600x1600 EXIF JPEG made from a
# dev photo (bench/soak.lua: the requests of bench/http_bench.lua, answers
# counted by status), and samples livecheckd's RSS (VmRSS) and open file
# descriptors every 10 s. Then prints requests, requests/s, latency, the
# non-2xx answers by status and the samples, and checks the targets:
#
#   - RSS at the end within +10% of RSS after warm-up (SOAK_WARMUP, 60 s;
#     half the run when the run is shorter than 120 s);
#   - open descriptors flat: idle after the load as many as idle before it
#     (and under load, the end no more than after warm-up);
#   - no errors: no 5xx but 503, no 4xx but 429, no socket errors, the
#     process alive throughout and exiting 0 on SIGTERM at the end.
#     429 and 503 (with Retry-After) are livecheckd's documented
#     back-pressure (docs/api.md, Capacity): counted and shown, not errors.
#
# Exits 1 when a target fails or the run itself broke.
#
# Environment: SOAK_SECONDS (600), SOAK_WARMUP (60), SOAK_CONNECTIONS (32),
# SOAK_RSS_PCT (10), LC_BUILD (build), LC_DEV_DATA (../shared/data/dev),
# LC_MODELS (models), LC_SOAK_WORKERS (livecheckd --workers; default one
# per CPU), LC_SOAK_KEEP (a directory to copy the samples, wrk output and
# livecheckd's log into).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${LC_BUILD:-build}
DEV=${LC_DEV_DATA:-../shared/data/dev}
SECS=${SOAK_SECONDS:-600}
CONNS=${SOAK_CONNECTIONS:-32}
RSS_PCT=${SOAK_RSS_PCT:-10}
WARM=${SOAK_WARMUP:-60}
INTERVAL=10
[ "$SECS" -ge 20 ] || { echo "soak: SOAK_SECONDS must be at least 20" >&2; exit 1; }
[ "$SECS" -lt 120 ] && WARM=$((SECS / 2 / INTERVAL * INTERVAL))
command -v wrk >/dev/null || { echo "soak: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
[ -x "$B/livecheckd" ] || { echo "soak: build $B/livecheckd first (make)" >&2; exit 1; }

T=$(mktemp -d)
pid=
wrk_pid=
cleanup() {
    [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    if [ -n "${LC_SOAK_KEEP:-}" ]; then
        mkdir -p "$LC_SOAK_KEEP" && cp "$T"/samples "$T"/wrk.out "$T"/log "$LC_SOAK_KEEP"/ 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT

/usr/bin/convert "$DEV/faces/obama-1.jpg" -resize '1600x1600!' -quality 92 "$T/selfie.jpg" 2>/dev/null
exiftool -q -overwrite_original -FileSource="Digital Camera" -Make=TestCam \
    -ModifyDate="2026:11:25 10:00:00" "$T/selfie.jpg"
"$B/livecheck" credentials create --data-dir "$T/var" --label soak >"$T/cred.json"
val() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$T/cred.json"; }

workers=()
[ -n "${LC_SOAK_WORKERS:-}" ] && workers=(--workers "$LC_SOAK_WORKERS")
"$B/livecheckd" --listen 127.0.0.1:0 --data-dir "$T/var" --models-dir "${LC_MODELS:-models}" \
    --web-dir web --log-file "$T/log" "${workers[@]}" &
pid=$!
for _ in $(seq 1 400); do
    grep -q '"msg":"listening"' "$T/log" 2>/dev/null && break
    sleep 0.05
done
addr=$(grep -o '"address":"[^"]*"' "$T/log" | cut -d'"' -f4)
[ -n "$addr" ] || { echo "soak: livecheckd did not start" >&2; cat "$T/log" >&2; exit 1; }
path=/v2/kyc/forensics/liveness/passive
nworkers=$(curl -s "http://$addr/readyz" | sed -n 's/.*"workers":\([0-9]*\).*/\1/p')

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null; }
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null; }
fds() { ls "/proc/$pid/fd" 2>/dev/null | wc -l; }

fd_idle_before=$(fds)
load=$(cut -d' ' -f1-3 /proc/loadavg)
rss_idle=$(rss)

export LC_BENCH_IMAGE=$T/selfie.jpg LC_BENCH_FORM=multipart
export LC_BENCH_CLIENT_ID=$(val client_id) LC_BENCH_CLIENT_SECRET=$(val client_secret)
export LC_BENCH_MODULE_SECRET=$(val module_secret)
wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s bench/soak.lua "http://$addr$path" >"$T/wrk.out" 2>&1 &
wrk_pid=$!

# One sample every INTERVAL s from the start of the load: "s rss_kb fds".
start=$(date +%s)
died=0
echo "# seconds rss_kb fds" >"$T/samples"
for ((t = 0; t <= SECS; t += INTERVAL)); do
    while [ $(($(date +%s) - start)) -lt "$t" ]; do sleep 0.2; done
    if ! kill -0 "$pid" 2>/dev/null; then
        died=1
        break
    fi
    # The last sample is taken a little early so that it is still under load.
    [ "$t" -eq "$SECS" ] && break
    echo "$t $(rss) $(fds)" >>"$T/samples"
done
if [ "$died" -eq 0 ]; then
    echo "$((SECS - 1)) $(rss) $(fds)" >>"$T/samples"
fi
wrk_rc=0
wait "$wrk_pid" || wrk_rc=$?
wrk_pid=
rss_hwm=$(hwm)

# Idle again: the connections wrk held are closed, so the count of
# descriptors must come back to where it started.
fd_idle_after=
for _ in $(seq 1 50); do
    fd_idle_after=$(fds)
    [ "$fd_idle_after" -le "$fd_idle_before" ] && break
    sleep 0.2
done
rows=$(sqlite3 "$T/var/livecheck.db" "SELECT count(*) FROM transactions" 2>/dev/null || echo "?")

# Stop it as systemd would, and expect a clean exit.
stop_rc=dead
if [ "$died" -eq 0 ] && kill -TERM "$pid" 2>/dev/null; then
    stop_rc=0
    wait "$pid" || stop_rc=$?
fi
pid=
# (after the stop: the last connection's close checkpoints the WAL)
store_bytes=$(du -cb "$T/var" | tail -n 1 | cut -f1)

# ---- figures --------------------------------------------------------------
get() { awk -v k="$1" '$1 == k {print $2}' "$T/wrk.out"; }
requests=$(get requests)
[ -n "$requests" ] || { echo "soak: wrk gave no figures (exit $wrk_rc):" >&2; cat "$T/wrk.out" >&2; exit 1; }
read -r e_connect e_read e_write e_timeout < <(awk '$1 == "socket_errors" {print $2, $3, $4, $5}' "$T/wrk.out")
ok2xx=$(awk '$1 == "status" && $2 >= 200 && $2 < 300 {n += $3} END {print n + 0}' "$T/wrk.out")
bp=$(awk '$1 == "status" && ($2 == 429 || $2 == 503) {n += $3} END {print n + 0}' "$T/wrk.out")
err5=$(awk '$1 == "status" && $2 >= 500 && $2 != 503 {n += $3} END {print n + 0}' "$T/wrk.out")
err4=$(awk '$1 == "status" && $2 >= 400 && $2 < 500 && $2 != 429 {n += $3} END {print n + 0}' "$T/wrk.out")
other=$(awk '$1 == "status" && ($2 < 200 || ($2 >= 300 && $2 < 400)) {n += $3} END {print n + 0}' "$T/wrk.out")
by_status=$(awk '$1 == "status" && ($2 < 200 || $2 > 299) {printf "%s%s x %s", sep, $2, $3; sep = ", "}' "$T/wrk.out")
sock=$((e_connect + e_read + e_write + e_timeout))

# RSS after warm-up: the first sample at or after WARM s.
rss_warm=$(awk -v w="$WARM" '!/^#/ && $1 >= w {print $2; exit}' "$T/samples")
fd_warm=$(awk -v w="$WARM" '!/^#/ && $1 >= w {print $3; exit}' "$T/samples")
read -r t_end rss_end fd_end < <(tail -n 1 "$T/samples")
pct=$(awk -v a="$rss_warm" -v b="$rss_end" 'BEGIN { if (a > 0) printf "%+.1f", (b - a) * 100 / a; else print "?" }')

fail=0
verdict() { # condition-as-awk-expression
    if awk "BEGIN { exit !($1) }"; then echo ok; else echo MISSED; fail=1; fi
}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "livecheckd soak: multipart POST $path, 1600x1600 EXIF JPEG ($(stat -c %s "$T/selfie.jpg") bytes)"
echo "  $CONNS connections, ${SECS} s, $nworkers workers, $(nproc) CPUs ($cpu), load average before: $load"
echo "  requests $requests ($ok2xx 2xx), $(get rps) req/s, p50 $(get p50_ms) ms, p99 $(get p99_ms) ms," \
    "max $(get max_ms) ms"
echo "  store: $rows transactions, $(awk -v b="$store_bytes" -v r="$rows" \
    'BEGIN { printf "%.1f MB (%.0f bytes per transaction)", b / 1048576, (r > 0 ? b / r : 0) }')"
echo "  non-2xx: ${by_status:-none}"
echo "    back-pressure (429/503, documented, with Retry-After): $bp"
echo "    errors: 5xx but 503: $err5, 4xx but 429: $err4, other: $other;" \
    "socket errors: connect $e_connect, read $e_read, write $e_write, timeout $e_timeout"
grep '^first_non2xx' "$T/wrk.out" | head -n 1 | sed 's/^/    first: /' || true
echo "  samples (s: RSS MB, fds):" \
    "$(awk '!/^#/ {printf "%s%d: %.1f, %d", sep, $1, $2 / 1024, $3; sep = "; "}' "$T/samples")"
printf '  %-42s %-22s %-8s %s\n' figure value target ""
printf '  %-42s %-22s %-8s %s\n' "RSS after warm-up (${WARM} s) -> end (${t_end} s)" \
    "$((rss_warm / 1024)) -> $((rss_end / 1024)) MB ($pct%)" "<= +$RSS_PCT%" \
    "$(verdict "$rss_end <= $rss_warm * (1 + $RSS_PCT / 100)")"
printf '  %-42s %-22s %-8s %s\n' "peak RSS (VmHWM); idle before load" \
    "$((rss_hwm / 1024)) MB; $((rss_idle / 1024)) MB" "" ""
printf '  %-42s %-22s %-8s %s\n' "fds idle: before load -> after" "$fd_idle_before -> $fd_idle_after" "flat" \
    "$(verdict "$fd_idle_after <= $fd_idle_before")"
printf '  %-42s %-22s %-8s %s\n' "fds under load: warm-up -> end" "$fd_warm -> $fd_end" "flat" \
    "$(verdict "$fd_end <= $fd_warm")"
printf '  %-42s %-22s %-8s %s\n' "errors (5xx but 503, 4xx but 429, socket)" \
    "$((err5 + err4 + other + sock))" "0" "$(verdict "$err5 + $err4 + $other + $sock == 0")"
printf '  %-42s %-22s %-8s %s\n' "livecheckd alive, exits 0 on SIGTERM" \
    "$([ "$died" -eq 0 ] && echo "exit $stop_rc" || echo "died")" "exit 0" \
    "$(verdict "\"$stop_rc\" == \"0\"")"
if [ "$fail" -ne 0 ]; then
    echo "soak: a target was missed"
    exit 1
fi
echo "soak: every target met"
