#!/usr/bin/env bash
# tests/lib/capture_media.sh - compose the recording of someone answering an
# active liveness challenge, for the CLI tests (tests/active.sh) and for
# Chromium's fake camera and microphone (the capture page's browser test).
#
#   tests/lib/capture_media.sh CHALLENGE OUTDIR [--still PHOTO] [--y4m]
#       [--webm] [--digits-spoken DIGITS] [--offset SECONDS]
#
# CHALLENGE is the compact form of include/livecheck/active.h, e.g.
#   turn_left@1.50-4.00,turn_right@4.00-6.50,blink@6.50-9.00,digits=4821@9.00-14.00
# Writes OUTDIR/capture.webm (VP8 + stereo Opus 48 kHz, 640x480, 15 fps,
# no duration in the header, as Chromium's MediaRecorder writes it); with
# --y4m OUTDIR/camera.y4m (yuv420p, 640x480, 15 fps) and OUTDIR/mic.wav
# (48 kHz mono s16) instead, and the webm as well when --webm is given too.
#   --still PHOTO        the whole video is PHOTO held to the camera (drifting
#                        by a rigid translation, as a hand holds it): no blink,
#                        no head rotation
#   --digits-spoken D    read D aloud instead of the challenge's digits
#   --offset S           the media start S seconds early (frontal face and
#                        noise first): the browser opens the fake devices a
#                        moment before its recorder starts
# The outputs are large and are test fixtures only: write them to a temp
# dir, never commit them. Needs ffmpeg, sox and espeak-ng.
#
# The recipe. Every second of the video comes from one real person,
# videos/replay-pair-real.mp4 of the dev data (368x656 portrait, 30 fps),
# placed in the middle of the 640x480 frame with the wall's colours either
# side (left darker, right lighter, as the wall is at the clip's edges):
# black bars or a blurred copy of the clip around the face made the passive
# model call the frames a spoof (mean p(live) 0.04 and 0.6 against 0.93
# here, after VP8 at Chromium's 2.5 Mbit/s). Segments of
# that clip, each time-stretched to its prompt's window so that the movement
# peaks in the window's middle, measured with `livecheck video --trace` on
# 3x slowed copies (18 samples a second):
#   frontal     0.10-1.80 s  yaw within +-5 deg, eyes open, no blink; played
#                            forwards and backwards for the lead-in, the gaps
#                            between prompts, the digits window and the tail
#   turn_left   1.85-5.95 s  yaw 0 -> -57 -> -6 deg: the nose swings to the
#                            image's right edge, which is the user's own left
#                            in the camera's (unmirrored) picture
#   turn_right  7.20-10.90 s yaw -1 -> +24 -> -1 deg (the other way)
#   blink       16.35-19.00 s frontal, blinks near 16.4, 17.8, 18.1, 18.6 s
#                            (the eye aspect ratio dips from 0.22 to 0.17)
# Audio: pink noise (sox, fixed seed) through the whole recording and the
# digits read by espeak-ng ("four, eight, two, one,") starting 0.5 s into
# the digits window.
set -euo pipefail

usage() {
    echo "usage: $0 CHALLENGE OUTDIR [--still PHOTO] [--y4m] [--webm]" \
        "[--digits-spoken DIGITS] [--offset SECONDS]" >&2
    exit 1
}
[ $# -ge 2 ] || usage
CHALLENGE=$1
OUT=$2
shift 2
STILL="" Y4M=0 WEBM=0 SPOKEN="" OFFSET=0
while [ $# -gt 0 ]; do
    case $1 in
    --still) STILL=${2:?}; shift 2 ;;
    --y4m) Y4M=1; shift ;;
    --webm) WEBM=1; shift ;;
    --digits-spoken) SPOKEN=${2:?}; shift 2 ;;
    --offset) OFFSET=${2:?}; shift 2 ;;
    *) usage ;;
    esac
