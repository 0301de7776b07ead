#!/usr/bin/env bash
# tests/reliability.sh - livecheckd when things go wrong, on the store the
# tests use (SQLite, or LC_STORE_URL's PostgreSQL under make test-pg; see
# tests/lib/store.sh). Real servers on loopback, one store, killed and
# started again:
#   (a) SIGKILL under load: four clients post the passive endpoint (each
#       request its own reference_id) and livecheckd is killed while
#       requests are in flight; started again on the same store, every
#       transaction answered 200 success before the kill is stored, and its
#       reference_id stays claimed (SQLite: the database passes
#       integrity_check);
#   (b) a node killed during an analysis (state processing, its lease held)
#       leaves no session stuck: a node started with another node_id takes
#       the job once the lease (--job-lease 3) runs out and the session ends
#       done, answered by the results endpoint;
#   (c) callbacks are at least once, and no more: livecheckd killed after
#       the receiver got the callback but before it answered (so the
#       delivery was never recorded) sends it again after the outbox lease
#       (30 s) with the same X-Livecheck-Delivery: at most 2 deliveries, one
#       outbox row, recorded as delivered once;
#   (d) the store unreachable: PostgreSQL stopped (pg_ctl stop on
#       scripts/pg-test.sh's throwaway cluster), or with SQLite a full disk
#       (the store on a small tmpfs, filled up; needs root, else SKIP):
#       requests answer 503 error_store_unavailable with Retry-After,
#       /readyz 503, livecheckd stays up; once the store is back (cluster
#       started, space freed) requests succeed again without a restart, the
#       refused reference_id can be used, and livecheckd exits 0 on SIGTERM.
# The last line is "reliability: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/store.sh # store_opts, store_sql, store_kind: SQLite or LC_STORE_URL
B=${LC_BUILD:-build}
LCD=$B/livecheckd
CLI=$B/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
MODELS=${LC_MODELS:-models}
PG_BIN=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
T=$(mktemp -d)
PIDS=()
MOUNTED=""   # the tmpfs of (d), unmounted at exit
PG_DATA=""   # set while (d) has the cluster stopped: started again at exit
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
pg_start() {
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$(dirname "$PG_DATA")/server.log" -w -t 60 restart \
        >>"$T/pg_ctl.log" 2>&1
}
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    [ -n "$PG_DATA" ] && pg_start
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    store_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib/check.sh
# known NAME CONDITION DETAIL BUG: a check that a known bug (reported, not
# yet fixed) makes fail: "KNOWN" and not counted while it fails, a pass once
# the bug is fixed (then make it a check).
known() { if eval "$2"; then ok "$1"; else echo "KNOWN $1 ${3:-} [bug: $4]"; fi; }
T0=$SECONDS
part() { echo "-- $1 (at ${SECONDS}s)"; }
field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@" 2>/dev/null; }
ref() { echo "rel-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"; }
PURPOSE="for bank verification only"
echo "reliability: store $(store_kind)"

