#!/usr/bin/env bash
# tests/capture.sh - the capture page (web/capture.*) end to end in a real
# browser: Debian's Chromium driven by playwright-core
# (tests/browser/capture.js), its fake camera and microphone fed from a
# y4m and a wav that tests/lib/capture_media.sh composes to answer the
# challenge the page shows, against a real livecheckd on loopback (random
# port, temporary data directory, a fresh credential). Sessions are opened
# with initiate and judged through the results endpoint, as a client would.
#   (a) a live person who does the challenge: liveliness yes, no risk,
#       digits heard, the face matches a photo of the same person and not
#       another person, the granted position comes back, and the browser
#       ends at redirect_url with decentroTxnId and status;
#   (b) a still photo held to the camera: staticRisk, liveliness no;
#   (c) the wrong digits read: low audio score, prerecordedRisk;
#   (d) the recording of (a) uploaded again to another session:
#       prerecordedRisk;
#   (e) an expired link (a second livecheckd with a short session_ttl), a
#       used link, an invalid link, an upload the server refuses, a link out
#       of attempts, a denied camera and no camera: each its message and key.
# Media are made in a temporary directory, never committed.
# The last line is "capture: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/store.sh # store_opts, store_copy: SQLite or LC_STORE_URL
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
finish() {
    check_done capture
    exit
}
# Called as $(ref), in a subshell: 64 random bits make each one unique.
ref() { echo "cref-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d " ")"; }
PURPOSE="for bank verification only"
# JSON field by a JavaScript expression: js FILE EXPR (d is the document).
js() {
    node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); let v; try { v=eval(process.argv[2]); } catch (e) { v=undefined; } console.log(v !== null && typeof v === "object" ? JSON.stringify(v) : v)' "$1" "$2" 2>/dev/null
}
SRC=$DEV/videos/replay-pair-real.mp4
REDIRECT=https://client.example.test/kyc/done
GEO=12.9716,77.5946,25

# ---- what the suite needs ------------------------------------------------
[ -x /usr/bin/chromium ] || { bad "chromium is installed (scripts/install-deps.sh)"; finish; }
[ -f tools/npm/node_modules/playwright-core/package.json ] ||
    { bad "playwright-core is installed in tools/npm (make models)"; finish; }
[ -f "$SRC" ] || { bad "dev video $SRC present"; finish; }

# ---- photos ---------------------------------------------------------------
# The reference: a frontal frame of the source video from outside the
# segments capture_media.sh plays. The still: the same frame on a 4:3 canvas
# of the wall's colour, as the live video is framed.
ffmpeg -nostdin -v error -y -ss 20.0 -i "$SRC" -frames:v 1 -q:v 2 "$T/ref.jpg"
/usr/bin/convert "$T/ref.jpg" -gravity center -background '#7a8a88' -extent 875x656 \
    -quality 92 "$T/still.jpg" 2>/dev/null
check "reference and still photos made" '[ -s "$T/ref.jpg" ] && [ -s "$T/still.jpg" ]'

# ---- servers ------------------------------------------------------------
"$CLI" credentials create $(store_opts "$T/var") --label capture >"$T/cred.json"
field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
AUTH=(-H "client_id: $(field "$T/cred.json" client_id)" -H "client_secret: $(field "$T/cred.json" client_secret)"
    -H "module_secret: $(field "$T/cred.json" module_secret)")
store_copy "$T/var" "$T/var2"
# start NAME DATADIR ARGS...: livecheckd on a free port; sets ${NAME}_URL.
start() {
    local name=$1 dir=$2
    shift 2
    "$LCD" --listen 127.0.0.1:0 $(store_opts "$dir") --models-dir "$MODELS" --web-dir web \
        --log-file "$T/$name.log" "$@" 2>>"$T/$name.err" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 400); do
        grep -q '"msg":"listening"' "$T/$name.log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    local addr
    addr=$(grep -o '"address":"[^"]*"' "$T/$name.log" 2>/dev/null | tail -n 1 | cut -d'"' -f4)
    printf -v "${name}_URL" 'http://%s' "$addr"
    printf -v "${name}_PID" '%s' "$pid"
}
start main "$T/var"
URL=$main_URL
check "livecheckd starts" 'kill -0 $main_PID 2>/dev/null && [ "$URL" != "http://" ]' \
    "$(tail -n 3 "$T/main.err" 2>/dev/null)"
printf 'session_ttl = 3\n' >"$T/short.conf"
start short "$T/var2" --config "$T/short.conf"
check "livecheckd starts with session_ttl = 3" 'kill -0 $short_PID 2>/dev/null && [ "$short_URL" != "http://" ]' \
    "$(tail -n 3 "$T/short.err" 2>/dev/null)"

