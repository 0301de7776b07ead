#!/usr/bin/env bash
# Start livecheckd for a first look (the last step of `make run`).
#
# Serves on 127.0.0.1:8080 (LIVECHECK_LISTEN overrides) with SQLite in
# ./var (LIVECHECK_DATA_DIR overrides). When the store has no active
# credential, one is created and its secrets are printed once, with a curl
# command ready to paste; they are never written anywhere (the store keeps
# only their hashes), so a later run says that a credential exists and how
# to make a new one. Then the script becomes livecheckd (Ctrl-C stops it
# gracefully).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
B=${LC_BUILD:-build}
DATA=${LIVECHECK_DATA_DIR:-var}
LISTEN=${LIVECHECK_LISTEN:-127.0.0.1:8080}
[ -x "$B/livecheckd" ] && [ -x "$B/livecheck" ] || { echo "run: build first (make)" >&2; exit 1; }

mkdir -p "$DATA"
chmod 700 "$DATA"
# Earlier versions kept the first credential's secrets here in clear.
if [ -e "$DATA/first-credential.json" ]; then
    rm -f "$DATA/first-credential.json"
    echo "run: removed $DATA/first-credential.json (an earlier version kept a credential's secrets"
    echo "     there in clear). The credential still works; revoke it with"
    echo "     $B/livecheck credentials revoke CLIENT_ID --data-dir $DATA if the file may have been read."
fi
cred= # the new credential's JSON: only in this shell's memory
if ! "$B/livecheck" credentials list --data-dir "$DATA" | grep -q '"active": true'; then
    cred=$("$B/livecheck" credentials create --data-dir "$DATA" --label "make run")
fi
# (a pipe, not a here-string: nothing of the secrets touches a file)
value() { printf '%s\n' "$cred" | sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p"; }

host=${LISTEN%:*}
port=${LISTEN##*:}
case $host in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
url="http://$host:$port"
echo
if [ -n "$cred" ]; then
    cat <<EOT
Created a first API credential. Its secrets are shown this once and are
not stored anywhere (livecheckd keeps only their hashes): copy them now.

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
    cat <<EOT
An API credential exists in $DATA; its secrets were shown once, when it was
created, and are not stored in clear. To make a new one:

    $B/livecheck credentials create --data-dir $DATA

curl --location '$url/v2/kyc/forensics/liveness/passive' \\
--header 'client_id: <your_client_id>' \\
--header 'client_secret: <your_client_secret>' \\
--header 'module_secret: <your_module_secret>' \\
--form 'reference_id="first-check-$(date +%s)"' \\
--form 'consent="true"' \\
--form 'purpose="for bank verification only"' \\
--form 'image=@"/path/to/selfie.jpg"'

EOT
fi
echo "Try-it page: $url/    API reference: docs/api.md, $url/openapi.json"
echo
exec "$B/livecheckd" --listen "$LISTEN" --data-dir "$DATA"
