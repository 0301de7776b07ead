#!/usr/bin/env bash
# tests/api_video.sh - POST /v2/kyc/forensics/video_liveness end to end: a
# real livecheckd on loopback (random port, temporary SQLite store) called
# with curl. Success by upload and by video_url (a local HTTP server on
# 127.0.0.1, allowed by the test configuration's fetch_allow), a screen
# replay answered below the threshold, and every refusal by a real request:
# bad clips, the size cap (declared and while receiving), URLs refused
# before connecting by a second livecheckd without the allow-list
# (127.0.0.1, 10.0.0.1, 169.254.169.254, [::1]: no traffic leaves
# loopback), a redirect to a private address, a server that never answers
# (bounded by a short fetch timeout), both or neither of video and
# video_url. Clips are made here with the ffmpeg CLI from
# ../shared/data/dev (never committed), short and small where the key
# allows. The last line is "api-video: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/store.sh # store_opts, store_sql: SQLite or LC_STORE_URL
B=${LC_BUILD:-build}
LCD=$B/livecheckd
CLI=$B/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
MODELS=${LC_MODELS:-models}
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    store_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib/check.sh
n=0
# Called as $(ref), in a subshell: a counter would not advance, so 64
# random bits make each reference_id unique.
ref() { echo "vref-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d " ")"; }
PURPOSE="for bank verification only"
FF() { ffmpeg -nostdin -v error -y "$@"; }
ENC=(-an -c:v libx264 -preset ultrafast -crf 28 -pix_fmt yuv420p)

if ! command -v ffmpeg >/dev/null; then
    echo "FAIL ffmpeg CLI missing (scripts/install-deps.sh)"
    echo "api-video: 0 passed, 1 failed"
    exit 1
fi

# ---- clips --------------------------------------------------------------
# Policy-conforming: at most 10 s, both sides within 800..2000.
V=$DEV/videos
mkdir -p "$T/www"
FF -i "$V/replay-pair-real.mp4" -t 3 -vf scale=800:1424 "${ENC[@]}" "$T/www/real.mp4"
FF -i "$V/replay-pair-screen.mp4" -t 3 -vf scale=800:-2 "${ENC[@]}" "$T/screen.mp4"
: >"$T/empty.mp4"
head -c $(($(stat -c %s "$T/www/real.mp4") / 2)) "$T/www/real.mp4" >"$T/trunc.mp4"
FF -f lavfi -i sine=frequency=440:duration=1 -c:a libopus "$T/audio.webm"
cp "$T/www/real.mp4" "$T/big.mp4" && truncate -s 25M "$T/big.mp4"
head -c 4000000 "$T/big.mp4" >"$T/4m.mp4"
FF -f lavfi -i testsrc=size=160x120:rate=2:duration=30 "${ENC[@]}" "$T/long.mp4"
FF -f lavfi -i testsrc=size=4000x4000:rate=5:duration=0.4 "${ENC[@]}" "$T/4000.mp4"
FF -f lavfi -i testsrc=size=800x800:rate=5:duration=1 "${ENC[@]}" "$T/noface.mp4"
FF -i "$DEV/faces/obama-1.jpg" "$T/photo.png" && cp "$T/photo.png" "$T/photo.mp4"

