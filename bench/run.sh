#!/usr/bin/env bash
# bench/run.sh - `make bench`: livecheck's speed and memory beside
# onnxruntime's, in one run, each figure against the issue's target.
#
#   1. every model, single thread on one core: build/bench-models (our
#      NN_EXEC_FAST sessions) and bench/ort_bench.js (onnxruntime-node, one
#      intra-op thread), both pinned to the same CPU; ratio = ours / theirs,
#      target <= 0.60 each; after it a roofline says why a model can or
#      cannot: its MACs per inference (nn_model_mac_count, from
#      bench-models), the GMAC/s each runtime achieves (MACs / median), the
#      GMAC/s a ratio of 0.60 needs (MACs / (0.60 x onnxruntime's median)),
#      and both as a share of one core's measured fp32 FMA peak
#      (build/peak-fma, one MAC = one FMA lane, pinned to the same CPU);
#   2. the passive image check end to end on a 1600x1600 EXIF-tagged JPEG
#      made here from a dev photo: in process (build/bench-image, decode
#      included, full input policy), target median <= 15 ms on one core;
#   3. the CLI as a whole process, `livecheck image FILE` (models loaded each
#      time): wall time per process and peak RSS (GNU time %M), target
#      peak RSS <= 120 MB;
#   4. livecheckd under wrk (bench/http_bench.sh): requests/s, p50/p99
#      latency and peak RSS of the passive image endpoint;
#   5. the passive video check beside its decoding floor, and the video
#      endpoint through livecheckd (bench/video_bench.sh);
#   6. the active video check of a 10 s 640x480 webm capture beside its
#      decoding floor, target <= 3 s (bench/active_bench.sh).
# Performance is measured here, never asserted by a test; the exit status is
# non-zero only when the bench could not run.
#
# Environment: LC_BUILD (build dir, default build), LC_DEV_DATA (default
# ../shared/data/dev), LC_MODELS (default models), BENCH_CPU (default 0),
# BENCH_RUNS (per model, default 200), BENCH_IMAGE_RUNS (default 100),
# BENCH_CLI_RUNS (processes, default 20).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${LC_BUILD:-build}
DEV=${LC_DEV_DATA:-../shared/data/dev}
MODELS=${LC_MODELS:-models}
CPU=${BENCH_CPU:-0}
RUNS=${BENCH_RUNS:-200}
IMG_RUNS=${BENCH_IMAGE_RUNS:-100}
CLI_RUNS=${BENCH_CLI_RUNS:-20}
ALL="fr_detect fr_landmark fr_liveness fr_feature fr_eye fr_pose"
# The issue's targets.
T_RATIO=0.60  # our median / onnxruntime's median, every model
T_E2E_MS=15   # passive image check, median, one core
T_RSS_MB=120  # CLI peak RSS, MB = 10^6 bytes

die() {
    echo "bench: $*" >&2
    exit 1
}

# --- can the bench run at all? -------------------------------------------
[ -d "$MODELS" ] || die "no $MODELS/ folder: run \`make models\` first"
for m in $ALL; do
    [ -f "$MODELS/$m.onnx" ] || die "$MODELS/$m.onnx is missing: run \`make models\` first"
done
[ -d tools/npm/node_modules/onnxruntime-node ] ||
    die "tools/npm/node_modules/onnxruntime-node is missing (the onnxruntime peer): run \`make models\` first"
# make bench's rule builds the others; these two are brought up to date here.
make -s B="$B" "$B/livecheckd" "$B/bench-video" "$B/peak-fma" >/dev/null ||
    die "cannot build $B/livecheckd, $B/bench-video, $B/peak-fma"
for b in livecheck livecheckd bench-models bench-image bench-video peak-fma; do
    [ -x "$B/$b" ] || die "$B/$b is not built: run \`make bench\`"
done
for c in node taskset exiftool lscpu wrk curl sqlite3 ffmpeg; do
    command -v "$c" >/dev/null || die "$c is not installed: run \`make deps\`"
