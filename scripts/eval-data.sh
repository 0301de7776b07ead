#!/usr/bin/env bash
# scripts/eval-data.sh DEV OUT - make the evaluation sets that are not
# files in ../shared/data/dev, into OUT (an ignored directory, e.g.
# build/eval/data). Nothing made here is ever committed.
#
#   OUT/video/    frames of the dev replay pair at 3 fps (ffmpeg CLI):
#                 replay-pair-real.mp4 bona fide, replay-pair-screen.mp4
#                 spoof/replay_screen; labels.csv
#   OUT/faces/    labels.csv naming the dev identity photos that hold one
#                 face (press photos of live people in real scenes), all
#                 bona fide, by absolute path
#   OUT/synth/    the synthetic stress set, made from dev live photos (24
#                 NUAA ClientRaw photos and 12 frames of replay-pair-real):
#                   bona_fide           the source, JPEG-recompressed only
#                   synth_screen        shown on a simulated RGB-stripe
#                                       screen, re-photographed slightly
#                                       rotated and point-sampled (moire),
#                                       colder white, lifted blacks, some
#                                       with glare, JPEG 70..85
#                   synth_print         printed (blur, less contrast and
#                                       saturation, paper tint, grain),
#                                       filling the frame
#                   synth_print_framed  the same print, smaller, with a
#                                       white paper margin, tilted, on a
#                                       dim plain background
#                 labels.csv
#   OUT/quality/KIND/  the same live sources made too dark, too bright,
#                 blurred, small, or partly outside; labels.csv each (all
#                 bona fide: a good engine asks for a retake, not "spoof")
#
# Parameters vary with the photo's index, deterministically, so the sets
# are the same on every run. ImageMagick is always /usr/bin/convert.
set -euo pipefail
DEV=${1:?usage: eval-data.sh DEV OUT}
OUT=${2:?usage: eval-data.sh DEV OUT}
IM=/usr/bin/convert
command -v ffmpeg >/dev/null || { echo "eval-data: ffmpeg not found (apt-get install ffmpeg)" >&2; exit 1; }
[ -x "$IM" ] || { echo "eval-data: $IM not found (apt-get install imagemagick)" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT/video" "$OUT/synth" "$OUT/src" "$OUT/faces"

# 1. Replay-pair frames.
for v in real screen; do
    ffmpeg -nostdin -v error -i "$DEV/videos/replay-pair-$v.mp4" -vf fps=3 -q:v 2 \
        "$OUT/video/$v-%03d.jpg"
done
{
    echo "path,label,attack_type"
    for f in "$OUT"/video/real-*.jpg; do echo "$(basename "$f"),bona_fide,"; done
    for f in "$OUT"/video/screen-*.jpg; do echo "$(basename "$f"),spoof,replay_screen"; done
} >"$OUT/video/labels.csv"

# Identity photos with one face: live people in real scenes.
{
    echo "path,label,attack_type"
    awk -F, -v d="$(cd "$DEV/faces" && pwd)" 'NR > 1 && $3 + 0 == 1 { print d "/" $1 ",bona_fide," }' \
        "$DEV/faces/labels.csv"
} >"$OUT/faces/labels.csv"

# 2. Sources: every third NUAA live photo, every fifth real frame.
i=0
for f in $(ls "$DEV"/nuaa/ClientRaw/*.jpg | awk 'NR % 3 == 1'); do
    cp "$f" "$OUT/src/$(printf 's%02d' $i).jpg"
    i=$((i + 1))
done
for f in $(ls "$OUT"/video/real-*.jpg | awk 'NR % 5 == 3'); do
    cp "$f" "$OUT/src/$(printf 's%02d' $i).jpg"
    i=$((i + 1))
done

# A 3x3 RGB-stripe subpixel tile: each column one primary, the others dim.
$IM -size 3x3 xc:'#909090' -fill '#ff8080' -draw 'point 0,0 point 0,1' \
    -fill '#80ff80' -draw 'point 1,0 point 1,1' \
    -fill '#8080ff' -draw 'point 2,0 point 2,1' "$OUT/src/subpixel.png"

# make_one INDEX SRC: every variant of one source photo.
make_one() {
    local i=$1 src=$2 o=$OUT b
    b=$(basename "$src" .jpg)
    local wh w h
    wh=$(/usr/bin/identify -format "%w %h" "$src")
    w=${wh% *}
    h=${wh#* }
    local ang blur q blue sat
    ang=$(awk -v i="$i" 'BEGIN { printf "%.1f", (i % 2 ? 1 : -1) * (0.5 + (i * 7 % 6) * 0.5) }')
    blur=$(awk -v i="$i" 'BEGIN { printf "%.1f", 0.4 + (i % 4) * 0.2 }')
    q=$((70 + (i % 4) * 5))
    blue=$(awk -v i="$i" 'BEGIN { printf "%.2f", 1.0 + (i % 5) * 0.03 }')
    sat=$((85 + (i % 4) * 5))
    $IM "$src" -quality "$q" "$o/synth/$b-bona.jpg"
    # Screen: 3x upscale onto the subpixel grid, re-photographed.
    local glare=()
    if [ $((i % 3)) -eq 0 ]; then
        glare=(\( -size "${w}x${h}" xc:black -fill white
            -draw "ellipse $((w * (1 + i % 3) / 4)),$((h / 4)) $((w / 7)),$((h / 10)) 0,360"
            -blur 0x18 \) -compose screen -composite)
    fi
    $IM "$src" -filter point -resize 300% \
        \( -size "$((w * 3))x$((h * 3))" tile:"$o/src/subpixel.png" \) \
        -compose multiply -composite -level 0,70% \
        -background black -rotate "$ang" -gravity center -crop 92%x92%+0+0 +repage \
        -blur "0x$blur" -sample "${w}x${h}!" \
        -modulate "100,$sat" -channel B -evaluate multiply "$blue" +channel \
        +level 5%,100% "${glare[@]}" -quality "$q" "$o/synth/$b-screen.jpg"
    # Print: blur, flatter, paper tint, grain; then framed and held.
    local pblur
    pblur=$(awk -v i="$i" 'BEGIN { printf "%.1f", 0.8 + (i % 5) * 0.2 }')
    $IM "$src" -blur "0x$pblur" -modulate "100,$((sat - 5))" +level 8%,92% \
        -fill '#f0e4c8' -colorize 12% -seed "$((i + 1))" -attenuate 0.3 +noise Gaussian \
        -quality 85 "$o/src/$b-print.png"
    $IM "$o/src/$b-print.png" -quality "$q" "$o/synth/$b-print.jpg"
    $IM -size "${w}x${h}" gradient:'#6a6258'-'#2a2624' -seed "$((i + 101))" -attenuate 0.5 +noise Gaussian \
        -blur 0x2 \( "$o/src/$b-print.png" -resize 62% -bordercolor '#f4f1ea' -border "$((w / 30))" \
        -background none -rotate "$ang" \) -gravity center -compose over -composite \
        -quality "$q" "$o/synth/$b-framed.jpg"
    # Quality: live photos a good engine should ask to retake.
    $IM "$src" -evaluate multiply 0.22 -seed "$((i + 201))" -attenuate 0.6 +noise Gaussian -quality 85 "$o/quality/dark/$b.jpg"
    $IM "$src" -evaluate multiply 2.3 -quality 85 "$o/quality/bright/$b.jpg"
    $IM "$src" -blur 0x3.5 -quality 85 "$o/quality/blurred/$b.jpg"
    $IM "$src" -resize 42% -quality 85 "$o/quality/small/$b.jpg"
    $IM "$src" -gravity east -crop 58%x100%+0+0 +repage -quality 85 "$o/quality/outside/$b.jpg"
}
export -f make_one
export OUT IM
mkdir -p "$OUT"/quality/{dark,bright,blurred,small,outside}
n=0
for f in "$OUT"/src/s*.jpg; do
    echo "$n $f"
    n=$((n + 1))
done | xargs -P "$(nproc)" -L 1 bash -c 'make_one "$0" "$1"'

{
    echo "path,label,attack_type"
    for f in "$OUT"/synth/*-bona.jpg; do echo "$(basename "$f"),bona_fide,"; done
    for f in "$OUT"/synth/*-screen.jpg; do echo "$(basename "$f"),spoof,synth_screen"; done
    for f in "$OUT"/synth/*-print.jpg; do echo "$(basename "$f"),spoof,synth_print"; done
    for f in "$OUT"/synth/*-framed.jpg; do echo "$(basename "$f"),spoof,synth_print_framed"; done
} >"$OUT/synth/labels.csv"
for k in dark bright blurred small outside; do
    {
        echo "path,label,attack_type"
        for f in "$OUT"/quality/$k/*.jpg; do echo "$(basename "$f"),bona_fide,"; done
    } >"$OUT/quality/$k/labels.csv"
done
rm -rf "$OUT/src"
echo "eval-data: $(($(wc -l <"$OUT/video/labels.csv") - 1)) video frames," \
    "$(($(wc -l <"$OUT/faces/labels.csv") - 1)) identity photos," \
    "$(($(wc -l <"$OUT/synth/labels.csv") - 1)) synthetic photos," \
    "$(($(ls "$OUT"/quality/*/*.jpg | wc -l))) quality photos in $OUT"
