#!/usr/bin/env bash
# tests/speech.sh - the spoken digit challenge end to end: `livecheck
# digits` on recordings made here with espeak-ng, sox and ffmpeg in a temp
# dir (never committed), and bad input of every kind with its own key.
#
# Each fixture is 16 kHz mono: 1.2 s of noise floor before the speech, the
# digits read with pauses ("four, eight, three, one"), 0.6 s after, and
# pink noise throughout (about -60 dBFS RMS under speech peaking at -9 dBFS;
# espeak writes exact digital silence between words, which no microphone
# does and which hurts recognition). sox runs with -R so that the noise, and so every result,
# is the same on every run. The fixtures are then wrapped the way
# recordings arrive: Opus in stereo at 48 kHz in webm (as Chromium records
# its microphone), alone or after a VP8 stream, and AAC before H.264 in mp4.
#
# espeak's voices are harder than real people (docs/architecture.md,
# speech), so recognition is held to aggregates: at least 6 of the 10 within
# one digit (matchScore >= 75); impostor strings (other digits, scored
# against what was heard) low on average. Each check prints ok/FAIL; the
# last line is "speech: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
B=${LC_BUILD:-build}
LC=$B/livecheck
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib/check.sh
FF() { ffmpeg -nostdin -v error -y "$@"; }

for tool in espeak-ng sox ffmpeg python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL $tool missing (scripts/install-deps.sh)"
        echo "speech: 0 passed, 1 failed"
        exit 1
    fi
done

WORDS=(zero one two three four five six seven eight nine)
VOICES=(en-us en-us+f3 en-gb en-us+m3 en-029 en-gb-scotland en-us+f2 en-gb-x-rp
        en-us+m7 en-gb-x-gbclan)
DIGITS=(4831 2907 5164 7380 1592 6045 3718 9256 8403 0679)
IMPOSTORS=(7265 4318 0927 5841 2693 1470 8052 3619 6184 9537)

# fixture I DIGITS VOICE: $T/fI.wav and $T/raw/fI.raw (s16 samples).
fixture() {
    local i=$1 d=$2 v=$3 txt="" k
    for ((k = 0; k < ${#d}; k++)); do txt+="${WORDS[${d:k:1}]}, "; done
    espeak-ng -v "$v" -s 130 -g 12 -w "$T/s$i.wav" "$txt" &&
        sox -R "$T/s$i.wav" -r 16000 -c 1 -b 16 "$T/p$i.wav" pad 1.2 0.6 &&
        sox -R -n -r 16000 -c 1 -b 16 "$T/n$i.wav" synth "$(soxi -D "$T/p$i.wav")" \
            pinknoise vol 0.01 &&
        sox -R -m "$T/p$i.wav" "$T/n$i.wav" "$T/f$i.wav" &&
        sox -R "$T/f$i.wav" -t raw "$T/raw/f$i.raw"
}

# wrap I: the recording of fixture I; prints its path and kind.
OPUS=(-ac 2 -ar 48000 -c:a libopus -b:a 32k)
GRAY=(-f lavfi -i color=c=gray:s=64x48:r=10)
wrap() {
    local i=$1
    case $((i % 3)) in
    0) FF -i "$T/f$i.wav" "${OPUS[@]}" "$T/r$i.webm" && echo "$T/r$i.webm webm-opus" ;;
    1) FF "${GRAY[@]}" -i "$T/f$i.wav" -shortest -c:v libvpx -b:v 50k "${OPUS[@]}" \
        "$T/r$i.webm" && echo "$T/r$i.webm webm-vp8-opus" ;;
    2) FF "${GRAY[@]}" -i "$T/f$i.wav" -map 1:a -map 0:v -shortest -c:v libx264 \
        -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 64k "$T/r$i.mp4" &&
        echo "$T/r$i.mp4 mp4-aac-first" ;;
    esac
}

# field JSON KEY: a string or number value from livecheck's output.
field() { tr -d ' \n' <<<"$1" | sed -nE "s/.*\"$2\":\"?([0-9]*)\"?[,}].*/\1/p"; }

mkdir -p "$T/raw"
within=0 exact=0 gsum=0 isum=0 ihigh=0 made=0
for i in "${!DIGITS[@]}"; do
    d=${DIGITS[$i]}
    v=${VOICES[$i]}
    if ! fixture "$i" "$d" "$v" || ! read -r rec kind < <(wrap "$i"); then
        bad "fixture $i ($v) could not be made"
        continue
    fi
    made=$((made + 1))
    out=$("$LC" digits "$rec" --expect "$d" 2>"$T/err")
    heard=$(field "$out" heard)
    score=$(field "$out" matchScore)
    imp=$("$LC" digits "$rec" --expect "${IMPOSTORS[$i]}" 2>>"$T/err")
    iscore=$(field "$imp" matchScore)
    if [ -z "$score" ] || [ -z "$iscore" ]; then
        bad "digits $d ($v, $kind): no result ($(tail -c 300 "$T/err"))"
        continue
    fi
    printf '     %s %-15s %-14s heard %-4s score %3d  impostor %s score %3d\n' \
        "$d" "$v" "$kind" "${heard:--}" "$score" "${IMPOSTORS[$i]}" "$iscore"
    [ "$score" -ge 75 ] && within=$((within + 1))
    [ "$score" -eq 100 ] && exact=$((exact + 1))
    [ "$iscore" -ge 75 ] && ihigh=$((ihigh + 1))
    gsum=$((gsum + score))
    isum=$((isum + iscore))
