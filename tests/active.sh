#!/usr/bin/env bash
# tests/active.sh - `livecheck active` end to end on recordings composed
# here by tests/lib/capture_media.sh (one real person of the dev data
# performing each prompt in its window, espeak-ng reading the digits over
# pink noise; VP8 + Opus webm without a duration, as Chromium records it)
# in a temp dir, never committed:
#   (a) the challenge performed: every prompt done, no static or
#       prerecorded risk, the digits heard (matchScore >= 75), passive
#       liveness passing; the face matches a frame of the same person taken
#       from outside the composed segments (matchScore >= 75) and not Obama
#       (<= 25); covariance reported 0..100; the best frame is a JPEG of
#       the same person;
#   (b) a still photo of the person held to the camera: staticRisk;
#   (c) other digits read aloud: audio matchScore low, prerecordedRisk;
#   (d) the turns performed in each other's windows: prerecordedRisk;
#   (e) the recording without its audio track: audio 0, prerecordedRisk;
#   (f) bad input: an empty file, a text file, a webm cut in its header,
#       a clip with no face, each refused with its own key (exit 2), and a
#       malformed challenge (exit 1), never a crash.
# Each check prints ok/FAIL; the last line is "active: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
LC=${LC_BUILD:-build}/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
export LC_DEV_DATA=$DEV
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib/check.sh
FF() { ffmpeg -nostdin -v error -y "$@"; }

for tool in ffmpeg sox espeak-ng python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL $tool missing (scripts/install-deps.sh)"
        echo "active: 0 passed, 1 failed"
        exit 1
    fi
done

CH="turn_left@1.50-4.00,turn_right@4.00-6.50,blink@6.50-9.00,digits=4821@9.00-14.00"
SWAPPED="turn_right@1.50-4.00,turn_left@4.00-6.50,blink@6.50-9.00,digits=4821@9.00-14.00"
# The person's reference photo: a frame of the dev clip from outside every
# segment the recordings are made of (20 s in, looking at the camera).
FF -ss 20.0 -i "$DEV/videos/replay-pair-real.mp4" -frames:v 1 -q:v 2 "$T/ref.jpg"
OBAMA=$DEV/faces/obama-1.jpg

# compose NAME CHALLENGE [capture_media options]: $T/NAME/capture.webm
compose() {
    local name=$1 ch=$2
    shift 2
    tests/lib/capture_media.sh "$ch" "$T/$name" "$@" 2>"$T/$name.err" ||
        bad "$name: capture_media.sh failed: $(tail -c 300 "$T/$name.err")"
}

# run NAME FILE [args]: livecheck active's JSON into $T/NAME.json.
run() {
    local name=$1 file=$2
    shift 2
    "$LC" active "$file" --challenge "$CH" "$@" >"$T/$name.json" 2>"$T/$name.err"
}

# q NAME EXPR: a Python expression over the result d (a dict).
q() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$T/$1.json" "$2" 2>/dev/null
}

# check NAME DESCRIPTION EXPR: ok when the expression is True.
check() {
    local v
    v=$(q "$1" "$3")
    if [ "$v" = True ]; then ok "$1: $2"; else bad "$1: $2 ($3 is '$v')"; fi
}

# --- (a) the challenge performed -------------------------------------------
compose performed "$CH"
mkdir -p "$T/frames"
if run performed "$T/performed/capture.webm" --ref "$T/ref.jpg" --ref "$OBAMA" --frames "$T/frames"; then
    p=performed
    echo "     $(q $p '"prompts %s; audio %d heard %s; ref %s; obama %s; passive %.2f; %d ms" % ([(x["kind"], x["done"]) for x in d["prompts"]], d["audioMatchResults"]["matchScore"], d["audioMatchResults"]["heard"], d["videoFaceMatchResults"][0]["results"], d["videoFaceMatchResults"][1]["results"], d["evidence"]["passive"], d["timingsMs"]["total"])')"
    check $p "every prompt done" 'all(x["done"] for x in d["prompts"])'
    check $p "turn_left seen turning left (yaw < 0)" 'd["prompts"][0]["value"] < -15'
    check $p "turn_right seen turning right (yaw > 0)" 'd["prompts"][1]["value"] > 15'
    check $p "staticRisk false" 'd["staticRisk"] == "false"'
    check $p "prerecordedRisk false" 'd["prerecordedRisk"] == "false"'
    check $p "audio matchScore >= 75" 'd["audioMatchResults"]["matchScore"] >= 75'
    check $p "passive liveness passes" 'd["passiveOk"] == "true"'
    check $p "liveliness yes" 'd["liveliness"] == "yes"'
    check $p "same person matchScore >= 75" 'd["videoFaceMatchResults"][0]["results"]["matchScore"] >= 75'
    check $p "obama matchScore <= 25" 'd["videoFaceMatchResults"][1]["results"]["matchScore"] <= 25'
    check $p "covariance reported 0..100" 'all(0 <= r["results"]["covariance"] <= 100 for r in d["videoFaceMatchResults"])'
    check $p "same person covariance >= 75" 'd["videoFaceMatchResults"][0]["results"]["covariance"] >= 75'
    check $p "best frame time inside the clip" '0 <= d["videoFaceMatchResults"][0]["bestFrameTime"] <= 15'
    if "$LC" match "$T/frames/best-1.jpg" "$T/ref.jpg" >"$T/m.json" 2>"$T/m.err" &&
        grep -q '"match": "yes"' "$T/m.json"; then
        ok "performed: the best frame is a JPEG of the same person"
    else
        bad "performed: best frame ($(cat "$T/m.json" "$T/m.err" | tr -d '\n' | tail -c 300))"
    fi
