#!/usr/bin/env bash
# tests/api_forensics.sh - POST /v2/kyc/forensics/face_match and
# POST /v2/kyc/forensics/image_quality end to end: a real livecheckd on
# loopback (random port, temporary SQLite store) called with curl.
# Face match: every pair of the dev identity photos (../shared/data/dev/
# faces, read in place, never copied into the repository): same identity
# above the default threshold, different identities below, and the very
# percent `livecheck match` prints; thresholds 5 and 95; images by URL from
# a python3 http.server on 127.0.0.1 (allowed by the test configuration's
# fetch_allow; a URL to 10.0.0.1 is refused before connecting, so no
# traffic leaves loopback); every error of section 4 and of these routes'
# own keys by a real request. Image quality: a dev photo and made-up
# degradations of it (blur, darken, overexpose, recompress at quality 10,
# all with /usr/bin/convert): each moves its own score down and the
# untouched photo is accepted; quality_parameter; the CLI prints the same
# data. The last line is "api-forensics: N passed, N failed".
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
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    store_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib/check.sh
CONVERT() { /usr/bin/convert "$@" 2>/dev/null; }
n=0
# Called as $(ref), in a subshell: a counter would not advance, so 64
# random bits make each reference_id unique.
ref() { echo "fref-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d " ")"; }
PURPOSE="for bank verification only"
F=$DEV/faces
# JSON field by a JavaScript path: js FILE EXPR (d is the document).
js() { node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const v=eval(process.argv[2]); console.log(typeof v === "object" ? JSON.stringify(v) : v)' "$1" "$2"; }

# ---- photos (made here, in a temporary directory) ------------------------
mkdir -p "$T/www"
CONVERT "$F/obama-1.jpg" -resize 1200x1200 -quality 92 "$T/www/photo.jpg"
CONVERT "$T/www/photo.jpg" -blur 0x4 -quality 92 "$T/blur.jpg"
CONVERT "$T/www/photo.jpg" -brightness-contrast -60x0 -quality 92 "$T/dark.jpg"
CONVERT "$T/www/photo.jpg" -brightness-contrast 60x0 -quality 92 "$T/over.jpg"
CONVERT "$T/www/photo.jpg" -quality 10 "$T/q10.jpg"
CONVERT "$T/q10.jpg" "$T/q10.png"
CONVERT -size 1000x1000 gradient:navy-orange -quality 90 "$T/noface.jpg"
head -c 20000 "$T/www/photo.jpg" >"$T/trunc.jpg"
printf 'this is not a photo\n' >"$T/text.jpg"
: >"$T/empty.jpg"
(printf '\xff\xd8\xff\xe0'; head -c 25000000 /dev/zero) >"$T/big.jpg"
for f in obama-1 obama-2 biden-1; do ln -s "$(realpath "$F/$f.jpg")" "$T/www/$f.jpg"; done

# ---- a local HTTP server (127.0.0.1 only) --------------------------------
cat >"$T/www.py" <<'EOF'
import http.server, os, sys
root, portfile = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
EOF
python3 "$T/www.py" "$T/www" "$T/port" 2>"$T/www.err" &
PIDS+=("$!")
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
WWW=http://127.0.0.1:$(cat "$T/port")
# A port nobody listens on (bound, then closed): connections are refused.
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# ---- the server ----------------------------------------------------------
"$CLI" credentials create $(store_opts "$T/var") --label api-forensics >"$T/cred.json"
field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
AUTH=(-H "client_id: $(field "$T/cred.json" client_id)" -H "client_secret: $(field "$T/cred.json" client_secret)"
    -H "module_secret: $(field "$T/cred.json" module_secret)")
printf 'fetch_allow = 127.0.0.1/32\nfetch_timeout_ms = 3000\nfetch_connect_timeout_ms = 1000\n' >"$T/allow.conf"
"$LCD" --listen 127.0.0.1:0 $(store_opts "$T/var") --models-dir "$MODELS" --web-dir web \
    --config "$T/allow.conf" --log-file "$T/main.log" 2>>"$T/main.err" &
MPID=$!
PIDS+=("$MPID")
for _ in $(seq 1 200); do
    grep -q '"msg":"listening"' "$T/main.log" 2>/dev/null && break
    kill -0 "$MPID" 2>/dev/null || break
    sleep 0.05
done
URL=http://$(grep -o '"address":"[^"]*"' "$T/main.log" | tail -n 1 | cut -d'"' -f4)
check "livecheckd starts with fetch_allow" 'kill -0 $MPID 2>/dev/null' "$(tail -n 3 "$T/main.err" 2>/dev/null)"
FM=$URL/v2/kyc/forensics/face_match
IQ=$URL/v2/kyc/forensics/image_quality

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
msg_has() { grep -q "\"message\":\"[^\"]*$1" "$T/out"; }

# ---- face match: every pair of the dev identity photos -------------------
# One-face photos and their identities (faces/labels.csv).
mapfile -t ONE < <(awk -F, '{ sub(/\r$/, "") } NR > 1 && $3 == 1 { print $1 " " $2 }' "$F/labels.csv")
same_bad=0 diff_bad=0 cli_bad=0 pairs=0 same_min=101 diff_max=-1
: >"$T/pairs.txt"
for ((i = 0; i < ${#ONE[@]}; i++)); do
    for ((j = i + 1; j < ${#ONE[@]}; j++)); do
        read -r fa ia <<<"${ONE[$i]}"
        read -r fb ib <<<"${ONE[$j]}"
        curl -s -o "$T/pair.json" "$FM" "${AUTH[@]}" -F "reference_id=$(ref)" -F consent=true \
            -F "consent_purpose=$PURPOSE" -F "image1=@$F/$fa" -F "image2=@$F/$fb"
        m=$(js "$T/pair.json" 'd.data ? d.data.match : d.responseKey')
        y=$(js "$T/pair.json" 'd.data ? d.data.matched : ""')
        c=$("$CLI" match "$F/$fa" "$F/$fb" 2>&1 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).matchPercent)}catch(e){console.log("?")}})')
        p=${m%\%}
        pairs=$((pairs + 1))
        echo "$fa $fb $m $y" >>"$T/pairs.txt"
        [ "$c" = "$m" ] || cli_bad=$((cli_bad + 1))
        if [ "$ia" = "$ib" ]; then
            [ "$y" = yes ] || same_bad=$((same_bad + 1))
            same_min=$(awk -v a="$same_min" -v b="$p" 'BEGIN { print (b + 0 < a + 0) ? b : a }')
        else
            [ "$y" = no ] || diff_bad=$((diff_bad + 1))
            diff_max=$(awk -v a="$diff_max" -v b="$p" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
        fi
    done
done
check "all $pairs pairs: every same-identity pair matches at the default 50 (lowest $same_min%)" \
    '[ "$pairs" = 36 ] && [ "$same_bad" = 0 ]' "($same_bad failed: $(cat "$T/pairs.txt"))"
check "... every different-identity pair does not (highest $diff_max%)" '[ "$diff_bad" = 0 ]' \
    "($diff_bad failed: $(cat "$T/pairs.txt"))"
check "... and livecheck match prints the same percent for every pair" '[ "$cli_bad" = 0 ]' "($cli_bad differ)"

r1=$(ref)
call "face_match: two uploads (the hosted API's form)" 200 success_face_match --location "$FM" "${AUTH[@]}" \
    --form "reference_id=\"$r1\"" --form 'consent="true"' --form "consent_purpose=\"$PURPOSE\"" \
    --form "image1=@\"$F/obama-1.jpg\"" --form "image2=@\"$F/obama-2.jpg\""
check "face_match: data status, match as a percent string, matched, threshold 50, message" \
    'grep -qE "\"data\":\{\"status\":\"SUCCESS\",\"match\":\"[0-9]{1,3}\.[0-9]{2}%\",\"matched\":\"yes\",\"threshold\":50," "$T/out" &&
     msg_has "Face scan completed successfully."' "$(head -c 400 "$T/out")"
m1=$(js "$T/out" d.data.match)
t1=$(grep -o '"decentroTxnId":"[0-9A-F]*"' "$T/out" | cut -d'"' -f4)
row=$(store_sql "$T/var" "SELECT endpoint, reference_id, response_key, score, claim FROM transactions WHERE id = '$t1'")
check "face_match: the transaction is stored with its rounded score" \
    '[ "$row" = "/v2/kyc/forensics/face_match|$r1|success_face_match|$(printf %.0f "${m1%\%}")|1" ]' "($row)"
call "face_match: both images by URL (127.0.0.1, allow-listed)" 200 success_face_match "$FM" "${AUTH[@]}" @FORM@ \
    -F "image1_url=$WWW/obama-1.jpg" -F "image2_url=$WWW/obama-2.jpg"
check "... the same percent as the uploads ($m1)" '[ "$(js "$T/out" d.data.match)" = "$m1" ]'
call "face_match: one upload, one URL, and an empty image2 part beside image2_url" 200 success_face_match "$FM" \
    "${AUTH[@]}" @FORM@ -F "image1=@$F/obama-1.jpg" -F "image2=@$T/empty.jpg" -F "image2_url=$WWW/obama-2.jpg"

# Thresholds: obama-1/obama-2 and biden-1/biden-2 (same people),
# biden-1/obama-2 (different).
thr() { # THRESHOLD A B -> "match matched threshold"
    curl -s -o "$T/thr.json" "$FM" "${AUTH[@]}" -F "reference_id=$(ref)" -F consent=true \
        -F "consent_purpose=$PURPOSE" -F "threshold=$1" -F "image1=@$F/$2.jpg" -F "image2=@$F/$3.jpg"
    js "$T/thr.json" '[d.data.match, d.data.matched, d.data.threshold].join(" ")'
}
thr_ok=1 thr_log=
for t in 5 95; do
    for p in "obama-1 obama-2" "biden-1 biden-2" "biden-1 obama-2"; do
        read -r pm py pt <<<"$(thr $t $p)"
        want=$(awk -v m="${pm%\%}" -v t="$t" 'BEGIN { print (m + 0 >= t) ? "yes" : "no" }')
        thr_log="$thr_log [$t $p: $pm $py]"
        { [ "$pt" = "$t" ] && [ "$py" = "$want" ]; } || thr_ok=0
    done
done
check "threshold 5 and 95: matched is yes exactly when match >= threshold" '[ $thr_ok = 1 ]' "($thr_log)"
check "... threshold 95 rejects the weakest same pair, 5 accepts it; the different pair stays no at 5" \
    '[[ "$thr_log" == *"[95 biden-1 biden-2: "*" no]"* ]] && [[ "$thr_log" == *"[5 biden-1 biden-2: "*" yes]"* ]] &&
     [[ "$thr_log" == *"[5 biden-1 obama-2: "*" no]"* ]]' "($thr_log)"

# ---- face match: every refusal ---------------------------------------------
two=(-F "image1=@$F/obama-1.jpg" -F "image2=@$F/obama-2.jpg")
for t in 4 96 ten 50.5; do
    call "threshold $t" 400 error_invalid_threshold "$FM" "${AUTH[@]}" @FORM@ -F "threshold=$t" "${two[@]}"
done
check "... with the hosted API's message and E00009" \
    'msg_has "Threshold can'"'"'t be greater than 95 or less than 5." && grep -q "\"responseCode\":\"E00009\"" "$T/out"'
call "neither image1 nor image1_url" 400 error_empty_image_and_image_url "$FM" "${AUTH[@]}" @FORM@ \
    -F "image2=@$F/obama-2.jpg"
check "... with the hosted API's message, naming image1" \
    'msg_has "Pass either an Image or Image URL, both can not be null. Hint: image1 (file) or image1_url" &&
     grep -q "\"responseCode\":\"E00009\"" "$T/out"' "$(head -c 300 "$T/out")"
call "no image at all (empty image2_url counts as absent)" 400 error_empty_image_and_image_url "$FM" "${AUTH[@]}" \
    @FORM@ -F "image1=@$F/obama-1.jpg" -F "image2_url="
check "... naming image2" 'msg_has "Hint: image2 (file) or image2_url"'
call "image1 and image1_url both" 400 error_image_and_image_url_both_given "$FM" "${AUTH[@]}" @FORM@ \
    "${two[@]}" -F "image1_url=$WWW/obama-1.jpg"
call "an empty image2 part" 400 error_empty_image "$FM" "${AUTH[@]}" @FORM@ -F "image1=@$F/obama-1.jpg" \
    -F "image2=@$T/empty.jpg"
call "image2 with two faces" 422 error_multiple_faces_detected "$FM" "${AUTH[@]}" @FORM@ \
    -F "image1=@$F/obama-1.jpg" -F "image2=@$F/two-people.jpg"
check "... the message names image2" 'msg_has "Hint: image2: "'
call "image1 with no face" 422 error_no_face_detected "$FM" "${AUTH[@]}" @FORM@ -F "image1=@$T/noface.jpg" \
    -F "image2=@$F/obama-2.jpg"
check "... the message names image1" 'msg_has "Hint: image1: "'
call "a truncated JPEG as image2" 422 error_corrupt_image "$FM" "${AUTH[@]}" @FORM@ -F "image1=@$F/obama-1.jpg" \
    -F "image2=@$T/trunc.jpg"
check "... the message names image2" 'msg_has "Hint: image2: "'
call "a text file as image1" 415 error_invalid_image_format "$FM" "${AUTH[@]}" @FORM@ -F "image1=@$T/text.jpg" \
    -F "image2=@$F/obama-2.jpg"
call "a 25 MB image2, refused before its body is read" 413 error_image_too_large "$FM" "${AUTH[@]}" @FORM@ \
    -F "image1=@$F/obama-1.jpg" -F "image2=@$T/big.jpg"
call "image1_url with ftp://" 400 error_invalid_image_url "$FM" "${AUTH[@]}" @FORM@ \
    -F "image1_url=ftp://127.0.0.1/a.jpg" -F "image2=@$F/obama-2.jpg"
call "image2_url to 10.0.0.1 (not allowed, refused before connecting)" 400 error_image_url_not_allowed "$FM" \
    "${AUTH[@]}" @FORM@ -F "image1=@$F/obama-1.jpg" -F "image2_url=http://10.0.0.1/a.jpg"
check "... naming image2_url" 'msg_has "Hint: image2_url: "'
call "image1_url answering 404" 422 error_image_url_http_error "$FM" "${AUTH[@]}" @FORM@ \
    -F "image1_url=$WWW/missing.jpg" -F "image2=@$F/obama-2.jpg"
call "image1_url to a closed port" 422 error_image_url_unreachable "$FM" "${AUTH[@]}" @FORM@ \
    -F "image1_url=http://127.0.0.1:$CLOSED/a.jpg" -F "image2=@$F/obama-2.jpg"
call "face_match with a JSON body" 415 error_unsupported_content_type "$FM" "${AUTH[@]}" \
    -H 'Content-Type: application/json' --data '{"reference_id":"x"}'
call "face_match without consent" 400 error_empty_consent "$FM" "${AUTH[@]}" -F "reference_id=$(ref)" \
    -F "consent_purpose=$PURPOSE" "${two[@]}"
call "face_match: a duplicate reference_id" 409 error_duplicate_reference_id "$FM" "${AUTH[@]}" \
    -F "reference_id=$r1" -F consent=true -F "consent_purpose=$PURPOSE" "${two[@]}"
"$CLI" match "$F/obama-1.jpg" "$F/obama-2.jpg" --threshold 96 >/dev/null 2>"$T/err"
check "livecheck match --threshold 96 is refused like the endpoint" \
    '[ $? -ne 0 ] && grep -q error_invalid_threshold "$T/err"'

# ---- image quality ---------------------------------------------------------
q() { # FILE [PARAM] -> the response in $T/q-<name>.json
    local out=$T/q-$(basename "$1").json
    curl -s -o "$out" "$IQ" "${AUTH[@]}" -F "reference_id=$(ref)" -F consent=true -F "consent_purpose=$PURPOSE" \
        -F "image=@$1" ${2:+-F "quality_parameter=$2"}
    echo "$out"
}
score() { js "$1" "d.data.imageQuality.qualityScores.$2.score"; }
call "image_quality: the untouched photo" 200 success_image_quality "$IQ" "${AUTH[@]}" @FORM@ \
    -F "image=@$T/www/photo.jpg"
cp "$T/out" "$T/orig.json"
check "image_quality: accept, four scores 0..100, extractionQuality, msg done, message" \
    'grep -qE "\"data\":\{\"imageQuality\":\{\"summary\":\"accept\",\"qualityScores\":\{\"sharpness\":\{\"valid\":\"true\",\"score\":[0-9]+\},\"brightness\":\{\"valid\":\"true\",\"score\":[0-9]+\},\"compressionQuality\":\{\"valid\":\"true\",\"score\":[0-9]+\},\"textQuality\":\{\"valid\":\"false\",\"score\":0\}\},\"extractionQuality\":\"(high|medium)\",\"score\":[0-9]+,\"msg\":\"done\"\}" "$T/out" &&
     msg_has "Image Quality check performed successfully"' "$(head -c 500 "$T/out")"
s0=$(score "$T/orig.json" sharpness) b0=$(score "$T/orig.json" brightness) c0=$(score "$T/orig.json" compressionQuality)
sb=$(score "$(q "$T/blur.jpg")" sharpness)
bd=$(score "$(q "$T/dark.jpg")" brightness)
bo=$(score "$(q "$T/over.jpg")" brightness)
cq=$(score "$(q "$T/q10.jpg")" compressionQuality)
check "blur 0x4: sharpness $s0 -> $sb" '[ "$sb" -lt "$s0" ] && [ "$sb" -lt 50 ]'
check "darken: brightness $b0 -> $bd" '[ "$bd" -lt "$b0" ] && [ "$bd" -lt 50 ]'
check "overexpose: brightness $b0 -> $bo" '[ "$bo" -lt "$b0" ] && [ "$bo" -lt 50 ]'
check "recompress at quality 10: compressionQuality $c0 -> $cq" '[ "$cq" -lt "$c0" ] && [ "$cq" -lt 50 ]'
cp=$(score "$(q "$T/q10.png")" compressionQuality)
check "... saved again as PNG (no quantisation tables: blockiness alone): $c0 -> $cp" '[ "$cp" -lt 50 ]'
summ=$(for f in blur dark over q10; do js "$T/q-$f.jpg.json" d.data.imageQuality.summary; done | sort -u | tr '\n' ' ')
check "... and each degraded photo is rejected" '[ "$summ" = "reject " ]' "($summ)"
check "the JPEG's quantisation tables: the photo is quality 92, the recompressed one 10" \
    '[ "$(js "$T/orig.json" d.data.measures.jpegQuality)" = 92 ] && [ "$(js "$T/q-q10.jpg.json" d.data.measures.jpegQuality)" = 10 ]'
call "image_quality by image_url" 200 success_image_quality "$IQ" "${AUTH[@]}" @FORM@ -F "image_url=$WWW/photo.jpg"
check "... the same scores as the upload" \
    '[ "$(js "$T/out" d.data.imageQuality)" = "$(js "$T/orig.json" d.data.imageQuality)" ]'
"$CLI" quality "$T/www/photo.jpg" >"$T/cli.json"
check "livecheck quality prints the endpoint's data" \
    '[ "$(js "$T/cli.json" "JSON.stringify(d)")" = "$(js "$T/orig.json" "JSON.stringify(d.data)")" ]'
"$CLI" quality "$T/www/photo.jpg" --parameter sharpness >"$T/cli-sharp.json"
call "quality_parameter sharpness" 200 success_image_quality "$IQ" "${AUTH[@]}" @FORM@ -F "image=@$T/www/photo.jpg" \
    -F quality_parameter=sharpness
check "... only sharpness, and the overall score is its score (CLI the same)" \
    '[ "$(js "$T/out" "Object.keys(d.data.imageQuality.qualityScores).join()")" = sharpness ] &&
     [ "$(js "$T/out" d.data.imageQuality.score)" = "$s0" ] &&
     [ "$(js "$T/cli-sharp.json" "JSON.stringify(d)")" = "$(js "$T/out" "JSON.stringify(d.data)")" ]'
call "quality_parameter textQuality (not applicable to a photo)" 200 success_image_quality "$IQ" "${AUTH[@]}" \
    @FORM@ -F "image=@$T/www/photo.jpg" -F quality_parameter=textQuality
check "... valid false, score 0, summary reject" \
    'grep -q "\"qualityScores\":{\"textQuality\":{\"valid\":\"false\",\"score\":0}},\"extractionQuality\":\"low\",\"score\":0" "$T/out" &&
     [ "$(js "$T/out" d.data.imageQuality.summary)" = reject ]'
call "quality_parameter all, any case" 200 success_image_quality "$IQ" "${AUTH[@]}" @FORM@ \
    -F "image=@$T/www/photo.jpg" -F quality_parameter=ALL
call "quality_parameter contrast" 400 error_invalid_quality_parameter "$IQ" "${AUTH[@]}" @FORM@ \
    -F "image=@$T/www/photo.jpg" -F quality_parameter=contrast
check "... E00009" 'grep -q "\"responseCode\":\"E00009\"" "$T/out"'
call "image_quality: neither image nor image_url" 400 error_empty_image_and_image_url "$IQ" "${AUTH[@]}" @FORM@
check "... with the hosted API's message" \
    'msg_has "Pass either an Image or Image URL, both can not be null. Hint: image (file) or image_url"'
call "image_quality: image and image_url both" 400 error_image_and_image_url_both_given "$IQ" "${AUTH[@]}" @FORM@ \
    -F "image=@$T/www/photo.jpg" -F "image_url=$WWW/photo.jpg"
call "image_quality: a photo with no face is measured (no face needed)" 200 success_image_quality "$IQ" \
    "${AUTH[@]}" @FORM@ -F "image=@$T/noface.jpg"
check "... face null, measures of the whole image" \
    'grep -q "\"measures\":{\"face\":null,\"laplacianVarianceFace\":null," "$T/out"'
call "image_quality: a truncated JPEG" 422 error_corrupt_image "$IQ" "${AUTH[@]}" @FORM@ -F "image=@$T/trunc.jpg"
call "image_quality: image_url to 169.254.169.254" 400 error_image_url_not_allowed "$IQ" "${AUTH[@]}" @FORM@ \
    -F "image_url=http://169.254.169.254/latest/meta-data/"

kill -TERM "$MPID"
wait "$MPID"
check "SIGTERM: livecheckd exits 0" '[ $? -eq 0 ]' "($(tail -n 3 "$T/main.err"))"
check_done api-forensics