done
n=${#DIGITS[@]}
echo "     exact $exact/$n, within one digit $within/$n, mean score $((gsum / n)), impostor mean $((isum / n))"
if [ "$within" -ge 6 ]; then
    ok "clean digits: $within of $n within one digit (>= 6; $exact exact)"
else
    bad "clean digits: only $within of $n within one digit (want >= 6)"
fi
if [ "$made" -eq "$n" ] && [ $((isum / n)) -le 40 ] && [ "$ihigh" -le 1 ]; then
    ok "impostor strings: mean score $((isum / n)) (<= 40), $ihigh of $n at 75 or more (<= 1)"
else
    bad "impostor strings: mean score $((isum / n)), $ihigh of $n at 75 or more"
fi
if [ $((gsum - isum)) -ge $((40 * n)) ]; then
    ok "true digits score $(((gsum - isum) / n)) points above impostors on average (>= 40)"
else
    bad "true digits only $(((gsum - isum) / n)) points above impostors"
fi

# Concurrent recognisers agree with serial ones on this speech.
if LC_SPEECH_FIXTURES=$T/raw "$B/unit-tests" speech_threads >"$T/threads" 2>&1 &&
    grep -q '1 passed, 0 failed' "$T/threads"; then
    ok "three threads hear what one thread heard ($(ls "$T/raw" | wc -l) clips)"
else
    bad "threads: $(tail -c 300 "$T/threads")"
fi

# A recording of noise only: no digits, a low score, no error.
sox -R -n -r 16000 -c 1 -b 16 "$T/noise.wav" synth 3 pinknoise vol 0.02
FF -i "$T/noise.wav" "${OPUS[@]}" "$T/noise.webm"
out=$("$LC" digits "$T/noise.webm" --expect 4831 2>"$T/err")
rc=$?
score=$(field "$out" matchScore)
if [ "$rc" -eq 0 ] && [ -n "$score" ] && [ "$score" -le 25 ]; then
    ok "noise only: heard '$(field "$out" heard)', score $score"
else
    bad "noise only (exit $rc): $out $(tail -c 300 "$T/err")"
fi

# expect_key NAME KEY FILE: refused with KEY, exit 2, nothing on stdout.
expect_key() {
    local name=$1 key=$2 file=$3
    "$LC" digits "$file" --expect 4831 >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -q "\"responseKey\": *\"$key\"" "$T/err" && [ ! -s "$T/out" ]; then
        ok "$name: $key"
    else
        bad "$name (exit $rc, want $key; stderr: $(tail -c 300 "$T/err"))"
    fi
}

: >"$T/empty.webm"
expect_key "0-byte file" error_empty_video "$T/empty.webm"
head -c 20000 /dev/urandom >"$T/garbage.webm"
expect_key "random bytes" error_invalid_video_format "$T/garbage.webm"
FF "${GRAY[@]}" -t 1 -c:v libvpx -b:v 50k -an "$T/silent.webm"
expect_key "video without audio" error_no_audio "$T/silent.webm"
head -c 300 "$T/r0.webm" >"$T/cut.webm"
expect_key "recording cut in its header" error_corrupt_video "$T/cut.webm"
sox -R -n -r 16000 -c 1 -b 16 "$T/long.wav" synth 61 pinknoise vol 0.01
FF -i "$T/long.wav" -ac 1 -c:a libopus -b:a 6k "$T/long.webm"
expect_key "61 s of audio" error_video_too_long "$T/long.webm"
# The same without a duration in its header (as browser recordings are):
# refused while decoding. Zero the EBML Duration element's float.
python3 - "$T/long.webm" "$T/long_nodur.webm" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.find(b'\x44\x89\x88')
k = 8
if i < 0:
    i, k = b.find(b'\x44\x89\x84'), 4
if i >= 0:
    b[i + 3:i + 3 + k] = bytes(k)
open(sys.argv[2], 'wb').write(b)
EOF
if ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/long_nodur.webm" |
    grep -q 'N/A'; then
    expect_key "61 s, no duration in the header" error_video_too_long "$T/long_nodur.webm"
else
    bad "could not remove the duration from the 61 s webm"
fi

"$LC" digits "$T/r0.webm" --expect 48x1 >/dev/null 2>"$T/err"
if [ $? -eq 1 ] && grep -q error_usage "$T/err"; then
    ok "--expect takes digits only"
else
    bad "--expect 48x1 was not refused as usage"
fi

check_done speech