INIT=/v2/kyc/forensics/active_video_liveness/initiate
# initiate NAME BASE_URL REDIRECT_URL PHOTO...: open a session; sets
# NAME_TXN, NAME_REF, NAME_LINK (videoLivenessUrl), NAME_TOKEN.
initiate() {
    local name=$1 base=$2 redirect=$3
    shift 3
    local r
    r=$(ref)
    node -e '
        const fs = require("fs");
        const [out, ref, purpose, redirect, ...photos] = process.argv.slice(1);
        fs.writeFileSync(out, JSON.stringify({ consent: true, purpose, reference_id: ref,
            redirect_url: redirect, callback_url: "", face_image_urls: [],
            face_image_base64s: photos.map((p) => fs.readFileSync(p).toString("base64")) }));
    ' "$T/init_$name.json" "$r" "$PURPOSE" "$redirect" "$@"
    local code
    code=$(curl -s -o "$T/init_$name.out" -w '%{http_code}' "${AUTH[@]}" \
        -H 'Content-Type: application/json' --data @"$T/init_$name.json" "$base$INIT")
    local link
    link=$(js "$T/init_$name.out" d.videoLivenessUrl)
    printf -v "${name}_TXN" '%s' "$(js "$T/init_$name.out" d.decentroTxnId)"
    printf -v "${name}_REF" '%s' "$r"
    printf -v "${name}_LINK" '%s' "$link"
    printf -v "${name}_TOKEN" '%s' "${link##*/}"
    if [ "$code" = 200 ] && [[ $link == "$base/capture/"* ]]; then
        ok "initiate $name: videoLivenessUrl on this server"
    else
        bad "initiate $name (HTTP $code: $(head -c 300 "$T/init_$name.out"))"
    fi
}

# results NAME: poll the results endpoint until the session is no longer
# pending or processing (at most 300 s); the answer is in $T/res_NAME.json.
results() {
    local name=$1 txn ref i st key
    txn=${name}_TXN
    ref=${name}_REF
    printf '{"consent": true, "purpose": "%s", "reference_id": "%s"}' "$PURPOSE" "${!ref}" >"$T/resq_$name.json"
    for i in $(seq 1 600); do
        curl -s -o "$T/res_$name.json" "${AUTH[@]}" -H 'Content-Type: application/json' \
            --data @"$T/resq_$name.json" "$URL/v2/kyc/forensics/active_video_liveness/${!txn}"
        key=$(js "$T/res_$name.json" d.responseKey)
        st=$(js "$T/res_$name.json" d.data.status)
        [ "$key" = success_video_liveness_session_state ] && { [ "$st" = pending ] || [ "$st" = processing ]; } ||
            break
        sleep 0.5
    done
    echo "     results $name: $(head -c 900 "$T/res_$name.json")"
}