else
    bad "performed: livecheck active failed: $(tail -c 300 "$T/performed.err")"
fi

# --- (b) a still photo held to the camera ----------------------------------
compose still "$CH" --still "$T/ref.jpg"
if run still "$T/still/capture.webm" --ref "$T/ref.jpg"; then
    echo "     $(q still '"risks: %s" % d["risks"]')"
    check still "staticRisk true" 'd["staticRisk"] == "true"'
    check still "prerecordedRisk true" 'd["prerecordedRisk"] == "true"'
    check still "no movement prompt done" 'not any(x["done"] for x in d["prompts"][:3])'
    check still "liveliness no" 'd["liveliness"] == "no"'
else
    bad "still: livecheck active failed: $(tail -c 300 "$T/still.err")"
fi

# --- (c) other digits read aloud -------------------------------------------
compose digits "$CH" --digits-spoken 7390
if run digits "$T/digits/capture.webm"; then
    echo "     $(q digits '"heard %s, matchScore %d; risks: %s" % (d["audioMatchResults"]["heard"], d["audioMatchResults"]["matchScore"], d["risks"])')"
    check digits "audio matchScore <= 50" 'd["audioMatchResults"]["matchScore"] <= 50'
    check digits "prerecordedRisk true" 'd["prerecordedRisk"] == "true"'
    check digits "the movements still done" 'all(x["done"] for x in d["prompts"][:3])'
    check digits "staticRisk false" 'd["staticRisk"] == "false"'
else
    bad "digits: livecheck active failed: $(tail -c 300 "$T/digits.err")"
fi

# --- (d) the turns swapped --------------------------------------------------
compose swapped "$SWAPPED"
if run swapped "$T/swapped/capture.webm"; then
    echo "     $(q swapped '"risks: %s" % d["risks"]')"
    check swapped "prerecordedRisk true" 'd["prerecordedRisk"] == "true"'
    check swapped "turn_left not done" 'not d["prompts"][0]["done"]'
    check swapped "turn_right not done" 'not d["prompts"][1]["done"]'
    check swapped "blink still done" 'd["prompts"][2]["done"]'
    check swapped "staticRisk false" 'd["staticRisk"] == "false"'
else
    bad "swapped: livecheck active failed: $(tail -c 300 "$T/swapped.err")"
fi

# --- (e) no audio track -----------------------------------------------------
if [ -f "$T/performed/capture.webm" ]; then
    FF -i "$T/performed/capture.webm" -map 0:v -c copy "$T/silent.webm"
    if run silent "$T/silent.webm"; then
        check silent "audio matchScore 0" 'd["audioMatchResults"]["matchScore"] == 0'
        check silent "prerecordedRisk true" 'd["prerecordedRisk"] == "true"'
        check silent "the risk names the missing audio" '"no audio" in d["risks"]'
    else
        bad "silent: livecheck active failed: $(tail -c 300 "$T/silent.err")"
    fi
fi

# --- (f) bad input ----------------------------------------------------------
# expect_key NAME KEY FILE: refused with KEY, exit 2, nothing on stdout.
expect_key() {
    local name=$1 key=$2 file=$3 rc
    "$LC" active "$file" --challenge "$CH" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -q "\"responseKey\": *\"$key\"" "$T/err" && [ ! -s "$T/out" ]; then
        ok "$name: $key"
    else
        bad "$name (exit $rc, want $key; stderr: $(tail -c 300 "$T/err"))"
    fi
}
: >"$T/empty.webm"
expect_key "empty file" error_empty_video "$T/empty.webm"
echo "turn your head to the left, then to the right" >"$T/text.webm"
expect_key "text file" error_invalid_video_format "$T/text.webm"
if [ -f "$T/performed/capture.webm" ]; then
    head -c 5000 "$T/performed/capture.webm" >"$T/cut.webm"
    expect_key "webm cut in its header" error_corrupt_video "$T/cut.webm"
fi
FF -f lavfi -i "testsrc=s=640x480:r=15:d=4" -f lavfi -i "anoisesrc=d=4:c=pink:a=0.01" \
    -c:v libvpx -b:v 1M -c:a libopus -ac 2 "$T/noface.webm"
expect_key "a clip without a face" error_no_face_in_video "$T/noface.webm"
"$LC" active "$T/noface.webm" --challenge "nod@1-2" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q '"responseKey": *"error_invalid_challenge"' "$T/err"; then
    ok "a malformed challenge: error_invalid_challenge"
else
    bad "a malformed challenge (exit $rc: $(tail -c 300 "$T/err"))"
fi

check_done active