# ---- a local HTTP server (127.0.0.1 only) --------------------------------
# Files from $T/www; /redirect-private and /redirect-metadata answer 302 to
# a private and a link-local address; /missing is a 404. A second socket
# listens but never accepts: its connections are never answered. Every
# request it serves is logged, so the tests can tell none arrived.
cat >"$T/www.py" <<'EOF'
import http.server, os, socket, sys, threading
root, portfile, log = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path + "\n")
        to = {"/redirect-private": "http://10.0.0.1/clip.mp4",
              "/redirect-metadata": "http://169.254.169.254/latest/meta-data/"}.get(self.path)
        if to:
            self.send_response(302)
            self.send_header("Location", to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
hang = socket.socket()
hang.bind(("127.0.0.1", 0))
hang.listen(16)  # never accepted: a connect succeeds, no answer ever comes
with open(portfile + ".tmp", "w") as f:
    f.write("%d %d\n" % (srv.server_address[1], hang.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
EOF
: >"$T/www.log"
python3 "$T/www.py" "$T/www" "$T/ports" "$T/www.log" 2>"$T/www.err" &
WPID=$!
PIDS+=("$WPID")
for _ in $(seq 1 100); do [ -s "$T/ports" ] && break; sleep 0.05; done
read -r WPORT HPORT <"$T/ports" || bad "local HTTP server did not start ($(cat "$T/www.err"))"
WWW=http://127.0.0.1:$WPORT

# ---- servers ------------------------------------------------------------
# start NAME DATADIR ARGS...: start livecheckd, wait for "listening", set
# ${NAME}_URL and ${NAME}_PID.
start() {
    local name=$1 dir=$2
    shift 2
    "$LCD" --listen 127.0.0.1:0 $(store_opts "$dir") --models-dir "$MODELS" --web-dir web \
        --log-file "$T/$name.log" "$@" 2>>"$T/$name.err" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 200); do
        grep -q '"msg":"listening"' "$T/$name.log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    local addr
    addr=$(grep -o '"address":"[^"]*"' "$T/$name.log" | tail -n 1 | cut -d'"' -f4)
    printf -v "${name}_URL" 'http://%s' "$addr"
    printf -v "${name}_PID" '%s' "$pid"
}
"$CLI" credentials create $(store_opts "$T/var") --label api-video >"$T/cred.json"
field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
AUTH=(-H "client_id: $(field "$T/cred.json" client_id)" -H "client_secret: $(field "$T/cred.json" client_secret)"
    -H "module_secret: $(field "$T/cred.json" module_secret)")
# The test configuration: 127.0.0.1 allowed (the local server above), a
# short fetch timeout for the server that never answers.
printf 'fetch_allow = 127.0.0.1/32\nfetch_timeout_ms = 1500\nfetch_connect_timeout_ms = 1000\n' >"$T/allow.conf"
start main "$T/var" --config "$T/allow.conf"
check "livecheckd starts with fetch_allow" '[ -n "${main_PID:-}" ] && kill -0 $main_PID' \
    "$(tail -n 3 "$T/main.err" "$T/main.log" 2>/dev/null)"
# The same store, no allow-list, a 2 MB video cap.
start strict "$T/var" --video-max-bytes 2M
check "a second livecheckd without the allow-list" '[ -n "${strict_PID:-}" ] && kill -0 $strict_PID'
VL=$main_URL/v2/kyc/forensics/video_liveness
SVL=$strict_URL/v2/kyc/forensics/video_liveness

# call NAME STATUS KEY curl-args...: the HTTP status, the responseKey and
# the envelope's shape must match. @FORM@ stands for a fresh reference_id,
# consent and consent_purpose.
call() {
    local name=$1 status=$2 key=$3
    shift 3
    local args=() a code body
    for a in "$@"; do
        if [ "$a" = @FORM@ ]; then
            args+=(-F "reference_id=$(ref)" -F consent=true -F "consent_purpose=$PURPOSE")
        else
            args+=("$a")
        fi
    done
    code=$(curl -s -o "$T/out" -w '%{http_code}' "${args[@]}")
    body=$(head -c 400 "$T/out")
    if [ "$code" != "$status" ]; then
        bad "$name (HTTP $code, want $status: $body)"
    elif ! grep -q "\"responseKey\":\"$key\"" "$T/out"; then
        bad "$name (want $key: $body)"
    elif ! grep -qE '^\{"decentroTxnId":"[0-9A-F]{32}","status":"(SUCCESS|FAILURE)","responseCode":"[SE][0-9]{5}","message":"' "$T/out"; then
        bad "$name (envelope: $body)"
    elif [ "$status" != 200 ] && { grep -q '"data"' "$T/out" || ! grep -q '"status":"FAILURE"' "$T/out"; }; then
        bad "$name (a failure with data or without FAILURE: $body)"
    else
        ok "$name: $key"
    fi
}
txn_of() { grep -o '"decentroTxnId":"[0-9A-F]*"' "$T/out" | cut -d'"' -f4; }
conf_of() { sed -nE 's/.*"data":\{"status":"SUCCESS","confidence":"([01]\.[0-9]{2})","live":"(yes|no)","threshold":"([01]\.[0-9]{2})".*/\1 \2 \3/p' "$T/out"; }
sql() { store_sql "$T/var" "$1"; }

# ---- success --------------------------------------------------------------
r1=$(ref)
call "upload (the hosted API's form)" 200 success_liveness_check --location "$VL" "${AUTH[@]}" \
    --form "reference_id=\"$r1\"" --form 'consent="Y"' --form "consent_purpose=\"$PURPOSE\"" \
    --form "video=@\"$T/www/real.mp4\""
read -r c live th <<<"$(conf_of)"
check "upload: data.status SUCCESS, confidence $c >= threshold $th, live yes, message" \
    '[ -n "${c:-}" ] && [ "$live" = yes ] && awk -v c="$c" -v t="$th" "BEGIN { exit !(c >= t) }" &&
     grep -q "\"message\":\"Liveliness check performed successfully\"" "$T/out" &&
     grep -q "\"cues\":{" "$T/out" && grep -q "\"video\":{\"container\":\"mp4\",\"codec\":\"h264\",\"width\":800,\"height\":1424" "$T/out"' \
    "$(head -c 400 "$T/out")"
t1=$(txn_of)
row=$(sql "SELECT endpoint, reference_id, response_key, live, claim, width, height, bytes FROM transactions WHERE id = '$t1'")
check "the transaction is stored with its outcome" \
    '[ "$row" = "/v2/kyc/forensics/video_liveness|$r1|success_liveness_check|1|1|800|1424|$(stat -c %s "$T/www/real.mp4")" ]' "($row)"
call "by video_url from a 127.0.0.1 server (allow-listed)" 200 success_liveness_check "$VL" "${AUTH[@]}" \
    @FORM@ -F "video_url=$WWW/real.mp4"
read -r cu liveu _ <<<"$(conf_of)"
check "video_url: the same verdict as the upload ($cu, $liveu)" '[ "$cu" = "$c" ] && [ "$liveu" = yes ]'
call "a screen replay, with purpose instead of consent_purpose" 200 success_liveness_check "$VL" "${AUTH[@]}" \
    -F "reference_id=$(ref)" -F consent=true -F "purpose=$PURPOSE" -F "video=@$T/screen.mp4"
read -r cs lives ths <<<"$(conf_of)"
check "screen replay: confidence $cs below threshold $ths, live no" \
    '[ -n "${cs:-}" ] && [ "$lives" = no ] && awk -v c="$cs" -v t="$ths" "BEGIN { exit !(c < t) }"'
call "an empty video part beside a video_url (a browser form) uses the URL" 200 success_liveness_check "$VL" \
    "${AUTH[@]}" @FORM@ -F "video=@$T/empty.mp4" -F "video_url=$WWW/real.mp4"
call "duplicate reference_id" 409 error_duplicate_reference_id "$VL" "${AUTH[@]}" -F "reference_id=$r1" \
    -F consent=true -F "consent_purpose=$PURPOSE" -F "video=@$T/www/real.mp4"

# ---- bad clips, one key each ---------------------------------------------
post() { # NAME STATUS KEY FILE [url]
    call "$1" "$2" "$3" "${5:-$VL}" "${AUTH[@]}" @FORM@ -F "video=@$4"
}
post "0-byte file" 400 error_empty_video "$T/empty.mp4"
post "truncated mp4" 422 error_corrupt_video "$T/trunc.mp4"
post "audio-only webm" 422 error_video_no_frames "$T/audio.webm"
post "25 MB upload, refused by its Content-Length" 413 error_video_too_large "$T/big.mp4"
check "... before its body is read" 'tail -n 1 "$T/main.log" | grep -qE "\"bytes_in\":[0-9]{1,7}[,}]"' \
    "$(tail -n 1 "$T/main.log")"
call "4 MB chunked upload to a 2 MB cap: refused while receiving" 413 error_video_too_large "$SVL" "${AUTH[@]}" \
    -H 'Transfer-Encoding: chunked' @FORM@ -F "video=@$T/4m.mp4"
post "30 s clip" 422 error_video_too_long "$T/long.mp4"
post "4000x4000 clip" 422 error_invalid_video_resolution "$T/4000.mp4"
post "PNG sent as video" 415 error_invalid_video_format "$T/photo.mp4"
post "a clip without a face" 422 error_no_face_in_video "$T/noface.mp4"
keys=$(sql "SELECT count(DISTINCT response_key) FROM transactions WHERE response_key IN ('error_empty_video',
    'error_corrupt_video', 'error_video_no_frames', 'error_video_too_large', 'error_video_too_long',
    'error_invalid_video_resolution', 'error_invalid_video_format', 'error_no_face_in_video')")
check "refusals are stored with their keys" '[ "$keys" = 8 ]' "($keys)"

# ---- video_url ------------------------------------------------------------
url() { # NAME STATUS KEY URL [server]
    call "$1" "$2" "$3" "${5:-$VL}" "${AUTH[@]}" @FORM@ -F "video_url=$4"
}
before=$(wc -l <"$T/www.log")
url "127.0.0.1 without the allow-list" 400 error_video_url_not_allowed "$WWW/real.mp4" "$SVL"
url "10.0.0.1" 400 error_video_url_not_allowed "http://10.0.0.1/clip.mp4" "$SVL"
url "169.254.169.254 (cloud metadata)" 400 error_video_url_not_allowed \
    "http://169.254.169.254/latest/meta-data/" "$SVL"
url "[::1]" 400 error_video_url_not_allowed "http://[::1]:$WPORT/real.mp4" "$SVL"
after=$(wc -l <"$T/www.log")
check "... refused before connecting (the local server saw no request)" '[ "$before" = "$after" ]'
url "a redirect to 10.0.0.1" 400 error_video_url_not_allowed "$WWW/redirect-private"
url "a redirect to 169.254.169.254" 400 error_video_url_not_allowed "$WWW/redirect-metadata"
t0=$(date +%s%N)
url "a server that never answers (fetch_timeout_ms 1500)" 422 error_video_url_unreachable \
    "http://127.0.0.1:$HPORT/clip.mp4"
waited=$((($(date +%s%N) - t0) / 1000000))
check "... answered after the fetch timeout, not later (${waited} ms)" '[ "$waited" -ge 1400 ] && [ "$waited" -lt 6000 ]'
url "a 404" 422 error_video_url_http_error "$WWW/missing.mp4"
url "an ftp:// URL" 400 error_invalid_video_url "ftp://127.0.0.1/clip.mp4"
url "a URL of 3000 bytes" 400 error_invalid_video_url "$WWW/$(printf 'a%.0s' $(seq 3000))"

# ---- video and video_url: exactly one -------------------------------------
call "both video and video_url" 400 error_video_and_video_url_both_given "$VL" "${AUTH[@]}" @FORM@ \
    -F "video=@$T/www/real.mp4" -F "video_url=$WWW/real.mp4"
check "... E00009" 'grep -q "\"responseCode\":\"E00009\"" "$T/out"'
call "neither video nor video_url" 400 error_empty_video_and_video_url "$VL" "${AUTH[@]}" @FORM@
call "only an empty video_url" 400 error_empty_video_and_video_url "$VL" "${AUTH[@]}" @FORM@ -F "video_url="
call "the video part twice" 400 error_malformed_request "$VL" "${AUTH[@]}" @FORM@ -F "video=@$T/empty.mp4" \
    -F "video=@$T/empty.mp4"
call "no consent_purpose" 400 error_empty_purpose "$VL" "${AUTH[@]}" -F "reference_id=$(ref)" -F consent=true \
    -F "video=@$T/www/real.mp4"
call "consent N" 400 error_consent_false "$VL" "${AUTH[@]}" -F "reference_id=$(ref)" -F consent=N \
    -F "consent_purpose=$PURPOSE" -F "video=@$T/www/real.mp4"
printf '{"reference_id":"%s","consent":true,"consent_purpose":"%s","video_url":"%s"}' "$(ref)" "$PURPOSE" \
    "$WWW/real.mp4" >"$T/body.json"
call "a JSON body (multipart only)" 415 error_unsupported_content_type "$VL" "${AUTH[@]}" \
    -H 'Content-Type: application/json' --data @"$T/body.json"
call "no credentials" 401 error_empty_client_id "$VL" @FORM@ -F "video=@$T/www/real.mp4"

# ---- metrics and shutdown ------------------------------------------------
check "GET /metrics counts the video endpoint by key" \
    'curl -s "$main_URL/metrics" | grep -E "^livecheck_requests_total\{endpoint=\"/v2/kyc/forensics/video_liveness\",key=\"success_liveness_check\"\} [1-9]" >/dev/null'
kill -TERM "$main_PID" "$strict_PID" 2>/dev/null
codes=
for p in "$main_PID" "$strict_PID"; do
    wait "$p"
    codes="$codes$?"
done
# Under ASan a leak or a memory error makes this non-zero.
check "SIGTERM: both servers exit 0" '[ "$codes" = 00 ]' "($codes: $(tail -n 5 "$T/main.err"))"
kill "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null

check_done api-video
