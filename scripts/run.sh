#!/usr/bin/env bash
# Start livecheckd for a first look (the last step of `make run`).
#
# Serves on 127.0.0.1:8080 (LIVECHECK_LISTEN overrides) with SQLite in
# ./var (LIVECHECK_DATA_DIR overrides). When the store has no active
# credential, one is created and kept in var/first-credential.json (mode
# 0600: the store itself keeps only hashes, so this file is the one place
# the secrets can be read again; delete it once you have them). The
# credential is printed with a curl command ready to paste, then the
# script becomes livecheckd (Ctrl-C stops it gracefully).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
B=${LC_BUILD:-build}
DATA=${LIVECHECK_DATA_DIR:-var}
LISTEN=${LIVECHECK_LISTEN:-127.0.0.1:8080}
[ -x "$B/livecheckd" ] && [ -x "$B/livecheck" ] || { echo "run: build first (make)" >&2; exit 1; }

mkdir -p "$DATA"
chmod 700 "$DATA"
cred=$DATA/first-credential.json
value() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$cred"; }
active() { # is client_id $1 an active credential in the store?
    "$B/livecheck" credentials list --data-dir "$DATA" | grep -A6 "\"client_id\": \"$1\"" |
        grep -q '"active": true'
}
if [ -s "$cred" ] && ! active "$(value client_id)"; then
    echo "run: $cred names a revoked credential; making a new one"
    rm -f "$cred"
fi
if [ ! -s "$cred" ] && ! "$B/livecheck" credentials list --data-dir "$DATA" | grep -q '"active": true'; then
    (umask 077 && "$B/livecheck" credentials create --data-dir "$DATA" --label "make run" >"$cred")
    echo "run: created a first API credential in $cred"
fi

host=${LISTEN%:*}
port=${LISTEN##*:}
case $host in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
url="http://$host:$port"
echo
if [ -s "$cred" ]; then
    cat <<EOT
client_id:     $(value client_id)
client_secret: $(value client_secret)
module_secret: $(value module_secret)

Check a selfie (a phone photo as it is; for a photo without camera EXIF add
--form 'skip_metadata_validation="true"'):

curl --location '$url/v2/kyc/forensics/liveness/passive' \\
--header 'client_id: $(value client_id)' \\
--header 'client_secret: $(value client_secret)' \\
--header 'module_secret: $(value module_secret)' \\
--form 'reference_id="first-check-$(date +%s)"' \\
--form 'consent="true"' \\
--form 'purpose="for bank verification only"' \\
--form 'image=@"/path/to/selfie.jpg"'

EOT
else
    echo "Credentials exist in $DATA; their secrets were shown when they were made."
    echo "New one: $B/livecheck credentials create --data-dir $DATA"
    echo
fi
echo "Try-it page: $url/    API reference: docs/api.md, $url/openapi.json"
echo
exec "$B/livecheckd" --listen "$LISTEN" --data-dir "$DATA"
