#!/usr/bin/env bash
# tests/video.sh - `livecheck video` end to end: the dev videos cut into
# policy-conforming segments, clips made from one still photo, and bad input
# of every kind, each with its own responseKey. Every clip is made here
# with the ffmpeg CLI in a temp dir (never committed). The decision must
# come from pixels and faces: segment files are named neutrally (clip-N).
# Each check prints ok/FAIL; the last line is "video: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
LC=${LC_BUILD:-build}/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib/check.sh
FF() { ffmpeg -nostdin -v error -y "$@"; }
ENC=(-an -c:v libx264 -preset ultrafast -crf 20 -pix_fmt yuv420p)

if ! command -v ffmpeg >/dev/null; then
    echo "FAIL ffmpeg CLI missing (scripts/install-deps.sh)"
    echo "video: 0 passed, 1 failed"
    exit 1
fi

# expect_key NAME KEY -- livecheck video args: refused with KEY, exit 2.
expect_key() {
    local name=$1 key=$2
    shift 3
    "$LC" video "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -q "\"responseKey\": *\"$key\"" "$T/err" && [ ! -s "$T/out" ]; then
        ok "$name: $key"
    else
        bad "$name (exit $rc, want $key; stderr: $(tail -c 300 "$T/err"))"
    fi
}

# Cut SRC into N equal segments (each under 10 s), scaled by FILTER, as
# $T/clip-<k>.mp4 with k continuing from $seq; the names go to $1's list.
seq=0
cut() { # list src n filter
    local -n list=$1
    local src=$2 n=$3 filter=$4 dur len
    dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$src")
    len=$(awk -v d="$dur" -v n="$n" 'BEGIN { printf "%.3f", d / n - 0.05 }')
    for ((i = 0; i < n; i++)); do
        local ss out
        ss=$(awk -v d="$dur" -v n="$n" -v i="$i" 'BEGIN { printf "%.3f", i * d / n }')
        out=$T/clip-$seq.mp4
        seq=$((seq + 1))
        FF -ss "$ss" -i "$src" -t "$len" -vf "$filter" "${ENC[@]}" "$out" && list+=("$out")
    done
}

# confidence FILE [args]: prints "confidence threshold" or nothing.
confidence() {
    "$LC" video "$@" 2>"$T/err" | tr -d ' \n' |
        sed -nE 's/.*"confidence":"([0-9.]+)".*"threshold":"([0-9.]+)".*/\1 \2/p'
}

# check NAME want(above|below) FILE [args]
check() {
    local name=$1 want=$2 c th
    shift 2
    read -r c th <<<"$(confidence "$@")"
    if [ -z "${c:-}" ]; then
        bad "$name: no result ($(tail -c 300 "$T/err"))"
    elif awk -v c="$c" -v t="$th" -v w="$want" 'BEGIN { exit !((w == "above") ? c >= t : c < t) }'; then
        ok "$name: confidence $c $want $th"
    else
        bad "$name: confidence $c not $want $th"
    fi
}

