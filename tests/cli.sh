#!/usr/bin/env bash
# tests/cli.sh - build/livecheck end to end on real dev photos and on bad
# input made on the fly (never committed). Each check prints ok/FAIL; the
# last line is "cli: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
LC=${LC_BUILD:-build}/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
CONVERT() { /usr/bin/convert "$@" 2>/dev/null; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib/check.sh

# expect_key NAME KEY STATUS -- livecheck args...: exit status and the
# responseKey on stderr must match, stdout must be empty.
expect_key() {
    local name=$1 key=$2 status=$3
    shift 4
    "$LC" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -eq "$status" ] && grep -q "\"responseKey\": \"$key\"" "$T/err" && [ ! -s "$T/out" ]; then
        ok "$name"
    else
        bad "$name (exit $rc, stderr: $(head -c 300 "$T/err"))"
    fi
}

# A policy-conforming selfie: a dev photo scaled to 1600x1600 with EXIF.
CONVERT "$DEV/faces/obama-1.jpg" -resize '1600x1600!' -quality 92 "$T/selfie.jpg"
exiftool -q -overwrite_original -FileSource="Digital Camera" -Make=TestCam \
    -ModifyDate="2026:11:25 10:00:00" "$T/selfie.jpg"

"$LC" image "$T/selfie.jpg" >"$T/out" 2>"$T/err"
if [ $? -eq 0 ] && grep -q '"status": "SUCCESS"' "$T/out" && grep -q '"live": "yes"' "$T/out" &&
    grep -qE '"livenessScore": "[0-9]+"' "$T/out" && grep -q '"needToReview": "' "$T/out"; then
    ok "image: policy-conforming selfie is live"
else
    bad "image: policy-conforming selfie ($(cat "$T/err"))"
fi

# Bad input, one distinct key each.
: >"$T/empty.jpg"
expect_key "empty file" error_empty_image 2 -- image "$T/empty.jpg"
head -c 20000 "$T/selfie.jpg" >"$T/trunc.jpg"
expect_key "truncated JPEG" error_corrupt_image 2 -- image "$T/trunc.jpg" --no-input-policy
# A PNG signature and an IHDR (CRC-correct) claiming 100000x100000.
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00' >"$T/bomb.png"
python3 -c "import zlib,sys; d=open(sys.argv[1],'rb').read()[12:29]; open(sys.argv[1],'ab').write(zlib.crc32(d).to_bytes(4,'big')+b'\x00\x00\x00\x00IDAT'+b'\x00'*8)" "$T/bomb.png"
expect_key "PNG claiming 100000x100000" error_image_dimensions_too_large 2 -- image "$T/bomb.png" --no-input-policy
echo "this is not a photo" >"$T/text.jpg"
expect_key "text file named .jpg" error_invalid_image_format 2 -- image "$T/text.jpg"
CONVERT -size 1200x1200 gradient:navy-orange -quality 90 "$T/noface.jpg"
expect_key "photo with no face" error_no_face_detected 2 -- image "$T/noface.jpg" --no-input-policy
expect_key "photo with two faces" error_multiple_faces_detected 2 -- image "$DEV/faces/two-people.jpg" --no-input-policy
CONVERT "$DEV/faces/obama-1.jpg" -resize '700x700!' "$T/small.jpg"
exiftool -q -overwrite_original -FileSource="Digital Camera" -Make=TestCam \
    -ModifyDate="2026:11:25 10:00:00" "$T/small.jpg"
expect_key "photo below 800 px" error_invalid_image_resolution 2 -- image "$T/small.jpg"
expect_key "photo without EXIF" error_missing_image_metadata 2 -- image "$DEV/faces/obama-1.jpg"
"$LC" image "$DEV/faces/obama-1.jpg" --skip-metadata-validation >"$T/out" 2>&1 &&
    ok "--skip-metadata-validation accepts a photo without EXIF" ||
    bad "--skip-metadata-validation ($(cat "$T/out"))"
CONVERT "$DEV/faces/obama-1.jpg" -crop 600x600+450+0 +repage "$T/cut.jpg"
expect_key "face cut off by the edge" error_face_cut_off 2 -- image "$T/cut.jpg" --no-input-policy
# obama-1 at 360 px wide puts a 129 px face in a 1600 px photo: detectable,
# but under the default 10% of the shorter side.
CONVERT -size 1600x1600 xc:gray50 \( "$DEV/faces/obama-1.jpg" -resize 360x \) -gravity center -composite "$T/tiny.jpg"
expect_key "face too small" error_face_too_small 2 -- image "$T/tiny.jpg" --no-input-policy
# Too dark to find a face: the photo's light is named, not "no face".
CONVERT "$DEV/faces/obama-1.jpg" -evaluate multiply 0.12 -seed 3 -attenuate 0.6 +noise Gaussian "$T/dark.jpg"
expect_key "face lost in a dark photo" error_image_too_dark 2 -- image "$T/dark.jpg" --no-input-policy
expect_key "missing file" error_file_unreadable 1 -- image "$T/nope.jpg"
expect_key "unknown command" error_invalid_command 1 -- frobnicate

# PNG input works like JPEG.
CONVERT "$DEV/faces/obama-1.jpg" "$T/selfie.png"
"$LC" image "$T/selfie.png" --no-input-policy >"$T/out" 2>&1 && grep -q '"live": "yes"' "$T/out" &&
    ok "image: PNG input" || bad "image: PNG input ($(head -c 300 "$T/out"))"

# match: same identity yes, different no.
"$LC" match "$DEV/faces/obama-1.jpg" "$DEV/faces/obama-2.jpg" >"$T/out" 2>&1 &&
    grep -q '"match": "yes"' "$T/out" && grep -qE '"matchScore": [0-9.]+' "$T/out" && ok "match: same person" || bad "match: same person ($(cat "$T/out"))"
"$LC" match "$DEV/faces/obama-1.jpg" "$DEV/faces/rose-leslie-1.jpg" >"$T/out" 2>&1 &&
    grep -q '"match": "no"' "$T/out" && ok "match: different people" || bad "match: different people ($(cat "$T/out"))"
expect_key "match: a photo with two faces" error_multiple_faces_detected 2 -- match "$DEV/faces/obama-1.jpg" "$DEV/faces/two-people.jpg"

# models: six models with their pinned hashes.
"$LC" models >"$T/out" 2>&1
n=$(grep -c '"sha256"' "$T/out")
if [ "$n" -eq 6 ] && grep -q 6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854 "$T/out"; then
    ok "models: six models with their SHA-256"
else
    bad "models ($(head -c 300 "$T/out"))"
fi
# A tampered model is refused by its hash.
mkdir -p "$T/models"
cp "${LC_MODELS:-models}"/*.onnx "$T/models/"
printf 'x' >>"$T/models/fr_eye.onnx"
expect_key "tampered model refused" error_models_unavailable 1 -- models --models "$T/models"

check_done cli
