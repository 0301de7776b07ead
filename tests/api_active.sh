#!/usr/bin/env bash
# tests/api_active.sh - active video liveness over the API, end to end
# without a browser: a real livecheckd on loopback (random port, temporary
# store), the capture page's calls made with curl, and a recording composed
# by tests/lib/capture_media.sh for the challenge the server chose (one
# real person from the dev videos doing the head turns and the blink, and
# espeak-ng reading the digits). The browser itself is tests/capture.sh.
#
# Covers: initiate (and every refusal of its fields and images), results
# before and after the analysis, the capture page's session/upload/status
# calls and their refusals (empty, not a video, bad metadata, too large,
# reused, expired, attempts exhausted), the signed image links, a second
# upload of the same bytes flagged prerecorded, and a job that survives
# SIGKILL of livecheckd right after the upload. The last line is
# "api-active: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/store.sh
B=${LC_BUILD:-build}
LCD=$B/livecheckd
CLI=$B/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
MODELS=${LC_MODELS:-models}
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    store_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib/check.sh
ref() { echo "aref-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d " ")"; }
js() { node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const v=eval(process.argv[2]); console.log(typeof v === "object" ? JSON.stringify(v) : v)' "$1" "$2"; }
PURPOSE="identity verification for onboarding"
SRC=$DEV/videos/replay-pair-real.mp4

# ---- media ---------------------------------------------------------------
ffmpeg -v error -ss 0.5 -i "$SRC" -frames:v 1 -y "$T/same.jpg"
/usr/bin/convert -size 900x900 gradient:navy-orange -quality 90 "$T/noface.jpg" 2>/dev/null
SAME64=$(base64 -w0 "$T/same.jpg")
OBAMA64=$(base64 -w0 "$DEV/faces/obama-1.jpg")
NOFACE64=$(base64 -w0 "$T/noface.jpg")
printf 'not a video at all\n' >"$T/text.webm"
(printf '\x1a\x45\xdf\xa3'; head -c 5000000 /dev/zero) >"$T/big.webm"

# ---- servers -------------------------------------------------------------
"$CLI" credentials create --data-dir "$(store_url "$T/var")" --label api-active >"$T/cred.json"
field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
AUTH=(-H "client_id: $(field "$T/cred.json" client_id)" -H "client_secret: $(field "$T/cred.json" client_secret)"
    -H "module_secret: $(field "$T/cred.json" module_secret)")
# start NAME ARGS...: livecheckd on a free port; sets URL_<NAME>, PID_<NAME>.
start() {
    local name=$1
    shift
    "$LCD" --listen 127.0.0.1:0 --data-dir "$(store_url "$T/var")" --key-file "$T/server.key" \
        --models-dir "$MODELS" --web-dir web --log-file "$T/$name.log" --fetch-allow 127.0.0.1/32 \
        "$@" 2>>"$T/$name.err" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 300); do
        grep -q '"msg":"listening"' "$T/$name.log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    printf -v "URL_$name" 'http://%s' "$(grep -o '"address":"[^"]*"' "$T/$name.log" | tail -n 1 | cut -d'"' -f4)"
    printf -v "PID_$name" '%s' "$pid"
}
start main --active-max-bytes 4000000 --node-id main
start short --session-ttl 1 --capture-attempts 2 --node-id short
check "livecheckd starts (two nodes on one store)" 'kill -0 $PID_main && kill -0 $PID_short' "$(tail -n 3 "$T/main.err")"
INIT=/v2/kyc/forensics/active_video_liveness/initiate