# --- the dev videos, in segments of at most 10 s, scaled to 800 px -------
real=() screen=() live=()
V=$DEV/videos
cut real "$V/replay-pair-real.mp4" 3 scale=800:-2
cut screen "$V/replay-pair-screen.mp4" 3 scale=800:-2
cut live "$V/live-d0.mp4" 1 scale=800:800
cut live "$V/live-d3.mp4" 2 scale=800:800
cut live "$V/live-d6.mp4" 4 scale=800:800
[ ${#real[@]} -eq 3 ] && [ ${#screen[@]} -eq 3 ] && [ ${#live[@]} -eq 7 ] ||
    bad "segments: ffmpeg made ${#real[@]}/${#screen[@]}/${#live[@]} of 3/3/7"
for f in "${screen[@]}"; do check "screen replay segment ${f##*/}" below "$f"; done
for f in "${real[@]}"; do check "live segment (replay pair) ${f##*/}" above "$f"; done
for f in "${live[@]}"; do check "live segment ${f##*/}" above "$f"; done

# The same clip as webm (VP9) under an .mp4 name: the container is chosen
# by content, and the verdict does not change.
FF -i "${real[0]}" -c:v libvpx-vp9 -b:v 1M -deadline realtime -cpu-used 8 -an -f webm "$T/webm-as.mp4"
check "webm (VP9) named .mp4" above "$T/webm-as.mp4"
# Decoding on a second thread changes timing only.
a=$(confidence "${live[0]}")
b=$(confidence "${live[0]}" --no-pipeline)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "pipeline and inline decoding agree ($a)" ||
    bad "pipeline '$a' vs inline '$b'"

# --- a single still photo made into a video ------------------------------
P=$DEV/faces/obama-1.jpg
FF -loop 1 -i "$P" -vf "scale=910:1137,zoompan=z='1+0.002*on':x='iw/2-(iw/zoom/2)+20*sin(on/15)':y='ih/2-(ih/zoom/2)+10*sin(on/11)':d=150:s=800x1000:fps=25" \
    -frames:v 150 "${ENC[@]}" "$T/still-zoompan.mp4"
check "still photo with zoom and pan" below "$T/still-zoompan.mp4"
FF -loop 1 -i "$P" -t 5 -r 25 -vf "scale=1000:1250,rotate='0.08*sin(2*PI*t/2.5)':ow=800:oh=1000" \
    "${ENC[@]}" "$T/still-rotate.mp4"
check "still photo rocked side to side" below "$T/still-rotate.mp4"
FF -loop 1 -i "$P" -t 4 -r 25 -vf scale=800:1000 "${ENC[@]}" "$T/still.mp4"
check "still photo, no motion" below "$T/still.mp4"

# --- bad input, one key each ---------------------------------------------
: >"$T/empty.mp4"
expect_key "0-byte file" error_empty_video -- "$T/empty.mp4"
head -c $(($(stat -c %s "${real[0]}") / 2)) "${real[0]}" >"$T/truncated.mp4"
expect_key "truncated mp4" error_corrupt_video -- "$T/truncated.mp4"
FF -f lavfi -i sine=frequency=440:duration=2 -c:a libopus "$T/audio.webm"
expect_key "audio-only webm" error_video_no_frames -- "$T/audio.webm"
cp "${real[0]}" "$T/big.mp4" && truncate -s 25M "$T/big.mp4"
expect_key "25 MB upload" error_video_too_large -- "$T/big.mp4"
FF -f lavfi -i testsrc=size=320x240:rate=10:duration=30 "${ENC[@]}" "$T/long.mp4"
expect_key "30 s clip" error_video_too_long -- "$T/long.mp4"
FF -f lavfi -i testsrc=size=4000x4000:rate=5:duration=0.4 "${ENC[@]}" "$T/4000.mp4"
expect_key "4000x4000 clip" error_invalid_video_resolution -- "$T/4000.mp4"
# A real clip whose tkhd and avc1 sample entry claim 60000x60000.
python3 - "${real[0]}" "$T/huge.mp4" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
w = h = 60000
i = b.find(b'avc1', b.find(b'stsd'))  # the sample entry, not the brand
b[i + 28:i + 32] = bytes([w >> 8, w & 255, h >> 8, h & 255])
j = b.find(b'tkhd')
p = j - 4 + int.from_bytes(b[j - 4:j], 'big') - 8
b[p:p + 8] = bytes([w >> 8, w & 255, 0, 0, h >> 8, h & 255, 0, 0])
open(sys.argv[2], 'wb').write(b)
EOF
expect_key "mp4 claiming 60000x60000" error_video_dimensions_too_large -- "$T/huge.mp4"
FF -i "$P" "$T/photo.png" && cp "$T/photo.png" "$T/photo.mp4"
expect_key "PNG sent as video" error_invalid_video_format -- "$T/photo.mp4"
echo "not a video" >"$T/text.webm"
expect_key "text named .webm" error_invalid_video_format -- "$T/text.webm"
FF -f lavfi -i testsrc=size=800x800:rate=10:duration=2 "${ENC[@]}" "$T/noface.mp4"
expect_key "clip without a face" error_no_face_in_video -- "$T/noface.mp4"
expect_key "30 s clip, small frames, policy first" error_video_too_long -- "$T/long.mp4"

# --no-input-policy lets a long, small dev video through (the container,
# decoder limits and face rule stay), with progress lines on stderr.
"$LC" video "$V/live-d3.mp4" --no-input-policy >"$T/out" 2>"$T/err"
if grep -q '"status": "SUCCESS"' "$T/out" && grep -q '"cues"' "$T/out" &&
    grep -q '^video: .* s analysed' "$T/err"; then
    ok "--no-input-policy on an 11.8 s 512x512 clip, with progress"
else
    bad "--no-input-policy ($(tail -c 300 "$T/err"))"
fi
expect_key "policy on the same clip" error_video_too_long -- "$V/live-d3.mp4"

check_done video