done
[ "$Y4M" -eq 1 ] || WEBM=1

HERE=$(cd "$(dirname "$0")" && pwd)
DEV=${LC_DEV_DATA:-$HERE/../../../shared/data/dev}
SRC=$DEV/videos/replay-pair-real.mp4
[ -f "$SRC" ] || { echo "capture_media: $SRC missing" >&2; exit 1; }
[ -z "$STILL" ] || [ -f "$STILL" ] || { echo "capture_media: $STILL missing" >&2; exit 1; }
for tool in ffmpeg sox espeak-ng; do
    command -v "$tool" >/dev/null || { echo "capture_media: $tool missing" >&2; exit 1; }
done
mkdir -p "$OUT"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FF() { ffmpeg -nostdin -v error -y "$@"; }
FPS=15
W=640
H=480
# The source in the middle of the 640x480 frame, the wall's colours aside.
FILL="scale=-2:$H,pad=iw+trunc(($W-iw)/2):$H:trunc(($W-iw)/2):0:color=0x788886,"
FILL+="pad=$W:$H:0:0:color=0xaabfbd,setsar=1,format=yuv420p"
INTER=(-an -c:v ffv1 -pix_fmt yuv420p)

# The challenge: kind, start, end (seconds) per prompt; the digits.
kinds=() starts=() ends=() digits=""
IFS=, read -ra items <<<"$CHALLENGE"
for it in "${items[@]}"; do
    if [[ $it =~ ^(turn_left|turn_right|blink|digits)(=([0-9]+))?@([0-9.]+)-([0-9.]+)$ ]]; then
        kinds+=("${BASH_REMATCH[1]}")
        starts+=("${BASH_REMATCH[4]}")
        ends+=("${BASH_REMATCH[5]}")
        [ -z "${BASH_REMATCH[3]}" ] || digits=${BASH_REMATCH[3]}
    else
        echo "capture_media: bad prompt '$it'" >&2
        exit 1
    fi
done
[ ${#kinds[@]} -gt 0 ] || usage
[ -n "$SPOKEN" ] || SPOKEN=$digits

# frame N of the output at time S (seconds, offset included)
frame_at() { awk -v s="$1" -v o="$OFFSET" -v f=$FPS 'BEGIN { printf "%d", (s + o) * f + 0.5 }'; }

# seg NAME FROM TO NFRAMES: source [FROM,TO) stretched over NFRAMES frames.
seg() {
    local name=$1 from=$2 to=$3 n=$4 k
    k=$(awk -v a="$from" -v b="$to" -v n="$n" -v f=$FPS 'BEGIN { printf "%.5f", n / f / (b - a) }')
    FF -ss "$from" -t "$(awk -v a="$from" -v b="$to" 'BEGIN { print b - a + 0.2 }')" -i "$SRC" \
        -filter_complex "[0:v]setpts=$k*(PTS-STARTPTS),fps=$FPS,$FILL" \
        -frames:v "$n" "${INTER[@]}" "$T/$name.mkv"
}

# frontal NAME NFRAMES: the frontal segment forwards and backwards.
frontal() {
    [ "$2" -gt 0 ] || return 0
    if [ ! -f "$T/pingpong.mkv" ]; then
        FF -ss 0.10 -t 1.70 -i "$SRC" -filter_complex \
            "[0:v]fps=$FPS,$FILL,split[f][r0];[r0]reverse[r];[f][r]concat=n=2:v=1" \
            "${INTER[@]}" "$T/pingpong.mkv"
    fi
    FF -stream_loop -1 -i "$T/pingpong.mkv" -frames:v "$2" "${INTER[@]}" "$T/$1.mkv"
}

# The timeline: frontal filler up to each prompt, the prompt, a tail.
last=$(printf '%s\n' "${ends[@]}" | sort -g | tail -n 1)
total=$(frame_at "$(awk -v l="$last" 'BEGIN { print l + 1.0 }')")
: >"$T/list.txt"
if [ -n "$STILL" ]; then
    # A photo held up: enlarged on a 720x540 canvas, the 640x480 view
    # drifting over it by a slow rigid translation.
    FF -loop 1 -framerate $FPS -i "$STILL" -filter_complex \
        "[0:v]scale=720:540:force_original_aspect_ratio=increase,crop=720:540,setsar=1,
         crop=$W:$H:x='40+30*sin(2*PI*t/3.1)':y='30+22*sin(2*PI*t/2.3)',format=yuv420p" \
        -frames:v "$total" "${INTER[@]}" "$T/still.mkv"
    echo "file '$T/still.mkv'" >>"$T/list.txt"
else
    at=0
    order=$(for i in "${!kinds[@]}"; do echo "${starts[$i]} $i"; done | sort -g | awk '{ print $2 }')
    for i in $order; do
        a=$(frame_at "${starts[$i]}")
        b=$(frame_at "${ends[$i]}")
        [ "$a" -ge "$at" ] || a=$at
        frontal "gap$i" $((a - at))
        [ $((a - at)) -le 0 ] || echo "file '$T/gap$i.mkv'" >>"$T/list.txt"
        case ${kinds[$i]} in
        turn_left) seg "p$i" 1.85 5.95 $((b - a)) ;;
        turn_right) seg "p$i" 7.20 10.90 $((b - a)) ;;
        blink) seg "p$i" 16.35 19.00 $((b - a)) ;;
        digits) frontal "p$i" $((b - a)) ;;
        esac
        echo "file '$T/p$i.mkv'" >>"$T/list.txt"
        at=$b
    done
    frontal tail $((total - at))
    echo "file '$T/tail.mkv'" >>"$T/list.txt"