# initiate URL REF IMAGES_JSON [EXTRA_JSON] > body
initiate() {
    printf '{"consent":true,"purpose":"%s","reference_id":"%s","redirect_url":"%s",%s"face_image_base64s":%s}' \
        "$PURPOSE" "$2" "${REDIRECT:-https://example.com/done?step=2}" "${4:-}" "$3" >"$T/init.json"
    curl -s -o "$T/out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
        --data-binary @"$T/init.json" "$1$INIT"
}
# results URL TXN REF > $T/res.json; prints the status code
results() {
    curl -s -o "$T/res.json" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d "{\"consent\":true,\"purpose\":\"$PURPOSE\",\"reference_id\":\"$3\"}" \
        "$1/v2/kyc/forensics/active_video_liveness/$2"
}
# wait_done URL TXN REF: poll until the session is no longer pending or
# processing (60 s at most).
wait_done() {
    for _ in $(seq 1 300); do
        results "$@" >/dev/null
        grep -q '"status":"pending"\|"status":"processing"' "$T/res.json" || return 0
        sleep 0.2
    done
    return 1
}
token_of() { js "$T/out" 'd.videoLivenessUrl.split("/capture/")[1]'; }
upload() { # URL TOKEN FILE META -> status code, body in $T/up.json
    curl -s -o "$T/up.json" -w '%{http_code}' -F "video=@$3;type=video/webm" -F "meta=$4" "$1/v2/capture/$2"
}
META_OK='{"recordingStartedAt":'$(date +%s%3N)',"prompts":[],"location":{"latitude":12.9789808,"longitude":77.6438327,"accuracy":20}}'