# start NAME DATADIR ARGS...: livecheckd on a free port; waits for
# "listening" (60 s at most, an ASan build starts slowly); sets NAME_URL,
# NAME_PID.
start() {
    local name=$1 dir=$2
    shift 2
    : >"$T/$name.log"
    "$LCD" --listen 127.0.0.1:0 $(store_opts "$dir") --models-dir "$MODELS" --web-dir web \
        --log-file "$T/$name.log" --fetch-allow 127.0.0.1/32 "$@" 2>>"$T/$name.err" &
    local pid=$!
    PIDS+=("$pid")
    wait_for 60 'grep -q "\"msg\":\"listening\"" "$T/$name.log" || ! kill -0 $pid 2>/dev/null'
    local addr
    addr=$(grep -o '"address":"[^"]*"' "$T/$name.log" 2>/dev/null | tail -n 1 | cut -d'"' -f4)
    printf -v "${name}_URL" 'http://%s' "$addr"
    printf -v "${name}_PID" '%s' "$pid"
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
sigkill() { kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# ---- set-up: a photo, credentials, the receiver, the first node -------------
/usr/bin/convert "$DEV/faces/obama-1.jpg" -resize '1600x1600!' -quality 92 "$T/selfie.jpg" 2>/dev/null
exiftool -q -overwrite_original -FileSource="Digital Camera" -Make=TestCam \
    -ModifyDate="2026:11:25 10:00:00" "$T/selfie.jpg"
ffmpeg -nostdin -v error -y -ss 20.0 -i "$DEV/videos/replay-pair-real.mp4" -frames:v 1 -q:v 2 "$T/ref.jpg"
V=$T/var
"$CLI" credentials create $(store_opts "$V") --label reliability >"$T/cred.json"
CID=$(field "$T/cred.json" client_id)
AUTH=(-H "client_id: $CID" -H "client_secret: $(field "$T/cred.json" client_secret)"
    -H "module_secret: $(field "$T/cred.json" module_secret)")
check "a credential in the $(store_kind) store" '[ -n "$CID" ]'

mkdir -p "$T/rx"
(python3 tests/lib/callback_rx.py "$T/rx" "$T/rx.port" --hold-first 20 2>"$T/rx.err" &)
wait_for 10 '[ -s "$T/rx.port" ]'
read -r RPORT RPID <"$T/rx.port" 2>/dev/null
PIDS+=("${RPID:-}")

start n1 "$V" --node-id rel-1 --job-lease 3
check "livecheckd starts" 'alive "$n1_PID"' "$(tail -n 3 "$T/n1.err" "$T/n1.log" 2>/dev/null)"

PASSIVE=/v2/kyc/forensics/liveness/passive
# post URL REF [OUT]: the passive check; prints the status code, the body
# in OUT ($T/post.json), the headers in OUT.h.
post() {
    local out=${3:-$T/post.json}
    curl -s -m 60 -o "$out" -D "$out.h" -w '%{http_code}' "${AUTH[@]}" -F "reference_id=$2" -F consent=true \
        -F "purpose=$PURPOSE" -F "image=@$T/selfie.jpg" "$1$PASSIVE"
}
key() { jget "${1:-$T/post.json}" 'd["responseKey"]'; }

# The session of (b) and (c): initiated now, its recording composed for its
# challenge in the background while (a) runs.
E_REF=$(ref)
python3 - "$T/init.json" "$E_REF" "$PURPOSE" "http://127.0.0.1:$RPORT/rel" "$T/ref.jpg" <<'EOF'
import base64, json, sys
out, ref, purpose, cb, photo = sys.argv[1:]
json.dump({"consent": True, "purpose": purpose, "reference_id": ref, "callback_url": cb,
           "face_image_base64s": [base64.b64encode(open(photo, "rb").read()).decode()]}, open(out, "w"))
EOF
code=$(curl -s -m 60 -o "$T/init.out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
    --data @"$T/init.json" "$n1_URL/v2/kyc/forensics/active_video_liveness/initiate")
E_TXN=$(jget "$T/init.out" 'd["decentroTxnId"]')
E_TOKEN=$(jget "$T/init.out" 'd["videoLivenessUrl"].split("/capture/")[1]')
curl -s -m 30 -o "$T/session.out" "$n1_URL/v2/capture/$E_TOKEN"
CH=$(jget "$T/session.out" '",".join(("digits=" + p["digits"] if p["kind"] == "digits" else p["kind"]) + "@%.2f-%.2f" % (p["start"], p["end"]) for p in d["data"]["prompts"])')
check "a session with a callback_url is initiated (HTTP $code) and its challenge read" \
    '[ "$code" = 200 ] && [ -n "$E_TOKEN" ] && [ -n "$CH" ]' "($(head -c 300 "$T/init.out"))"
tests/lib/capture_media.sh "$CH" "$T/media" >"$T/media.log" 2>&1 &
COMPOSE=$!

# ---- (a) SIGKILL under load ------------------------------------------------
part "(a) SIGKILL under load"
mkdir -p "$T/k"
# Client w writes one line per request, "HTTP_CODE CURL_EXIT REF", and
# keeps each answer as $T/k/w.i; $T/k/w.busy exists while its request is
# in flight.
client() {
    local w=$1 i=0 rc code
    while [ $i -lt 2000 ]; do
        i=$((i + 1))
        : >"$T/k/$w.busy"
        code=$(curl -s -m 60 -o "$T/k/$w.$i" -w '%{http_code}' "${AUTH[@]}" -F "reference_id=k-$$-$w-$i" \
            -F consent=true -F "purpose=$PURPOSE" -F "image=@$T/selfie.jpg" "$n1_URL$PASSIVE")
        rc=$?
        rm -f "$T/k/$w.busy"
        echo "$code $rc k-$$-$w-$i" >>"$T/k/$w"
        [ "$rc" = 7 ] && break # connection refused: the server is gone
    done
}
CLIENTS=()
for w in 1 2 3 4; do
    client "$w" &
    CLIENTS+=($!)
done
answered() { cat "$T/k/"[0-9] 2>/dev/null | awk '$1 == 200' | wc -l; }
busy() { ls "$T/k/" | grep -c '\.busy$'; }
# Killed once a dozen were answered, with requests in flight.
wait_for 120 '[ "$(answered)" -ge 12 ] && [ "$(busy)" -ge 2 ]'
n_before=$(answered)
n_busy=$(busy)
sigkill "$n1_PID"
wait "${CLIENTS[@]}" 2>/dev/null
# Each answer: "HTTP_CODE CURL_EXIT REF TXN KEY".
for w in 1 2 3 4; do
    while read -r code rc r; do
        i=${r##*-}
        printf '%s %s %s %s %s\n' "$code" "$rc" "$r" \
            "$(jget "$T/k/$w.$i" 'd["decentroTxnId"] + " " + d["responseKey"]' || echo "- -")"
    done <"$T/k/$w"
done >"$T/k/all"
awk '$1 == 200 && $5 == "success_liveness_check" {print $4}' "$T/k/all" | sort -u >"$T/k/answered"
na=$(wc -l <"$T/k/answered")
cut_=$(awk '$1 != 200 && $2 != 7' "$T/k/all" | wc -l)
others=$(awk '$2 == 0 && !($1 == 200 && $5 == "success_liveness_check")' "$T/k/all" | wc -l)
check "killed with SIGKILL mid-run ($n_busy requests in flight): $na answered 200 success, $cut_ requests cut, no other answer" \
    '[ "$n_before" -ge 12 ] && [ "$n_busy" -ge 2 ] && [ "$cut_" -ge 1 ] && [ "$others" = 0 ]' \
    "(the last request of each client: $(for w in 1 2 3 4; do tail -n 1 "$T/k/$w"; done | tr '\n' ';'))"
start n2 "$V" --node-id rel-1 --job-lease 3
check "started again on the same store: ready" \
    'alive "$n2_PID" && curl -s -m 10 "$n2_URL/readyz" | grep -q "\"status\":\"ready\""' \
    "$(tail -n 3 "$T/n2.err" "$T/n2.log" 2>/dev/null)"
store_sql "$V" "SELECT id FROM transactions WHERE client_id = '$CID' AND response_key = 'success_liveness_check'
    AND http_status = 200" | sort -u >"$T/k/stored"
missing=$(comm -23 "$T/k/answered" "$T/k/stored" | wc -l)
check "every transaction answered 200 before the kill is in the store ($na answered, $missing missing)" \
    '[ "$na" -ge 12 ] && [ "$missing" = 0 ]' "($(comm -23 "$T/k/answered" "$T/k/stored" | head -n 3 | tr '\n' ' '))"
R_ANS=$(awk '$1 == 200 && $5 == "success_liveness_check" {print $3}' "$T/k/all" | tail -n 1)
code=$(post "$n2_URL" "$R_ANS")
check "a reference_id answered before the kill stays claimed: 409 error_duplicate_reference_id" \
    '[ "$code" = 409 ] && [ "$(key)" = error_duplicate_reference_id ]' "($code $(head -c 200 "$T/post.json"))"
code=$(post "$n2_URL" "$(ref)")
check "new requests succeed after the restart" '[ "$code" = 200 ] && [ "$(key)" = success_liveness_check ]' \
    "($code $(head -c 200 "$T/post.json"))"
if [ "$(store_kind)" = sqlite ]; then
    ic=$(sqlite3 "$V/livecheck.db" "PRAGMA integrity_check" 2>&1)
    check "SQLite: the database passes integrity_check after the kill" '[ "$ic" = ok ]' "($ic)"
fi

# ---- (b) a node killed during an analysis ------------------------------------
part "(b) SIGKILL during an analysis"
wait "$COMPOSE"
check "a recording is composed for the challenge ($CH)" '[ -s "$T/media/capture.webm" ]' "($(tail -n 3 "$T/media.log"))"
META=$(python3 -c 'import json,sys,time; d=json.load(open(sys.argv[1]))["data"]; print(json.dumps({"recordingStartedAt": int(time.time()*1000), "prompts": [{"kind": p["kind"], "start": p["start"], "end": p["end"]} for p in d["prompts"]], "location": None, "mimeType": "video/webm", "userAgent": "tests/reliability.sh"}))' "$T/session.out")
state() { store_sql "$V" "SELECT state || '|' || coalesce(lease_owner, '') FROM sessions WHERE txn = '$E_TXN'"; }
code=$(curl -s -m 60 -o "$T/upload.out" -w '%{http_code}' -F "video=@$T/media/capture.webm;type=video/webm;filename=capture.webm" \
    -F "meta=$META" "$n2_URL/v2/capture/$E_TOKEN")
wait_for 60 '[ "$(state)" = "2|rel-1" ]'
st=$(state)
sigkill "$n2_PID"
LEASE_UNTIL=$(store_sql "$V" "SELECT lease_until_ms FROM sessions WHERE txn = '$E_TXN'")
st2=$(state)
check "upload 202, node rel-1 killed with the analysis in progress (state processing, lease rel-1)" \
    '[ "$code" = 202 ] && [ "$st" = "2|rel-1" ] && [ "$st2" = "2|rel-1" ]' "(HTTP $code, state $st then $st2)"
start n3 "$V" --node-id rel-2 --job-lease 3
seen=""
wait_for 120 'st=$(state); case " $seen " in *" $st "*) ;; *) seen="$seen $st" ;; esac; [ "${st%%|*}" = 3 ] || [ "${st%%|*}" = 4 ]'
FIN=$(store_sql "$V" "SELECT state || '|' || finished_ms FROM sessions WHERE txn = '$E_TXN'")
check "node rel-2 took the job over after the lease ran out; the session ends done (states seen:$seen)" \
    '[ "${FIN%%|*}" = 3 ] && [ "${FIN#*|}" -gt "$LEASE_UNTIL" ] && [[ " $seen " == *" 2|rel-2 "* ]]' "($FIN, lease until $LEASE_UNTIL)"

# ---- (c) callbacks: at least once, and no more --------------------------------
part "(c) callback across a kill between delivery and recording"
# The receiver holds its answer to the first POST for 20 s; livecheckd is
# killed in that window.
wait_for 60 '[ -e "$T/rx/held" ]'
sigkill "$n3_PID"
row() { store_sql "$V" "SELECT count(*) || '|' || sum(CASE WHEN delivered_ms > 0 THEN 1 ELSE 0 END) FROM outbox WHERE txn = '$E_TXN'"; }
r1=$(row)
check "the callback reached the receiver and livecheckd was killed before it recorded the delivery" \
    '[ -e "$T/rx/held" ] && [ "$r1" = "1|0" ]' "($r1)"
start n4 "$V" --node-id rel-2 --job-lease 3
printf '{"consent": true, "purpose": "%s", "reference_id": "%s"}' "$PURPOSE" "$E_REF" >"$T/resq.json"
code=$(curl -s -m 30 -o "$T/results.out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
    --data @"$T/resq.json" "$n4_URL/v2/kyc/forensics/active_video_liveness/$E_TXN")
check "the results endpoint answers the session's results" \
    '[ "$code" = 200 ] && [ "$(key "$T/results.out")" = success_video_liveness_results ]' "($code $(head -c 300 "$T/results.out"))"
posts() { grep -l "\"txn\": \"$E_TXN\"" "$T/rx"/*.json 2>/dev/null | wc -l; }
# The outbox lease is 30 s from the claim; allow 60.
wait_for 60 '[ "$(row)" = "1|1" ]'
sleep 3 # a further delivery would come now, were one to come
r2=$(row)
np=$(posts)
ndel=$(grep -h -o '"X-Livecheck-Delivery": "[^"]*"' $(grep -l "\"txn\": \"$E_TXN\"" "$T/rx"/*.json 2>/dev/null) /dev/null | sort -u | wc -l)
check "sent again after the lease: $np deliveries (at most 2), one X-Livecheck-Delivery, one outbox row recorded delivered" \
    '[ "$np" -ge 1 ] && [ "$np" -le 2 ] && [ "$ndel" = 1 ] && [ "$r2" = "1|1" ]' "(row $r2)"
check "the redelivery is the same callback (same body)" \
    '[ "$np" -lt 2 ] || cmp -s "$(grep -l "\"txn\": \"$E_TXN\"" "$T/rx"/*.json | head -n 1 | sed "s/json$/body/")" \
        "$(grep -l "\"txn\": \"$E_TXN\"" "$T/rx"/*.json | tail -n 1 | sed "s/json$/body/")"'

# ---- (d) the store unreachable -------------------------------------------------
part "(d) store unreachable"
# metric NAME URL: a counter from /metrics (0 when absent).
metric() { curl -s -m 10 "$2/metrics" | awk -v m="$1" '$1 == m {v = $2} END {print v + 0}'; }
retry_after() { grep -qi '^Retry-After: *[0-9]' "$1.h"; }
D="" DV=""
if [ "$(store_kind)" = postgres ]; then
    data=$(store_sql "$V" "SHOW data_directory" 2>/dev/null)
    case $data in
    */lc-pg-*/data)
        if [ -x "$PG_BIN/pg_ctl" ]; then
            D=n4 DV=$V
        else
            echo "SKIP (d): no $PG_BIN/pg_ctl"
        fi
        ;;
    *) echo "SKIP (d): the PostgreSQL server is not scripts/pg-test.sh's throwaway cluster ($data); not stopping it" ;;
    esac
    break_store() { PG_DATA=$data; "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >>"$T/pg_ctl.log" 2>&1; }
    mend_store() { pg_start && PG_DATA=""; }
    HOW="PostgreSQL stopped"
elif [ "$(id -u)" -ne 0 ]; then
    echo "SKIP (d): a full disk needs a tmpfs mount, and that needs root"
else
    mkdir -p "$T/full"
    if mount -t tmpfs -o size=16m tmpfs "$T/full" 2>"$T/mount.err"; then
        MOUNTED=$T/full
        # The store of (a)-(c), copied onto the tmpfs (a few MB) with its key.
        sigkill "$n4_PID"
        DV=$T/full/var
        store_copy "$V" "$DV"
        cp "$V/server.key" "$DV/server.key"
        start n5 "$DV" --node-id rel-full
        D=n5
    else
        echo "SKIP (d): cannot mount a tmpfs ($(cat "$T/mount.err"))"
    fi
    break_store() { cat /dev/zero >"$MOUNTED/fill" 2>/dev/null; [ "$(df --output=avail "$MOUNTED" | tail -n 1)" -eq 0 ]; }
    mend_store() { rm -f "$MOUNTED/fill"; }
    HOW="SQLite's disk full"
fi
if [ -n "$D" ]; then
    DU=${D}_URL DP=${D}_PID
    DU=${!DU} DP=${!DP}
    code=$(post "$DU" "$(ref)")
    check "before: a request succeeds and /readyz is 200" \
        '[ "$code" = 200 ] && [ "$(curl -s -m 10 -o /dev/null -w "%{http_code}" "$DU/readyz")" = 200 ]' "($code)"
    errs0=$(metric livecheck_store_errors_total "$DU")
    break_store
    rc=$?
    check "$HOW" '[ "$rc" = 0 ]'
    # SQLite may take a request or two into the space its WAL already has;
    # every answer must be 200 or 503 error_store_unavailable, and a 503 must come.
    codes="" R_REFUSED="" n=0
    while [ $n -lt 10 ]; do
        n=$((n + 1))
        r=$(ref)
        code=$(post "$DU" "$r")
        codes="$codes $code:$(key)"
        if [ "$code" != 200 ]; then
            R_REFUSED=$r
            break
        fi
    done
    cp "$T/post.json" "$T/refused.json"
    cp "$T/post.json.h" "$T/refused.json.h"
    check "$HOW: the passive endpoint answers 503 error_store_unavailable ($codes)" \
        '[ "$code" = 503 ] && [ "$(key)" = error_store_unavailable ] && [ "$(jget "$T/post.json" "d[\"responseCode\"]")" = E00504 ]' \
        "($(head -c 300 "$T/post.json"))"
    # A 503 answered by a worker (the store write after the check) carries
    # Retry-After too (api_job_complete).
    check "$HOW: ... with Retry-After" 'retry_after "$T/refused.json"' "($(tr -d '\r' <"$T/refused.json.h" | tr '\n' ' '))"
    code=$(curl -s -m 30 -o "$T/res2.out" -D "$T/res2.out.h" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
        --data @"$T/resq.json" "$DU/v2/kyc/forensics/active_video_liveness/$E_TXN")
    check "$HOW: the results endpoint answers 503 error_store_unavailable with Retry-After" \
        '[ "$code" = 503 ] && [ "$(key "$T/res2.out")" = error_store_unavailable ] && retry_after "$T/res2.out"' \
        "($code $(head -c 200 "$T/res2.out"))"
    code=$(curl -s -m 30 -o "$T/rz.out" -w '%{http_code}' "$DU/readyz")
    # A full disk fails SQLite's writes, not its reads (the ping): /readyz
    # also counts a store failure in the last 5 s.
    check "$HOW: /readyz answers 503 not_ready" '[ "$code" = 503 ] && grep -q "\"status\":\"not_ready\"" "$T/rz.out"' \
        "($code $(cat "$T/rz.out"))"
    check "$HOW: livecheckd is still up (/healthz 200) and counts the store errors" \
        'alive "$DP" && [ "$(curl -s -m 10 -o /dev/null -w "%{http_code}" "$DU/healthz")" = 200 ] &&
         [ "$(metric livecheck_store_errors_total "$DU")" -gt "$errs0" ]'
    mend_store
    rc=$?
    check "the store is back" '[ "$rc" = 0 ]'
    wait_for 30 '[ "$(post "$DU" "$(ref)")" = 200 ]'
    codes=""
    for _ in 1 2 3 4 5 6; do codes="$codes $(post "$DU" "$(ref)")"; done
    check "requests succeed again without restarting livecheckd ($codes)" \
        'alive "$DP" && [ "$codes" = " 200 200 200 200 200 200" ]' "($(head -c 300 "$T/post.json"))"
    # Ready again once no store call has failed for 5 s.
    wait_for 15 '[ "$(curl -s -m 10 -o "$T/rz.out" -w "%{http_code}" "$DU/readyz")" = 200 ]'
    code=$(curl -s -m 10 -o "$T/rz.out" -w '%{http_code}' "$DU/readyz")
    check "/readyz is 200 again" '[ "$code" = 200 ]' "($(cat "$T/rz.out"))"
    code=$(post "$DU" "$R_REFUSED")
    check "the reference_id of the refused request was not claimed: it succeeds now" \
        '[ -n "$R_REFUSED" ] && [ "$code" = 200 ]' "($code $(head -c 200 "$T/post.json"))"
    kill -TERM "$DP"
    wait "$DP"
    rc=$?
    check "livecheckd exits 0 on SIGTERM" '[ "$rc" = 0 ]' "(exit $rc: $(tail -n 5 "$T/$D.err"))"
fi

echo "reliability: took $((SECONDS - T0)) s"
check_done reliability