done
[ -x /usr/bin/convert ] || die "/usr/bin/convert (imagemagick) is not installed: run \`make deps\`"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is not installed: run \`make deps\`"
SRC="$DEV/faces/obama-1.jpg"
[ -f "$SRC" ] || die "dev photo $SRC not found (set LC_DEV_DATA)"
taskset -c "$CPU" true 2>/dev/null || die "cannot pin to CPU $CPU (set BENCH_CPU)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# jget KEY JSON-LINE: a number, true/false or string value of a flat object.
jget() {
    sed -nE "s/.*\"$1\":(\"[^\"]*\"|[-+0-9.eE]+|true|false).*/\1/p" <<<"$2" | tr -d '"'
}
# median of the numbers on stdin (lower middle, as the drivers compute it)
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
met() { # met VALUE TARGET: "met" when VALUE <= TARGET
    awk -v v="$1" -v t="$2" 'BEGIN { print (v != "" && v + 0 <= t + 0) ? "met" : "NOT MET" }'
}

# --- the test photo ------------------------------------------------------
IMG="$T/selfie-1600.jpg"
/usr/bin/convert "$SRC" -resize '1600x1600!' -quality 92 "$IMG" 2>/dev/null ||
    die "/usr/bin/convert could not make $IMG from $SRC"
exiftool -q -overwrite_original -FileSource="Digital Camera" -Make=TestCam \
    -ModifyDate="2026:11:25 10:00:00" "$IMG" || die "exiftool could not tag $IMG"

echo "livecheck bench  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "cpu: $(lscpu | sed -nE 's/^Model name:[[:space:]]*//p' | head -n 1)," \
    "$(nproc --all) CPUs online, all runs pinned to CPU $CPU; kernel $(uname -r)"
echo

# --- 1. models, single thread -------------------------------------------
"$B/bench-models" --runs "$RUNS" --cpu "$CPU" --models "$MODELS" >"$T/lc.json" 2>"$T/lc.err" ||
    die "bench-models failed: $(cat "$T/lc.err")"
taskset -c "$CPU" node bench/ort_bench.js --runs "$RUNS" --models-dir "$MODELS" \
    >"$T/ort.json" 2>"$T/ort.err" || die "ort_bench.js failed: $(cat "$T/ort.err")"
ORT_VER=$(jget runtime "$(head -n 1 "$T/ort.json")")

echo "Models, one thread on CPU $CPU, median of $RUNS runs after 5 warm-up (ms);" \
    "peer: ${ORT_VER:-onnxruntime-node}, intra-op threads 1"
printf '| %-11s | %19s | %21s | %6s | %14s | %-7s | %13s | %15s |\n' \
    model "livecheck median ms" "onnxruntime median ms" ratio "target <= $T_RATIO" "met?" \
    "livecheck p90" "onnxruntime p90"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' -------------  --------------------- \
    ----------------------- -------- ---------------- --------- --------------- -----------------
nmet=0
nmod=0
for m in $ALL; do
    l=$(grep "\"model\":\"$m\"" "$T/lc.json")
    o=$(grep "\"model\":\"$m\"" "$T/ort.json")
    lm=$(jget median_ms "$l")
    om=$(jget median_ms "$o")
    { [ -n "$lm" ] && [ -n "$om" ]; } || die "no figure for $m (livecheck '$lm', onnxruntime '$om')"
    ratio=$(awk -v a="$lm" -v b="$om" 'BEGIN { printf "%.3f", a / b }')
    ok=$(awk -v a="$lm" -v b="$om" -v t="$T_RATIO" 'BEGIN { print (a <= t * b) ? "met" : "NOT MET" }')
    nmod=$((nmod + 1))
    [ "$ok" = met ] && nmet=$((nmet + 1))
    printf '| %-11s | %19.4f | %21.4f | %6s | %14s | %-7s | %13.4f | %15.4f |\n' \
        "$m" "$lm" "$om" "$ratio" "<= $T_RATIO" "$ok" "$(jget p90_ms "$l")" "$(jget p90_ms "$o")"
done
echo "models meeting the ratio target: $nmet of $nmod"
ov=$(grep '"model":"call_overhead"' "$T/ort.json")
[ -n "$ov" ] && printf '%s\n' "onnxruntime-node's own cost of one session.run call (a one-float Relu model):" \
    "  median $(jget median_ms "$ov") ms, included in every onnxruntime figure above (it matters for fr_eye)"
echo

# The roofline: GMAC/s = MACs / median. A model whose target needs a large
# share of the core's FMA peak cannot meet it by faster kernels alone.
pk=$("$B/peak-fma" --cpu "$CPU" 2>"$T/peak.err") || die "peak-fma failed: $(cat "$T/peak.err")"
peak=$(jget gmacs "$pk")
[ -n "$peak" ] || die "peak-fma printed no gmacs: $pk"
echo "Roofline, one thread on CPU $CPU: measured fp32 FMA peak $peak GMAC/s" \
    "($(jget isa "$pk"), ~$(jget ghz_est "$pk") GHz, $(jget macs_per_cycle "$pk") MAC/cycle; build/peak-fma);" \
    "GMAC/s = MACs / median"
printf '| %-11s | %8s | %16s | %18s | %18s | %19s | %16s |\n' \
    model "MACs (M)" "livecheck GMAC/s" "onnxruntime GMAC/s" "GMAC/s for <= $T_RATIO" \
    "livecheck % of peak" "needed % of peak"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------- ---------- ------------------ \
    -------------------- -------------------- --------------------- ------------------
for m in $ALL; do
    l=$(grep "\"model\":\"$m\"" "$T/lc.json")
    o=$(grep "\"model\":\"$m\"" "$T/ort.json")
    macs=$(jget macs "$l")
    [ -n "$macs" ] || die "bench-models printed no macs for $m"
    awk -v m="$m" -v n="$macs" -v lm="$(jget median_ms "$l")" -v om="$(jget median_ms "$o")" \
        -v t="$T_RATIO" -v pk="$peak" 'BEGIN {
        g = n / 1e6; lg = g / lm; og = g / om; ng = g / (t * om)
        printf "| %-11s | %8.1f | %16.1f | %18.1f | %18.1f | %18.1f%% | %15.1f%% |\n",
            m, g, lg, og, ng, 100 * lg / pk, 100 * ng / pk }'
done
echo

# --- 2. passive image check in process ----------------------------------
"$B/bench-image" --runs "$IMG_RUNS" --cpu "$CPU" --models "$MODELS" "$IMG" >"$T/img.json" \
    2>"$T/img.err" || die "bench-image failed: $(cat "$T/img.err")"
j=$(cat "$T/img.json")
e2e=$(jget median_ms "$j")
echo "Passive image check, 1600x1600 JPEG q92 with EXIF (from $(basename "$SRC")), full input policy," \
    "one core (CPU $CPU)"
printf '  in process, liveness_image_check median %8.2f ms  (p90 %.2f, min %.2f, %s runs)   target <= %s ms: %s\n' \
    "$e2e" "$(jget p90_ms "$j")" "$(jget min_ms "$j")" "$IMG_RUNS" "$T_E2E_MS" "$(met "$e2e" "$T_E2E_MS")"
printf '    split (medians): decode %.2f ms (probe, policy, DCT-scaled JPEG decode)  faces %.2f ms  liveness %.2f ms\n' \
    "$(jget decode_median_ms "$j")" "$(jget faces_median_ms "$j")" "$(jget liveness_median_ms "$j")"
printf '    result: livenessScore %s, live %s; model load (6 files, SHA-256 checked) %.1f ms, not in the check\n' \
    "$(jget score "$j")" "$(jget live "$j")" "$(jget models_load_ms "$j")"

# --- 3. the CLI as a process --------------------------------------------
"$B/livecheck" image "$IMG" >"$T/cli.out" 2>"$T/cli.err" ||
    die "\`livecheck image\` refused the bench photo: $(cat "$T/cli.err")"
grep -q '"status": "SUCCESS"' "$T/cli.out" || die "\`livecheck image\` printed no SUCCESS: $(cat "$T/cli.out")"
(
    taskset -cp "$CPU" "$BASHPID" >/dev/null || exit 1
    for ((i = 0; i < CLI_RUNS; i++)); do
        t0=$EPOCHREALTIME
        "$B/livecheck" image "$IMG" >/dev/null 2>&1 || exit 1
        t1=$EPOCHREALTIME
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
    done >"$T/wall"
    for ((i = 0; i < CLI_RUNS; i++)); do
        /usr/bin/time -f '%M' -o "$T/rss1" "$B/livecheck" image "$IMG" >/dev/null 2>&1 || exit 1
        tail -n 1 "$T/rss1"
    done >"$T/rss"
) || die "\`livecheck image\` failed while measured"
wall=$(median <"$T/wall")
wmax=$(sort -g "$T/wall" | tail -n 1)
rss_kb=$(sort -g "$T/rss" | tail -n 1)
rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
# shellcheck disable=SC2016 # the backquotes are text
printf '  CLI process, `livecheck image FILE` wall median %6.1f ms  (max %.1f, %s processes, model load included)   target <= %s ms: %s\n' \
    "$wall" "$wmax" "$CLI_RUNS" "$T_E2E_MS" "$(met "$wall" "$T_E2E_MS")"
printf '  CLI process peak RSS (GNU time %%M, max of %s) %6.1f MB  (%s KiB)   target <= %s MB: %s\n' \
    "$CLI_RUNS" "$rss_mb" "$rss_kb" "$T_RSS_MB" "$(met "$rss_mb" "$T_RSS_MB")"

# --- 4. livecheckd under wrk; 5. video; 6. active video --------------------
export LC_BUILD=$B LC_DEV_DATA=$DEV LC_MODELS=$MODELS
echo
bench/http_bench.sh || die "bench/http_bench.sh failed"
echo
bench/video_bench.sh || die "bench/video_bench.sh failed"
echo
bench/active_bench.sh || die "bench/active_bench.sh failed"