# ---- a session, from initiate to results ----------------------------------
R1=$(ref)
code=$(initiate "$URL_main" "$R1" "[\"$SAME64\",\"$OBAMA64\"]")
TXN=$(js "$T/out" d.decentroTxnId)
TOK=$(token_of)
check "initiate: 200 success_video_liveness_session_created with videoLivenessUrl at the top level" \
    '[ "$code" = 200 ] && [ "$(js "$T/out" d.responseKey)" = success_video_liveness_session_created ] &&
     [[ $(js "$T/out" d.videoLivenessUrl) == $URL_main/capture/* ]] && [ ${#TOK} = 43 ] && [ -z "$(js "$T/out" "d.data||\"\"")" ]'
code=$(results "$URL_main" "$TXN" "$R1")
check "results before the capture: session state pending" \
    '[ "$code" = 200 ] && [ "$(js "$T/res.json" d.responseKey)" = success_video_liveness_session_state ] &&
     [ "$(js "$T/res.json" d.data.status)" = pending ]'
check "the reference_id of a session cannot be used again" \
    '[ "$(initiate "$URL_main" "$R1" "[\"$SAME64\"]")" = 409 ] && grep -q error_duplicate_reference_id "$T/out"'
code=$(results "$URL_main" "$TXN" "not-$R1")
check "results with another reference_id: 400 error_reference_id_mismatch" '[ "$code" = 400 ] && grep -q error_reference_id_mismatch "$T/res.json"'
code=$(results "$URL_main" "0123456789ABCDEF0123456789ABCDEF" "$R1")
check "results of an unknown transaction: 404 error_transaction_not_found E00026" \
    '[ "$code" = 404 ] && grep -q "\"responseCode\":\"E00026\".*error_transaction_not_found" "$T/res.json"'

code=$(curl -s -o "$T/sess.json" -w '%{http_code}' "$URL_main/v2/capture/$TOK")
CH=$(js "$T/sess.json" 'd.data.prompts.map(p=>p.kind+(p.digits?"="+p.digits:"")+"@"+p.start.toFixed(2)+"-"+p.end.toFixed(2)).join(",")')
check "the capture session: head turns both ways, a blink and 4 digits, in windows" \
    '[ "$code" = 200 ] && [ "$(js "$T/sess.json" "d.data.prompts.length")" = 4 ] &&
     [[ $CH == *turn_left@* && $CH == *turn_right@* && $CH == *blink@* ]] && [[ $CH =~ digits=[0-9]{4}@ ]] &&
     [ "$(js "$T/sess.json" d.data.attemptsLeft)" = 3 ]' "$CH"
check "the capture page is served at the link" \
    '[ "$(curl -s -o "$T/page.html" -w "%{http_code}" "$URL_main/capture/$TOK")" = 200 ] && grep -q capture.js "$T/page.html"'

# The recording, composed for this challenge.
tests/lib/capture_media.sh "$CH" "$T/m" >"$T/compose.log" 2>&1
check "a recording is composed for the challenge" '[ -s "$T/m/capture.webm" ]' "$(tail -n 3 "$T/compose.log")"

# Refused uploads count as attempts; the link stays usable.
check "upload of a text file: 415 error_invalid_video_format" \
    '[ "$(upload "$URL_main" "$TOK" "$T/text.webm" "$META_OK")" = 415 ] && grep -q error_invalid_video_format "$T/up.json"'
check "upload with malformed metadata: 400 error_invalid_capture_metadata" \
    '[ "$(upload "$URL_main" "$TOK" "$T/m/capture.webm" "{\"prompts\":[{\"kind\":\"dance\",\"start\":1,\"end\":2}]}")" = 400 ] &&
     grep -q error_invalid_capture_metadata "$T/up.json"' "$(cat "$T/up.json")"
curl -s "$URL_main/v2/capture/$TOK" >"$T/sess2.json"
check "refused uploads are counted (attempts left drops)" '[ "$(js "$T/sess2.json" d.data.attemptsLeft)" -lt 3 ]'

code=$(upload "$URL_main" "$TOK" "$T/m/capture.webm" "$META_OK")
check "upload: 202 success_capture_received, redirectUrl carries the transaction and PROCESSING" \
    '[ "$code" = 202 ] && grep -q success_capture_received "$T/up.json" &&
     [ "$(js "$T/up.json" d.data.redirectUrl)" = "https://example.com/done?step=2&decentroTxnId=$TXN&status=PROCESSING" ]' "$(cat "$T/up.json")"
check "a second upload to the link: 410 error_capture_link_used" \
    '[ "$(upload "$URL_main" "$TOK" "$T/m/capture.webm" "$META_OK")" = 410 ] && grep -q error_capture_link_used "$T/up.json"'
wait_done "$URL_main" "$TXN" "$R1"
cp "$T/res.json" "$T/done.json"
check "results: success_video_liveness_results" '[ "$(js "$T/done.json" d.responseKey)" = success_video_liveness_results ]' "$(head -c 400 "$T/done.json")"
check "the person who did the challenge: liveliness yes, staticRisk false, prerecordedRisk false" \
    '[ "$(js "$T/done.json" d.data.liveliness)" = yes ] && [ "$(js "$T/done.json" d.data.staticRisk)" = false ] &&
     [ "$(js "$T/done.json" d.data.prerecordedRisk)" = false ]' "$(js "$T/done.json" d.data.details)"
check "audio matchScore >= 75 for the digits read" '[ "$(js "$T/done.json" d.data.audioMatchResults.matchScore)" -ge 75 ]'
check "matchScore high against the same person, low against another; covariance 0..100" \
    '[ "$(js "$T/done.json" "d.data.videoFaceMatchResults[0].results.matchScore")" -ge 75 ] &&
     [ "$(js "$T/done.json" "d.data.videoFaceMatchResults[1].results.matchScore")" -le 25 ] &&
     [ "$(js "$T/done.json" "d.data.videoFaceMatchResults[0].results.covariance")" -ge 0 ] &&
     [ "$(js "$T/done.json" "d.data.videoFaceMatchResults[0].results.covariance")" -le 100 ]'
check "geoLocation is what the page sent" \
    '[ "$(js "$T/done.json" d.data.geoLocation.latitude)" = 12.9789808 ] && [ "$(js "$T/done.json" d.data.geoLocation.longitude)" = 77.6438327 ]'
check "matchScore is a number, risks are strings, as the hosted API's" \
    '[ "$(js "$T/done.json" "typeof d.data.videoFaceMatchResults[0].results.matchScore")" = number ] &&
     [ "$(js "$T/done.json" "typeof d.data.staticRisk")" = string ]'
IMG=$(js "$T/done.json" "d.data.videoFaceMatchResults[0].finalMatchImage")
ORIG=$(js "$T/done.json" "d.data.videoFaceMatchResults[0].originalImage")
check "finalMatchImage is a signed link to a JPEG frame" \
    '[ "$(curl -s -o "$T/frame.jpg" -w "%{http_code}" "$IMG")" = 200 ] && [ "$(head -c 3 "$T/frame.jpg" | od -An -tx1 | tr -d " ")" = ffd8ff ]'
check "originalImage serves the reference image as sent" \
    '[ "$(curl -s -o "$T/orig.jpg" -w "%{http_code}" "$ORIG")" = 200 ] && cmp -s "$T/orig.jpg" "$T/same.jpg"'
# The signature's first hex digit changed (to 1 when it was 0, else to 0).
TAMPERED=$(sed -E 's#/media/([0-9]+)-0#/media/\1-X#; s#/media/([0-9]+)-[1-9a-f]#/media/\1-0#; s#/media/([0-9]+)-X#/media/\1-1#' <<<"$IMG")
EXPIRED=$(sed -E 's#/media/[0-9]+-#/media/1000-#' <<<"$IMG")
check "a tampered image link: 404 error_media_link_invalid" \
    '[ "$(curl -s -o "$T/m.json" -w "%{http_code}" "$TAMPERED")" = 404 ] && grep -q error_media_link_invalid "$T/m.json"'
check "an image link with its expiry changed is invalid (the signature covers it)" \
    '[ "$(curl -s -o "$T/m.json" -w "%{http_code}" "$EXPIRED")" = 404 ]'
code=$(curl -s -o "$T/st.json" -w '%{http_code}' "$URL_main/v2/capture/$TOK/status")
check "capture status: done, redirect with status SUCCESS" \
    '[ "$code" = 200 ] && [ "$(js "$T/st.json" d.data.state)" = done ] && [[ $(js "$T/st.json" d.data.redirectUrl) == *"status=SUCCESS" ]]'
check "the used link's page call answers 410 error_capture_link_used" \
    '[ "$(curl -s -o "$T/g.json" -w "%{http_code}" "$URL_main/v2/capture/$TOK")" = 410 ] && grep -q error_capture_link_used "$T/g.json"'
check "the transaction rows are stored (initiate claims, results do not)" \
    '[ "$(store_sql "$T/var" "SELECT claim FROM transactions WHERE id = '\''$TXN'\''")" = 1 ] &&
     [ "$(store_sql "$T/var" "SELECT count(*) FROM transactions WHERE reference_id = '\''$R1'\'' AND claim = 0")" -ge 3 ]'

# ---- the same bytes again: prerecorded ------------------------------------
R2=$(ref)
initiate "$URL_main" "$R2" "[\"$SAME64\"]" >/dev/null
TXN2=$(js "$T/out" d.decentroTxnId)
TOK2=$(token_of)
upload "$URL_main" "$TOK2" "$T/m/capture.webm" "$META_OK" >/dev/null
wait_done "$URL_main" "$TXN2" "$R2"
check "the same recording uploaded to a second session: prerecordedRisk true, liveliness no" \
    '[ "$(js "$T/res.json" d.data.prerecordedRisk)" = true ] && [ "$(js "$T/res.json" d.data.details.duplicateUpload)" = true ] &&
     [ "$(js "$T/res.json" d.data.liveliness)" = no ]' "$(head -c 300 "$T/res.json")"

# ---- another person partway through: prerecorded ------------------------
ffmpeg -v error -i "$T/m/capture.webm" -t 7 -c copy -y "$T/first.webm"
ffmpeg -v error -ss 2 -t 7 -i "$DEV/videos/live-d3.mp4" -vf "scale=480:480,pad=640:480:80:0" -r 15 \
    -c:v libvpx -b:v 2M -c:a libopus -ac 2 -ar 48000 -y "$T/second.webm"
printf "file '%s'\nfile '%s'\n" "$T/first.webm" "$T/second.webm" >"$T/list"
ffmpeg -v error -f concat -safe 0 -i "$T/list" -c:v libvpx -b:v 2M -c:a libopus -y "$T/spliced.webm"
R8=$(ref)
initiate "$URL_main" "$R8" "[\"$SAME64\"]" >/dev/null
TXN8=$(js "$T/out" d.decentroTxnId)
upload "$URL_main" "$(token_of)" "$T/spliced.webm" "$META_OK" >/dev/null
wait_done "$URL_main" "$TXN8" "$R8"
check "a recording that changes person partway: identityChanged, prerecordedRisk true, liveliness no" \
    '[ "$(js "$T/res.json" d.data.details.identityChanged)" = true ] && [ "$(js "$T/res.json" d.data.prerecordedRisk)" = true ] &&
     [ "$(js "$T/res.json" d.data.liveliness)" = no ]' "$(js "$T/res.json" d.data.details)"
check "the first session's person stayed the same (identityMin above 0.35)" \
    '[ "$(js "$T/done.json" "d.data.details.identityMin > 0.35")" = true ] && [ "$(js "$T/done.json" d.data.details.identityChanged)" = false ]'

# ---- a job survives SIGKILL: queued in the store, finished after restart --
R3=$(ref)
initiate "$URL_main" "$R3" "[\"$SAME64\"]" >/dev/null
TXN3=$(js "$T/out" d.decentroTxnId)
TOK3=$(token_of)
code=$(upload "$URL_main" "$TOK3" "$T/m/capture.webm" "$META_OK")
kill -9 "$PID_main" 2>/dev/null
wait "$PID_main" 2>/dev/null
check "upload answered 202 before livecheckd was killed" '[ "$code" = 202 ]'
start main2 --active-max-bytes 4000000 --node-id main
wait_done "$URL_main2" "$TXN3" "$R3"
check "after SIGKILL and a restart the queued analysis finishes" \
    '[ "$(js "$T/res.json" d.responseKey)" = success_video_liveness_results ]' "$(head -c 300 "$T/res.json")"
URL_main=$URL_main2

# ---- initiate refusals -----------------------------------------------------
icheck() { # NAME STATUS KEY IMAGES [EXTRA]
    local code want=$2 key=$3
    code=$(initiate "$URL_main" "$(ref)" "$4" "${5:-}")
    check "initiate: $1: $want $key" '[ "$code" = "$want" ] && grep -q "\"responseKey\":\"$key\"" "$T/out"' "$code $(head -c 300 "$T/out")"
}
icheck "five reference images" 400 error_too_many_face_images "[\"$SAME64\",\"$SAME64\",\"$SAME64\",\"$SAME64\",\"$SAME64\"]"
icheck "no reference image" 400 error_empty_face_images "[]"
icheck "a reference without a face" 422 error_no_face_detected "[\"$SAME64\",\"$NOFACE64\"]"
check "the refusal names the image" 'grep -q "face_image_base64s\[1\]" "$T/out"'
icheck "malformed base64" 400 error_invalid_face_image_encoding "[\"$SAME64\",\"@@not*base64@@\"]"
icheck "a reference URL to a private address" 400 error_image_url_not_allowed "[]" '"face_image_urls":["http://10.0.0.1/face.jpg"],'
icheck "face_image_urls not an array" 400 error_invalid_face_images "[\"$SAME64\"]" '"face_image_urls":"http://example.com/a.jpg",'
REDIRECT=ftp://example.com/x icheck "redirect_url not http(s)" 400 error_invalid_redirect_url "[\"$SAME64\"]"
icheck "callback_url to a private address" 400 error_callback_url_not_allowed "[\"$SAME64\"]" '"callback_url":"http://169.254.169.254/latest",'
check "initiate without credentials: 401" \
    '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Content-Type: application/json" -d "{}" "$URL_main$INIT")" = 401 ]'
code=$(curl -s -o "$T/out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"consent":true,' "$URL_main$INIT")
check "initiate with malformed JSON: 400 error_malformed_request" '[ "$code" = 400 ] && grep -q error_malformed_request "$T/out"'

# ---- links: too large, expired, attempts exhausted, unknown ---------------
initiate "$URL_main" "$(ref)" "[\"$SAME64\"]" >/dev/null
TOK4=$(token_of)
check "an upload larger than active_max_bytes: 413 error_video_too_large" \
    '[ "$(upload "$URL_main" "$TOK4" "$T/big.webm" "$META_OK")" = 413 ] && grep -q error_video_too_large "$T/up.json"'
R5=$(ref)
initiate "$URL_short" "$R5" "[\"$SAME64\"]" >/dev/null
TXN5=$(js "$T/out" d.decentroTxnId)
TOK5=$(token_of)
sleep 1.3
check "an expired link: the page call answers 410 error_capture_link_expired" \
    '[ "$(curl -s -o "$T/g.json" -w "%{http_code}" "$URL_short/v2/capture/$TOK5")" = 410 ] && grep -q error_capture_link_expired "$T/g.json"'
check "an upload to an expired session: 410 error_capture_link_expired" \
    '[ "$(upload "$URL_short" "$TOK5" "$T/m/capture.webm" "$META_OK")" = 410 ] && grep -q error_capture_link_expired "$T/up.json"'
results "$URL_short" "$TXN5" "$R5" >/dev/null
check "results of an expired session: state expired" '[ "$(js "$T/res.json" d.data.status)" = expired ]'
initiate "$URL_main" "$(ref)" "[\"$SAME64\"]" >/dev/null
TOK6=$(token_of)
for _ in 1 2 3; do upload "$URL_main" "$TOK6" "$T/text.webm" "$META_OK" >/dev/null; done
check "after capture_attempts refused uploads: 410 error_capture_attempts_exhausted" \
    '[ "$(curl -s -o "$T/g.json" -w "%{http_code}" "$URL_main/v2/capture/$TOK6")" = 410 ] && grep -q error_capture_attempts_exhausted "$T/g.json"'
check "an unknown token: 404 error_capture_link_invalid" \
    '[ "$(curl -s -o "$T/g.json" -w "%{http_code}" "$URL_main/v2/capture/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")" = 404 ] &&
     grep -q error_capture_link_invalid "$T/g.json"'
check "no secret in clear: the store holds token hashes only" \
    '! store_sql "$T/var" "SELECT token_hash FROM sessions" | grep -q "$TOK"'

# ---- encryption at rest and retention ---------------------------------------
# A node on a store of its own with encrypt_media and a 10 s retention.
"$CLI" credentials create --data-dir "$(store_url "$T/enc")" --label enc >"$T/cred2.json"
AUTH=(-H "client_id: $(field "$T/cred2.json" client_id)" -H "client_secret: $(field "$T/cred2.json" client_secret)"
    -H "module_secret: $(field "$T/cred2.json" module_secret)")
"$LCD" --listen 127.0.0.1:0 --data-dir "$(store_url "$T/enc")" --key-file "$T/enc.key" --models-dir "$MODELS" \
    --web-dir web --log-file "$T/enc.log" --encrypt-media true --retention 10 --node-id enc 2>>"$T/enc.err" &
PIDS+=("$!")
for _ in $(seq 1 300); do grep -q '"msg":"listening"' "$T/enc.log" 2>/dev/null && break; sleep 0.05; done
URL_enc=http://$(grep -o '"address":"[^"]*"' "$T/enc.log" | tail -n 1 | cut -d'"' -f4)
R7=$(ref)
initiate "$URL_enc" "$R7" "[\"$SAME64\"]" >/dev/null
TXN7=$(js "$T/out" d.decentroTxnId)
upload "$URL_enc" "$(token_of)" "$T/m/capture.webm" "$META_OK" >/dev/null
wait_done "$URL_enc" "$TXN7" "$R7"
ORIG7=$(js "$T/res.json" "d.data.videoFaceMatchResults[0].originalImage")
check "encrypt_media: the image link serves the reference image as sent" \
    '[ "$(curl -s -o "$T/orig7.jpg" -w "%{http_code}" "$ORIG7")" = 200 ] && cmp -s "$T/orig7.jpg" "$T/same.jpg"'
check "encrypt_media: the store holds sealed blobs (no JPEG or webm in clear)" \
    '[ "$(store_sql "$T/enc" "SELECT count(*) FROM media WHERE $(store_hex "substr(data,1,4)") = '\''4C434531'\''")" -ge 3 ] &&
     [ "$(store_sql "$T/enc" "SELECT count(*) FROM media WHERE $(store_hex "substr(data,1,3)") = '\''FFD8FF'\'' OR $(store_hex "substr(data,1,4)") = '\''1A45DFA3'\''")" = 0 ]'
sleep 12
check "retention: after the period the image links are gone (404) and the embeddings erased" \
    '[ "$(curl -s -o "$T/m.json" -w "%{http_code}" "$ORIG7")" = 404 ] && grep -q error_media_link_invalid "$T/m.json" &&
     [ "$(store_sql "$T/enc" "SELECT count(*) FROM media")" = 0 ] &&
     [ "$(store_sql "$T/enc" "SELECT count(*) FROM session_refs WHERE emb IS NOT NULL")" = 0 ]'
results "$URL_enc" "$TXN7" "$R7" >/dev/null
check "retention: the results (scores, risks) stay readable" '[ "$(js "$T/res.json" d.responseKey)" = success_video_liveness_results ] && [ "$(js "$T/res.json" "d.data.videoFaceMatchResults[0].results.matchScore")" -ge 75 ]' "$(head -c 300 "$T/res.json")"

check_done api-active
