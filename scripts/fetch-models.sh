#!/usr/bin/env bash
# Fetch and verify livecheck's face models.
#
# The models come from the npm package faceplugin-face-recognition-js@0.0.1,
# pinned with its integrity in tools/npm/package-lock.json together with
# onnxruntime-node (the test oracle and benchmark peer) and playwright-core
# (drives /usr/bin/chromium in tests/capture.sh). This script
#   1. runs `npm ci` in tools/npm when node_modules is missing or was
#      installed from a different lockfile (content hash, not mtime);
#   2. copies the six models into models/ and checks each against
#      scripts/models.sha256; a file that does not match is deleted and the
#      script fails.
# Idempotent: with node_modules current and models/ verified it only hashes
# files and exits. A models/ file that fails its check is copied again.
#
#   scripts/fetch-models.sh          (or: make models)
#   MODELS_DIR=/some/dir scripts/fetch-models.sh   copy somewhere else
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
npmdir=$root/tools/npm
sums=$root/scripts/models.sha256
dest=${MODELS_DIR:-$root/models}
src=$npmdir/node_modules/faceplugin-face-recognition-js/model
stamp=$npmdir/node_modules/.livecheck-lock.sha256

die() { echo "fetch-models: $*" >&2; exit 1; }

[ -r "$sums" ] || die "cannot read $sums"
[ -r "$npmdir/package-lock.json" ] || die "cannot read $npmdir/package-lock.json"

# sha256 of a file, or nothing when it does not exist.
sha() { [ -f "$1" ] && sha256sum "$1" | cut -d' ' -f1 || true; }

# 1. node_modules, current with the lockfile.
lock_sum=$(sha "$npmdir/package-lock.json")
if [ ! -d "$npmdir/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_sum" ]; then
    command -v npm >/dev/null 2>&1 || die "npm not found: run scripts/install-deps.sh (or make deps)"
    echo "fetch-models: npm ci in tools/npm (lockfile changed or node_modules missing)"
    # onnxruntime-node's install script would download GPU libraries; its CPU
    # library is in the tarball, so skip it (and every other install script).
    (cd "$npmdir" && ONNXRUNTIME_NODE_INSTALL=skip \
        npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) ||
        die "npm ci failed in tools/npm"
    echo "$lock_sum" > "$stamp"
fi

# 2. the models, each verified.
mkdir -p "$dest"
trap 'rm -f "$dest"/.*.tmp.$$' EXIT
copied=0 verified=0
while read -r want name; do
    case "$want" in ''|'#'*) continue ;; esac
    have=$(sha "$dest/$name")
    if [ "$have" = "$want" ]; then
        verified=$((verified + 1))
        continue
    fi
    [ -n "$have" ] && echo "fetch-models: $dest/$name has sha256 $have, want $want: copying it again"
    [ -f "$src/$name" ] || die "$src/$name is missing from the npm package"
    tmp=$dest/.$name.tmp.$$
    cp "$src/$name" "$tmp"
    have=$(sha "$tmp")
    if [ "$have" != "$want" ]; then
        rm -f "$tmp" "$dest/$name"
        die "REFUSED $name: sha256 $have does not match the recorded $want" \
            "(scripts/models.sha256). The copy in $src is corrupt or changed;" \
            "deleted it from $dest. Try: rm -rf tools/npm/node_modules && scripts/fetch-models.sh"
    fi
    mv -f "$tmp" "$dest/$name"
    copied=$((copied + 1))
    verified=$((verified + 1))
done < "$sums"

[ "$verified" -gt 0 ] || die "no models listed in $sums"
echo "fetch-models: $verified models verified in $dest ($copied copied)"