fi
FF -f concat -safe 0 -i "$T/list.txt" -frames:v "$total" "${INTER[@]}" "$T/video.mkv"

# Audio: the noise floor, the digits spoken 0.5 s into the digits window.
secs=$(awk -v n="$total" -v f=$FPS 'BEGIN { printf "%.3f", n / f }')
sox -R -n -r 48000 -c 1 -b 16 "$T/noise.wav" synth "$secs" pinknoise vol 0.01
cp "$T/noise.wav" "$T/mic.wav"
for i in "${!kinds[@]}"; do
    [ "${kinds[$i]}" = digits ] && [ -n "$SPOKEN" ] || continue
    WORDS=(zero one two three four five six seven eight nine)
    txt=""
    for ((k = 0; k < ${#SPOKEN}; k++)); do txt+="${WORDS[${SPOKEN:k:1}]}, "; done
    espeak-ng -v en-us -s 130 -g 12 -w "$T/say.wav" "$txt"
    lead=$(awk -v s="${starts[$i]}" -v o="$OFFSET" 'BEGIN { print s + o + 0.5 }')
    sox -R "$T/say.wav" -r 48000 -c 1 -b 16 "$T/say48.wav" pad "$lead" 0
    sox -R -m "$T/noise.wav" "$T/say48.wav" "$T/mix.wav" trim 0 "$secs"
    mv "$T/mix.wav" "$T/mic.wav"
done

if [ "$WEBM" -eq 1 ]; then
    # -live 1: no duration and no cues, like a MediaRecorder recording.
    FF -i "$T/video.mkv" -i "$T/mic.wav" -map 0:v -map 1:a \
        -c:v libvpx -b:v 2500k -deadline realtime -cpu-used 4 -g 60 \
        -c:a libopus -b:a 48k -ac 2 -ar 48000 -live 1 -f webm "$OUT/capture.webm"
fi
if [ "$Y4M" -eq 1 ]; then
    FF -i "$T/video.mkv" -pix_fmt yuv420p -f yuv4mpegpipe "$OUT/camera.y4m"
    cp "$T/mic.wav" "$OUT/mic.wav"
fi
