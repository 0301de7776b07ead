#!/usr/bin/env bash
# Install the Debian packages listed in scripts/deps.txt that are missing.
# Idempotent: when everything is present it only reads dpkg's database and
# never calls apt. Runs as root, or through sudo when not root.
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    list what is missing; exit 1 if any
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list=${DEPS_FILE:-$here/deps.txt}
check_only=0
case "${1:-}" in
    --check) check_only=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

[ -r "$list" ] || { echo "install-deps: cannot read $list" >&2; exit 1; }

# Wanted names: strip comments and blanks.
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' | sort -u)

# Everything dpkg has installed, plus every name those packages Provide.
present=$(dpkg-query -W -f='${db:Status-Status}\t${Package}\t${Provides}\n' 2>/dev/null |
    awk -F'\t' '$1 == "installed" {
        print $2
        n = split($3, p, ",")
        for (i = 1; i <= n; i++) { sub(/\(.*/, "", p[i]); gsub(/[[:space:]]/, "", p[i]); if (p[i] != "") print p[i] }
    }' | sort -u)

missing=()
for pkg in "${wanted[@]}"; do
    grep -qxF -- "$pkg" <<<"$present" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#wanted[@]} packages present"
    exit 0
fi
echo "install-deps: missing: ${missing[*]}"
[ "$check_only" -eq 1 ] && exit 1

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: not root and no sudo; install these as root: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