# browse NAME URL ARGS... [-- MEDIA...]: the browser run; its report is in
# $T/b_NAME.json (empty when the run itself failed).
browse() {
    local name=$1 url=$2
    shift 2
    local t0=$SECONDS
    node tests/browser/capture.js --url "$url" --out "$T/m_$name" "$@" >"$T/b_$name.json" 2>"$T/b_$name.err" ||
        echo "     browser $name failed: $(tail -n 5 "$T/b_$name.err")"
    rm -f "$T/m_$name"/*.y4m "$T/m_$name"/*.wav
    echo "     browser $name: $((SECONDS - t0)) s, $(js "$T/b_$name.json" 'JSON.stringify({state: d.state, key: d.key, challenge: d.challenge, phases: d.phases, marks: d.marks, console: d.console})')"
}
MEDIA=(-- tests/lib/capture_media.sh '{challenge}' '{out}' --y4m --offset 0.1)

# ---- (a) a live person who does the challenge -----------------------------
initiate live "$URL" "$REDIRECT" "$T/ref.jpg" "$DEV/faces/obama-1.jpg"
browse live "$live_LINK" --geo "$GEO" --redirect "$REDIRECT" --save-upload "$T/live.upload" "${MEDIA[@]}"
BR=$T/b_live.json
check "(a) the page showed a challenge of head turns, a blink and 4 digits" \
    '[[ "$(js "$BR" d.challenge)" =~ ^(turn_left|turn_right|blink|digits=[0-9]{4})@ ]] &&
     [ "$(js "$BR" "d.plan.map(p => p.kind).sort().join()")" = "blink,digits,turn_left,turn_right" ]' \
    "($(js "$BR" d.challenge))"
check "(a) prompts are announced in an aria-live region" '[ "$(js "$BR" d.promptLive)" = polite ]'
check "(a) the page loaded nothing from anywhere but livecheckd" \
    '[ "$(js "$BR" "Array.isArray(d.foreign) && d.foreign.length === 0")" = true ]' "($(js "$BR" d.foreign))"
check "(a) the upload was accepted (202) as webm" \
    '[ "$(js "$BR" d.uploadStatus)" = 202 ] && [[ "$(js "$BR" d.meta.mimeType)" == video/webm* ]] &&
     grep -q "filename=\"capture.webm\"" "$T/live.upload"'
check "(a) meta: each prompt shown at its planned times (within 1 s: timers on a loaded machine)" \
    '[ "$(js "$BR" "d.meta.prompts.length === d.plan.length && d.meta.prompts.every((p, i) =>
        p.kind === d.plan[i].kind && Math.abs(p.start - d.plan[i].start) < 1 && Math.abs(p.end - d.plan[i].end) < 1)")" = true ]' \
    "($(js "$BR" "JSON.stringify(d.meta.prompts)"))"
check "(a) meta: recordingStartedAt and the granted location" \
    '[ "$(js "$BR" "Math.abs(d.meta.recordingStartedAt - Date.now()) < 600000 && d.meta.location.latitude === 12.9716 && d.meta.location.longitude === 77.5946")" = true ]'
check "(a) the page said Verification complete" '[ "$(js "$BR" d.title)" = "Verification complete" ]' \
    "($(js "$BR" d.title): $(js "$BR" d.text))"
check "(a) the browser ended at redirect_url with decentroTxnId and status" \
    '[[ "$(js "$BR" d.finalUrl)" == "$REDIRECT?"* ]] &&
     [ "$(js "$BR" "new URL(d.finalUrl).searchParams.get(\"decentroTxnId\")")" = "$live_TXN" ] &&
     [[ "$(js "$BR" "new URL(d.finalUrl).searchParams.get(\"status\")")" =~ ^(SUCCESS|FAILURE)$ ]]' \
    "($(js "$BR" d.finalUrl))"
results live
R=$T/res_live.json
check "(a) results: success_video_liveness_results" \
    '[ "$(js "$R" d.responseKey)" = success_video_liveness_results ]'
check "(a) results: liveliness yes" '[ "$(js "$R" d.data.liveliness)" = yes ]'
check "(a) results: staticRisk false, prerecordedRisk false" \
    '[ "$(js "$R" d.data.staticRisk)" = false ] && [ "$(js "$R" d.data.prerecordedRisk)" = false ]'
check "(a) results: the digits were heard (audio matchScore >= 75)" \
    '[ "$(js "$R" "Number(d.data.audioMatchResults.matchScore) >= 75")" = true ]'
check "(a) results: the same person's photo matches (matchScore >= 75)" \
    '[ "$(js "$R" "Number(d.data.videoFaceMatchResults[0].results.matchScore) >= 75")" = true ]'
check "(a) results: another person's photo does not (matchScore < 40)" \
    '[ "$(js "$R" "Number(d.data.videoFaceMatchResults[1].results.matchScore) < 40")" = true ]'
check "(a) results: geoLocation is the granted position" \
    '[ "$(js "$R" "Number(d.data.geoLocation.latitude) === 12.9716 && Number(d.data.geoLocation.longitude) === 77.5946")" = true ]' \
    "($(js "$R" d.data.geoLocation))"
# The redirect's status says the analysis finished (the verdict is in the
# results).
check "(a) the redirect's status is SUCCESS (the analysis finished)" \
    '[ "$(js "$BR" "new URL(d.finalUrl).searchParams.get(\"status\")")" = SUCCESS ]'

# ---- (e) the used link ----------------------------------------------------
browse used "$live_LINK"
check "(e) a used link: its message and error_capture_link_used" \
    '[ "$(js "$T/b_used.json" d.state)" = error ] && [ "$(js "$T/b_used.json" d.key)" = error_capture_link_used ] &&
     [ "$(js "$T/b_used.json" d.keyShown)" = error_capture_link_used ] &&
     [ "$(js "$T/b_used.json" d.title)" = "This link has already been used" ]'

# ---- (d) the same recording uploaded to a second session -----------------
initiate again "$URL" "$REDIRECT" "$T/ref.jpg"
code=$(curl -s -o "$T/again.out" -w '%{http_code}' -H "Content-Type: $(cat "$T/live.upload.ctype")" \
    --data-binary @"$T/live.upload" "$URL/v2/capture/$again_TOKEN")
check "(d) the same bytes posted to a second session's link are received (202)" '[ "$code" = 202 ]' \
    "(HTTP $code: $(head -c 300 "$T/again.out"))"
results again
check "(d) results: prerecordedRisk true, liveliness no" \
    '[ "$(js "$T/res_again.json" d.data.prerecordedRisk)" = true ] && [ "$(js "$T/res_again.json" d.data.liveliness)" = no ]'
check "(d) results: the upload is known as seen before (details.duplicateUpload), not in (a)" \
    '[ "$(js "$T/res_again.json" d.data.details.duplicateUpload)" = true ] &&
     [ "$(js "$T/res_live.json" d.data.details.duplicateUpload)" = false ]'

# ---- (b) a still photo held to the camera --------------------------------
initiate still "$URL" "$REDIRECT" "$T/ref.jpg"
browse still "$still_LINK" --redirect "$REDIRECT" -- tests/lib/capture_media.sh '{challenge}' '{out}' \
    --y4m --offset 0.1 --still "$T/still.jpg"
check "(b) no location granted: the upload still went, with location null" \
    '[ "$(js "$T/b_still.json" d.uploadStatus)" = 202 ] && [ "$(js "$T/b_still.json" "d.meta.location === null")" = true ]'
results still
R=$T/res_still.json
check "(b) results: staticRisk true, liveliness no" \
    '[ "$(js "$R" d.data.staticRisk)" = true ] && [ "$(js "$R" d.data.liveliness)" = no ]'
check "(b) the browser ended at redirect_url with this session's decentroTxnId" \
    '[[ "$(js "$T/b_still.json" d.finalUrl)" == "$REDIRECT?"* ]] &&
     [ "$(js "$T/b_still.json" "new URL(d.finalUrl).searchParams.get(\"decentroTxnId\")")" = "$still_TXN" ]' \
    "($(js "$T/b_still.json" d.finalUrl))"

# ---- (c) the wrong digits read aloud -------------------------------------
initiate wrong "$URL" "$REDIRECT" "$T/ref.jpg"
# Digits none of which is in the challenge (the first of those absent, in
# order): a shifted copy such as d + 5 could keep a pair in order (6196
# read as 1641 shares "16" and scores 50).
other() {
    local a="" x
    for x in 0 1 2 3 4 5 6 7 8 9; do [[ $1 == *$x* ]] || a+=$x; done
    echo "${a:0:${#1}}"
}
export -f other
browse wrong "$wrong_LINK" --geo "$GEO" --redirect "$REDIRECT" -- bash -c \
    'exec tests/lib/capture_media.sh "$1" "$2" --y4m --offset 0.1 --digits-spoken "$(other "$(grep -oE "digits=[0-9]+" <<<"$1" | cut -d= -f2)")"' \
    _ '{challenge}' '{out}'
digits=$(js "$T/b_wrong.json" "d.plan.find(p => p.kind === 'digits').digits")
other=$(other "$digits")
results wrong
R=$T/res_wrong.json
check "(c) results: $other read for $digits: audio matchScore < 50" \
    '[ "$(js "$R" "Number(d.data.audioMatchResults.matchScore) < 50")" = true ]'
check "(c) results: prerecordedRisk true, liveliness no" \
    '[ "$(js "$R" d.data.prerecordedRisk)" = true ] && [ "$(js "$R" d.data.liveliness)" = no ]'

# ---- (e) links and failures -----------------------------------------------
# expect NAME TITLE KEY: the page's report shows an error with that title
# and key (the key also shown on the page in small text).
expect() {
    local f=$T/b_$1.json title=$2 key=$3
    check "(e) $1: \"$title\" and $key" \
        '[ "$(js "$f" d.state)" = error ] && [ "$(js "$f" d.key)" = "$key" ] && [ "$(js "$f" d.keyShown)" = "$key" ] &&
         [ "$(js "$f" d.title)" = "$title" ]' "($(head -c 400 "$f"))"
}
initiate expired "$short_URL" "$REDIRECT" "$T/ref.jpg"
# The link lives 3 s: wait for it to expire.
sleep 4
browse expired "$expired_LINK"
expect expired "This link has expired" error_capture_link_expired

tok=$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')
browse invalid "$URL/capture/$tok"
expect invalid "This link is not valid" error_capture_link_invalid

initiate refused "$URL" "$REDIRECT" "$T/ref.jpg"
browse refused "$refused_LINK" --empty-video "${MEDIA[@]}"
expect refused "The upload was refused" error_empty_video
# The refused upload counted: post empty ones until the link is out of
# attempts (3 allowed), then open it.
form_meta='{"recordingStartedAt":0,"prompts":[],"location":null,"mimeType":"video/webm","userAgent":"curl"}'
for i in 1 2 3 4; do
    code=$(curl -s -o "$T/refused.out" -w '%{http_code}' -F "video=@/dev/null;filename=capture.webm;type=video/webm" \
        -F "meta=$form_meta" "$URL/v2/capture/$refused_TOKEN")
    [ "$code" = 410 ] && break
done
browse exhausted "$refused_LINK"
expect exhausted "No attempts left" error_capture_attempts_exhausted

initiate denied "$URL" "$REDIRECT" "$T/ref.jpg"
browse denied "$denied_LINK" --deny-camera
expect denied "Camera and microphone are blocked" camera_permission_denied
browse nocamera "$denied_LINK" --no-camera
expect nocamera "No camera found" camera_not_found

finish
