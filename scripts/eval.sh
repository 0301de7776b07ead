#!/usr/bin/env bash
# scripts/eval.sh - `make eval`: how well livecheck tells live people from
# presentation attacks on the dev data, before and after each cue.
#
#   1. NUAA (real prints, ../shared/data/dev/nuaa)
#   2. frames of the dev replay pair (real screen replay) at 3 fps
#   3. the dev identity photos: live people in real scenes (bona fide only)
#   4. 1, 2 and 3 pooled: the reference set the score is calibrated on; the
#      Platt refit must stay near the shipped calib_a / calib_b
#   5. the synthetic stress set (attacks made from dev live photos),
#      reported on its own: never pooled with real figures
#   6. the quality stress set (live photos made dark, bright, blurred,
#      small, partly outside): what the engine tells those people
#
# Each run writes build/eval/<name>/scores.csv and plot.png. The generated
# media live in build/eval/data (ignored; remade on every run).
# Environment: LC_BUILD (default build), LC_DEV_DATA (../shared/data/dev).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${LC_BUILD:-build}
LC=$B/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
OUT=$B/eval

echo "livecheck $(git describe --always --dirty 2>/dev/null || echo '(no git)'), $(date -u +%F)"
scripts/eval-data.sh "$DEV" "$OUT/data"

echo
echo "== 1. NUAA: real print attacks (72 live, 72 printed photos)"
"$LC" eval "$DEV/nuaa/labels.csv" --title nuaa --out "$OUT/nuaa" --ablation
echo
echo "== 2. replay pair: frames at 3 fps of replay-pair-real.mp4 (bona fide)"
echo "   and replay-pair-screen.mp4 (the same person replayed on a screen)"
"$LC" eval "$OUT/data/video/labels.csv" --title replay-video --out "$OUT/video" --ablation
echo
echo "== 3. identity photos: live people in real scenes (press photos)"
"$LC" eval "$OUT/data/faces/labels.csv" --title faces --out "$OUT/faces" --ablation
echo
echo "== 4. reference set (1 + 2 + 3 pooled): score calibration"
"$LC" eval "$DEV/nuaa/labels.csv" "$OUT/data/video/labels.csv" "$OUT/data/faces/labels.csv" \
    --title reference --out "$OUT/reference" --fit
echo
echo "== 5. SYNTHETIC stress set (made from dev live photos; not comparable"
echo "   with the real figures above)"
"$LC" eval "$OUT/data/synth/labels.csv" --title synthetic --out "$OUT/synth" --ablation
echo
echo "== 6. quality stress set: live photos a good engine asks to retake"
for k in dark bright blurred small outside; do
    "$LC" eval "$OUT/data/quality/$k/labels.csv" --title "quality-$k" \
        --out "$OUT/quality-$k" --brief
done
