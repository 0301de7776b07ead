#!/usr/bin/env bash
# bench/http_bench.sh - livecheckd under wrk: POST the passive liveness
# endpoint with a 1600x1600 EXIF-tagged JPEG (made from a dev photo) over 8
# connections for 20 s, every request with its own reference_id
# (bench/http_bench.lua), and print requests/s, p50 and p99 latency and
# livecheckd's peak RSS beside the targets. A benchmark prints figures; it
# does not fail on them (exit 1 only when the run itself broke).
#
# Environment: LC_BUILD (build dir, default build), LC_DEV_DATA (default
# ../shared/data/dev), LC_MODELS (default models), LC_BENCH_SECONDS (20),
# LC_BENCH_CONNECTIONS (8), LC_BENCH_FORM (multipart | json),
# LC_BENCH_WORKERS (livecheckd --workers; default one per CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${LC_BUILD:-build}
DEV=${LC_DEV_DATA:-../shared/data/dev}
SECS=${LC_BENCH_SECONDS:-20}
CONNS=${LC_BENCH_CONNECTIONS:-8}
FORM=${LC_BENCH_FORM:-multipart}
command -v wrk >/dev/null || { echo "http_bench: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
[ -x "$B/livecheckd" ] || { echo "http_bench: build $B/livecheckd first (make)" >&2; exit 1; }

T=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

/usr/bin/convert "$DEV/faces/obama-1.jpg" -resize '1600x1600!' -quality 92 "$T/selfie.jpg" 2>/dev/null
exiftool -q -overwrite_original -FileSource="Digital Camera" -Make=TestCam \
    -ModifyDate="2026:11:25 10:00:00" "$T/selfie.jpg"
"$B/livecheck" credentials create --data-dir "$T/var" >"$T/cred.json"
val() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$T/cred.json"; }

workers=()
[ -n "${LC_BENCH_WORKERS:-}" ] && workers=(--workers "$LC_BENCH_WORKERS")
"$B/livecheckd" --listen 127.0.0.1:0 --data-dir "$T/var" --models-dir "${LC_MODELS:-models}" \
    --web-dir web --log-file "$T/log" "${workers[@]}" &
pid=$!
for _ in $(seq 1 200); do
    grep -q '"msg":"listening"' "$T/log" 2>/dev/null && break
    sleep 0.05
done
addr=$(grep -o '"address":"[^"]*"' "$T/log" | cut -d'"' -f4)
[ -n "$addr" ] || { echo "http_bench: livecheckd did not start" >&2; cat "$T/log" >&2; exit 1; }
path=/v2/kyc/forensics/liveness/passive
[ "$FORM" = json ] && path=/v3/kyc/farsight/liveness/passive
nworkers=$(curl -s "http://$addr/readyz" | sed -n 's/.*"workers":\([0-9]*\).*/\1/p')

export LC_BENCH_IMAGE=$T/selfie.jpg LC_BENCH_FORM=$FORM
export LC_BENCH_CLIENT_ID=$(val client_id) LC_BENCH_CLIENT_SECRET=$(val client_secret)
export LC_BENCH_MODULE_SECRET=$(val module_secret)
# Warm up (first-touch of arenas and page cache), then measure.
wrk -t1 -c"$CONNS" -d2s -s bench/http_bench.lua "http://$addr$path" >/dev/null
wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s bench/http_bench.lua "http://$addr$path" >"$T/wrk.out"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
get() { awk -v k="$1" '$1 == k {print $2}' "$T/wrk.out"; }
rows=$(sqlite3 "$T/var/livecheck.db" \
    "SELECT count(*) FROM transactions WHERE response_key = 'success_liveness_check'" 2>/dev/null || echo "?")
# Where a request's time went, from the stored rows (server side).
split=$(sqlite3 -separator ' ' "$T/var/livecheck.db" \
    "SELECT printf('%.1f %.1f %.1f %.1f %.1f', avg(ms_total), avg(ms_queue),
            avg(ms_decode), avg(ms_faces), avg(ms_liveness))
     FROM transactions WHERE response_key = 'success_liveness_check'" 2>/dev/null || echo "? ? ? ? ?")

verdict() { awk -v v="$1" -v t="$2" -v d="$3" 'BEGIN { ok = d == "ge" ? v >= t : v <= t; print ok ? "ok" : "MISSED" }'; }
rps=$(get rps) p50=$(get p50_ms) p99=$(get p99_ms) rss_mb=$((rss_kb / 1024))
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "livecheckd under wrk: $FORM POST $path, 1600x1600 EXIF JPEG ($(stat -c %s "$T/selfie.jpg") bytes)"
echo "  $CONNS connections, ${SECS} s, $nworkers workers, $(nproc) CPUs ($cpu)"
printf '  %-22s %10s   %-12s %s\n' figure value target ""
printf '  %-22s %10s   %-12s %s\n' "requests/s" "$rps" ">= 100" "$(verdict "$rps" 100 ge)"
printf '  %-22s %10s   %-12s %s\n' "p50 latency (ms)" "$p50" "" ""
printf '  %-22s %10s   %-12s %s\n' "p99 latency (ms)" "$p99" "<= 100" "$(verdict "$p99" 100 le)"
printf '  %-22s %10s   %-12s %s\n' "peak RSS (MB)" "$rss_mb" "<= 250" "$(verdict "$rss_mb" 250 le)"
printf '  %-22s %10s\n' "requests" "$(get requests)"
printf '  %-22s %10s\n' "non-200 answers" "$(get non200)"
printf '  %-22s %10s\n' "socket errors" "$(get socket_errors)"
printf '  %-22s %10s\n' "stored successes" "$rows"
read -r s_total s_queue s_decode s_faces s_live <<<"$split"
echo "  server side, mean ms: total $s_total = queue $s_queue + decode $s_decode + faces $s_faces" \
    "+ liveness $s_live + receive/store/other"
grep '^first_non200' "$T/wrk.out" | head -n 1 | sed 's/^/  /' || true
