#!/usr/bin/env bash
# tests/multinode.sh - several livecheckd nodes on one PostgreSQL store
# behind a load balancer (docs/operations.md, "Several nodes behind a load
# balancer"). Needs LC_STORE_URL=postgres://... (make test-pg,
# scripts/pg-test.sh); without it the suite says SKIP and counts nothing.
#
# Two nodes, A and B (distinct --node-id, the same --key-file and store,
# --job-lease short), and nginx on loopback in front of them (round robin,
# a configuration written to a temp dir, run in the foreground), both
# nodes' --public-url set to nginx's address. A python receiver
# (tests/lib/callback_rx.py) counts the callbacks. Shown:
#   - nginx spreads requests over both nodes (its access log names the
#     upstream of each request);
#   - a session initiated on node A (addressed directly) has its capture
#     link on nginx's address, its capture session read and its recording
#     uploaded on node B, and its results answered alike by A, B and
#     nginx (both upstreams); its signed image links work on either node;
#   - 20 callbacks queued at once are delivered by both nodes' outboxes,
#     each once, each signed with the same client key;
#   - node A killed with SIGKILL in the middle of an analysis (state
#     processing, lease A; B paused meanwhile so that A takes the job)
#     leaves the job to B once the lease runs out: B claims it and the
#     session ends done, answered through nginx;
#   - every callback is delivered exactly once (one POST per decentroTxnId,
#     all answered 2xx; every outbox row delivered at its first attempt).
# The last line is "multinode: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/store.sh # store_opts, store_sql, store_kind
if [ "$(store_kind)" != postgres ]; then
    echo "SKIP multinode: several nodes need the PostgreSQL store (LC_STORE_URL=postgres://..., make test-pg)"
    echo "multinode: 0 passed, 0 failed"
    exit 0
fi
B=${LC_BUILD:-build}
LCD=$B/livecheckd
CLI=$B/livecheck
DEV=${LC_DEV_DATA:-../shared/data/dev}
MODELS=${LC_MODELS:-models}
# The job lease of both nodes (seconds): how long node B waits for node A's
# job after A dies.
LEASE=${LC_MULTINODE_LEASE:-3}
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do
        kill -CONT "$p" 2>/dev/null
        kill -9 "$p" 2>/dev/null
    done
    store_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib/check.sh
T0=$SECONDS
part() { echo "-- $1 (at ${SECONDS}s)"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@" 2>/dev/null; }
ref() { echo "mn-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
PURPOSE="for bank verification only"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
    echo "FAIL nginx is not installed (scripts/install-deps.sh)"
    echo "multinode: 0 passed, 1 failed"
    exit 1
fi

# ---- set-up: credentials, receiver, two nodes, nginx --------------------------
V=$T/var
"$CLI" credentials create $(store_opts "$V") --label multinode >"$T/cred.json"
CID=$(field "$T/cred.json" client_id)
AUTH=(-H "client_id: $CID" -H "client_secret: $(field "$T/cred.json" client_secret)"
    -H "module_secret: $(field "$T/cred.json" module_secret)")
mkdir -p "$T/rx"
(python3 tests/lib/callback_rx.py "$T/rx" "$T/rx.port" --slow 0.2 2>"$T/rx.err" &)
wait_for 10 '[ -s "$T/rx.port" ]'
read -r RPORT RPID <"$T/rx.port" 2>/dev/null
PIDS+=("${RPID:-}")
check "a credential in the PostgreSQL store, the callback receiver listens" '[ -n "$CID" ] && [ -n "${RPORT:-}" ]'

NPORT=$(free_port)
LB=http://127.0.0.1:$NPORT
# node NAME: livecheckd --node-id NAME on a free port, the shared store and
# key file, public_url nginx; waits for "listening" (60 s at most); sets
# NAME_URL, NAME_ADDR, NAME_PID.
node() {
    local name=$1
    : >"$T/$name.log"
    "$LCD" --listen 127.0.0.1:0 $(store_opts "$V") --node-id "$name" --public-url "$LB" \
        --job-lease "$LEASE" --models-dir "$MODELS" --web-dir web --log-file "$T/$name.log" \
        --fetch-allow 127.0.0.1/32 2>>"$T/$name.err" &
    local pid=$!
    PIDS+=("$pid")
    wait_for 60 'grep -q "\"msg\":\"listening\"" "$T/$name.log" || ! kill -0 $pid 2>/dev/null'
    local addr
    addr=$(grep -o '"address":"[^"]*"' "$T/$name.log" 2>/dev/null | tail -n 1 | cut -d'"' -f4)
    printf -v "${name}_ADDR" '%s' "$addr"
    printf -v "${name}_URL" 'http://%s' "$addr"
    printf -v "${name}_PID" '%s' "$pid"
}
# One after the other: the first makes the key file, the second reads it.
node A
node B
check "nodes A and B start on one store and one key file" \
    'alive "$A_PID" && alive "$B_PID" && [ -n "$A_ADDR" ] && [ -n "$B_ADDR" ] && [ -s "$V/server.key" ]' \
    "$(tail -n 3 "$T/A.err" "$T/B.err" 2>/dev/null)"

N=$T/nginx
mkdir -p "$N"
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;" # workers write $N's temp dirs
# underscores_in_headers: the API's credential headers are client_id,
# client_secret and module_secret, which nginx drops by default.
cat >"$N/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log info;
events { worker_connections 256; }
http {
    client_body_temp_path $N/client_body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    log_format lc '\$request_method \$uri \$status \$upstream_addr';
    access_log $N/access.log lc;
    upstream livecheck {
        server $A_ADDR;
        server $B_ADDR;
    }
    server {
        listen 127.0.0.1:$NPORT;
        underscores_in_headers on;
        client_max_body_size 64m;
        location / {
            proxy_pass http://livecheck;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_request_buffering off;
            proxy_read_timeout 120s;
        }
    }
}
EOF
"$NGINX" -p "$N/" -e "$N/error.log" -c "$N/nginx.conf" -g 'daemon off;' >"$N/stdout" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_for 10 '[ "$(curl -s -m 5 -o /dev/null -w "%{http_code}" "$LB/healthz")" = 200 ] || ! kill -0 $NGINX_PID 2>/dev/null'
for _ in 1 2 3 4 5 6; do curl -s -m 10 -o /dev/null "$LB/readyz"; done
# upstreams PATH-REGEX: the upstreams nginx sent matching requests to.
upstreams() { awk -v p="$1" '$2 ~ p {print $4}' "$N/access.log" | sort -u | tr '\n' ' '; }
check "nginx on $LB spreads requests over both nodes (access log: $(upstreams '^/readyz$'))" \
    '[ "$(upstreams "^/readyz\$")" = "$(printf "%s\n" "$A_ADDR" "$B_ADDR" | sort | tr "\n" " ")" ]' \
    "($(tail -n 3 "$N/error.log" "$N/stdout" 2>/dev/null))"

INIT=/v2/kyc/forensics/active_video_liveness/initiate
ffmpeg -nostdin -v error -y -ss 20.0 -i "$DEV/videos/replay-pair-real.mp4" -frames:v 1 -q:v 2 "$T/ref.jpg"
# initiate URL REF: a session with a callback to the receiver; the answer
# in $T/init.out; prints the status code.
initiate() {
    python3 - "$T/init.json" "$2" "$PURPOSE" "http://127.0.0.1:$RPORT/mn" "$T/ref.jpg" <<'EOF'
import base64, json, sys
out, ref, purpose, cb, photo = sys.argv[1:]
json.dump({"consent": True, "purpose": purpose, "reference_id": ref, "callback_url": cb,
           "face_image_base64s": [base64.b64encode(open(photo, "rb").read()).decode()]}, open(out, "w"))
EOF
    curl -s -m 60 -o "$T/init.out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
        --data @"$T/init.json" "$1$INIT"
}
# results URL TXN REF OUT: prints the status code.
results() {
    printf '{"consent": true, "purpose": "%s", "reference_id": "%s"}' "$PURPOSE" "$3" >"$T/resq.json"
    curl -s -m 30 -o "$4" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
        --data @"$T/resq.json" "$1/v2/kyc/forensics/active_video_liveness/$2"
}
# upload URL TOKEN SESSION_JSON: the recording with the page's metadata;
# prints the status code.
upload() {
    local meta
    meta=$(python3 -c 'import json,sys,time; d=json.load(open(sys.argv[1]))["data"]; print(json.dumps({"recordingStartedAt": int(time.time()*1000), "prompts": [{"kind": p["kind"], "start": p["start"], "end": p["end"]} for p in d["prompts"]], "location": None, "mimeType": "video/webm", "userAgent": "tests/multinode.sh"}))' "$3")
    curl -s -m 120 -o "$T/upload.out" -w '%{http_code}' \
        -F "video=@$T/media/capture.webm;type=video/webm;filename=capture.webm" -F "meta=$meta" "$1/v2/capture/$2"
}
state() { store_sql "$V" "SELECT state || '|' || coalesce(lease_owner, '') FROM sessions WHERE txn = '$1'"; }

# ---- a session across the nodes ----------------------------------------------
part "a session initiated on A, captured on B"
R1=$(ref)
code=$(initiate "$A_URL" "$R1")
TXN1=$(jget "$T/init.out" 'd["decentroTxnId"]')
LINK1=$(jget "$T/init.out" 'd["videoLivenessUrl"]')
TOK1=${LINK1##*/}
check "initiate on node A: 200, the capture link on nginx's address ($LINK1)" \
    '[ "$code" = 200 ] && [[ "$LINK1" == "$LB/capture/"* ]] && [ ${#TOK1} = 43 ]' "($(head -c 300 "$T/init.out"))"
code=$(curl -s -m 30 -o "$T/s1.json" -w '%{http_code}' "$B_URL/v2/capture/$TOK1")
CH1=$(jget "$T/s1.json" '",".join(("digits=" + p["digits"] if p["kind"] == "digits" else p["kind"]) + "@%.2f-%.2f" % (p["start"], p["end"]) for p in d["data"]["prompts"])')
check "node B reads the capture session A created (its challenge: $CH1)" '[ "$code" = 200 ] && [ -n "$CH1" ]' \
    "($code $(head -c 300 "$T/s1.json"))"
check "the capture page is served at the link, through nginx" \
    '[ "$(curl -s -m 30 -o "$T/page.html" -w "%{http_code}" "$LINK1")" = 200 ] && grep -q capture.js "$T/page.html"'
tests/lib/capture_media.sh "$CH1" "$T/media" >"$T/media.log" 2>&1
check "a recording is composed for the challenge" '[ -s "$T/media/capture.webm" ]' "($(tail -n 3 "$T/media.log"))"
code=$(upload "$B_URL" "$TOK1" "$T/s1.json")
check "the recording is uploaded to node B: 202" '[ "$code" = 202 ] && grep -q success_capture_received "$T/upload.out"' \
    "($code $(head -c 300 "$T/upload.out"))"
owners1=""
wait_for 120 'st=$(state "$TXN1"); o=${st#*|}; [ -z "$o" ] || [[ " $owners1 " == *" $o "* ]] || owners1="$owners1 $o"; [ "${st%%|*}" -ge 3 ]'
echo "     (session 1 analysed under the lease of:$owners1)"
code_a=$(results "$A_URL" "$TXN1" "$R1" "$T/r1a.json")
code_b=$(results "$B_URL" "$TXN1" "$R1" "$T/r1b.json")
code_n1=$(results "$LB" "$TXN1" "$R1" "$T/r1n1.json")
code_n2=$(results "$LB" "$TXN1" "$R1" "$T/r1n2.json")
check "the analysis ends done: results from A, B and twice through nginx (200 each)" \
    '[ "$code_a$code_b$code_n1$code_n2" = 200200200200 ] &&
     [ "$(jget "$T/r1a.json" "d[\"responseKey\"]")" = success_video_liveness_results ]' \
    "($code_a $code_b $code_n1 $code_n2 $(head -c 300 "$T/r1a.json"))"
same() { jget "$1" 'json.dumps({k: d["data"][k] for k in ("liveliness", "staticRisk", "prerecordedRisk", "audioMatchResults", "details")}, sort_keys=True)'; }
check "every node answers the same results" \
    '[ -n "$(same "$T/r1a.json")" ] && [ "$(same "$T/r1a.json")" = "$(same "$T/r1b.json")" ] &&
     [ "$(same "$T/r1a.json")" = "$(same "$T/r1n1.json")" ] && [ "$(same "$T/r1a.json")" = "$(same "$T/r1n2.json")" ]'
check "... liveliness yes for the person who did the challenge" '[ "$(jget "$T/r1a.json" "d[\"data\"][\"liveliness\"]")" = yes ]' \
    "($(jget "$T/r1a.json" 'd["data"]["details"]'))"
check "nginx sent the results requests to both nodes ($(upstreams "^/v2/kyc/forensics/active_video_liveness/$TXN1\$"))" \
    '[ "$(upstreams "^/v2/kyc/forensics/active_video_liveness/$TXN1\$" | wc -w)" = 2 ]'
IMG=$(jget "$T/r1a.json" 'd["data"]["videoFaceMatchResults"][0]["finalMatchImage"]')
ORIG=$(jget "$T/r1a.json" 'd["data"]["videoFaceMatchResults"][0]["originalImage"]')
imgs=""
for u in "$IMG" "$IMG" "${IMG/$LB/$A_URL}" "${IMG/$LB/$B_URL}" "${ORIG/$LB/$A_URL}" "${ORIG/$LB/$B_URL}"; do
    imgs="$imgs $(curl -s -m 30 -o "$T/img.jpg" -w '%{http_code}' "$u")"
done
check "the signed image links are on nginx's address and verify on either node ($imgs)" \
    '[[ "$IMG" == "$LB/media/"* ]] && [ "$imgs" = " 200 200 200 200 200 200" ]'

# ---- both outboxes deliver, each callback once -----------------------------------
part "20 callbacks queued at once"
# Outbox rows as a finished analysis leaves them (store_job_finish), all due
# now; the receiver takes 0.2 s per answer, so both nodes' delivery threads
# get some.
wait_for 60 '[ "$(store_sql "$V" "SELECT count(*) FROM outbox WHERE delivered_ms > 0")" = 1 ]'
store_sql "$V" "INSERT INTO outbox (txn, client_id, url, body, attempts, next_ms, delivered_ms, last_status, last_error)
    SELECT 'MNQ' || g, '$CID', 'http://127.0.0.1:$RPORT/queued', '{\"decentroTxnId\":\"MNQ' || g || '\"}', 0, $(now_ms), 0, 0, ''
    FROM generate_series(1, 20) g" >/dev/null
wait_for 60 '[ "$(store_sql "$V" "SELECT count(*) FROM outbox WHERE txn LIKE '"'MNQ%'"' AND delivered_ms > 0")" = 20 ]'
byA=$(grep -c '"msg":"callback".*"decentroTxnId":"MNQ[0-9]*".*"result":"delivered"' "$T/A.log")
byB=$(grep -c '"msg":"callback".*"decentroTxnId":"MNQ[0-9]*".*"result":"delivered"' "$T/B.log")
check "all 20 delivered, by both nodes (A $byA, B $byB)" '[ "$((byA + byB))" = 20 ] && [ "$byA" -ge 1 ] && [ "$byB" -ge 1 ]' \
    "($(grep -h '"msg":"callback"' "$T/A.log" "$T/B.log" | head -n 2))"
"$CLI" credentials callback-key "$CID" $(store_opts "$V") >"$T/key.json"
KEY=$(field "$T/key.json" callback_key)
cat >"$T/verify.py" <<'EOF'
import glob, hashlib, hmac, json, sys
key, rx = bytes.fromhex(sys.argv[1]), sys.argv[2]
n = 0
for p in glob.glob(rx + "/*.json"):
    h = json.load(open(p))["headers"]
    body = open(p[:-len(".json")] + ".body", "rb").read()
    sig = dict(kv.split("=", 1) for kv in h["X-Livecheck-Signature"].split(","))
    mac = hmac.new(key, sig["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, sig["v1"]), "%s does not verify" % p
    n += 1
print(n)
EOF
nv=$(python3 "$T/verify.py" "$KEY" "$T/rx" 2>&1)
check "every callback so far ($nv), from either node, verifies with the client's one callback key" '[ "$nv" = 21 ]' "($nv)"

# ---- node A killed during an analysis ---------------------------------------------
part "node A killed in the middle of an analysis"
R2=$(ref)
code=$(initiate "$LB" "$R2")
TXN2=$(jget "$T/init.out" 'd["decentroTxnId"]')
TOK2=$(jget "$T/init.out" 'd["videoLivenessUrl"].split("/capture/")[1]')
curl -s -m 30 -o "$T/s2.json" "$LB/v2/capture/$TOK2"
check "a second session, initiated through nginx" '[ "$code" = 200 ] && [ -n "$TOK2" ] && grep -q prompts "$T/s2.json"' \
    "($code $(head -c 300 "$T/init.out"))"
# B paused, so that A takes the job (both poll the queue).
kill -STOP "$B_PID"
code=$(upload "$A_URL" "$TOK2" "$T/s2.json")
wait_for 60 '[ "$(state "$TXN2")" = "2|A" ]'
st=$(state "$TXN2")
kill -9 "$A_PID"
wait "$A_PID" 2>/dev/null
KILLED_MS=$(now_ms)
LEASE_UNTIL=$(store_sql "$V" "SELECT lease_until_ms FROM sessions WHERE txn = '$TXN2'")
st2=$(state "$TXN2")
kill -CONT "$B_PID"
check "upload to node A (202); A killed with SIGKILL while its analysis runs (state processing, lease A)" \
    '[ "$code" = 202 ] && [ "$st" = "2|A" ] && [ "$st2" = "2|A" ] && ! alive "$A_PID"' "($code, $st then $st2)"
owners2=""
wait_for 120 'st=$(state "$TXN2"); o=${st#*|}; [ -z "$o" ] || [[ " $owners2 " == *" $o "* ]] || owners2="$owners2 $o"; [ "${st%%|*}" -ge 3 ]'
FIN=$(store_sql "$V" "SELECT state || '|' || finished_ms FROM sessions WHERE txn = '$TXN2'")
check "node B claims the job once A's lease ran out (${LEASE} s) and finishes it (leases seen:$owners2)" \
    '[ "${FIN%%|*}" = 3 ] && [ "${FIN#*|}" -gt "$LEASE_UNTIL" ] && [ "$owners2" = " A B" ]' \
    "($FIN, lease until $LEASE_UNTIL, killed at $KILLED_MS)"
codes=""
for u in "$B_URL" "$LB" "$LB"; do codes="$codes $(results "$u" "$TXN2" "$R2" "$T/r2.json"):$(jget "$T/r2.json" 'd["responseKey"]')"; done
check "its results, from B and through nginx with A gone ($codes)" \
    '[ "$codes" = " 200:success_video_liveness_results 200:success_video_liveness_results 200:success_video_liveness_results" ]'

# ---- every callback exactly once ----------------------------------------------------
part "callbacks"
wait_for 60 '[ -n "$(grep -l "\"txn\": \"$TXN2\"" "$T/rx"/*.json 2>/dev/null)" ]'
sleep 3 # a second delivery would come now, were one to come
cat >"$T/count.py" <<'EOF'
import collections, glob, json, sys
rx, want = sys.argv[1], sys.argv[2:]
per = collections.Counter()
bad = 0
for p in glob.glob(rx + "/*.json"):
    r = json.load(open(p))
    per[r["txn"]] += 1
    bad += not 200 <= r["status"] <= 299
dup = sorted(t for t, c in per.items() if c != 1)
missing = sorted(t for t in want if t not in per)
print("%d POSTs, %d decentroTxnIds, duplicates %s, missing %s, not 2xx %d" % (sum(per.values()), len(per), dup, missing, bad))
sys.exit(0 if not dup and not missing and not bad and len(per) == len(want) else 1)
EOF
want=("$TXN1" "$TXN2")
for i in $(seq 1 20); do want+=("MNQ$i"); done
out=$(python3 "$T/count.py" "$T/rx" "${want[@]}")
rc=$?
check "every callback delivered exactly once, all answered 2xx ($out)" '[ "$rc" = 0 ]'
rows=$(store_sql "$V" "SELECT count(*) || '|' || sum(CASE WHEN delivered_ms > 0 AND attempts = 1 AND last_status = 200 THEN 1 ELSE 0 END) FROM outbox")
check "the outbox: 22 rows, each delivered at its first attempt ($rows)" '[ "$rows" = "22|22" ]'

kill -TERM "$B_PID"
wait "$B_PID"
rc=$?
check "node B exits 0 on SIGTERM" '[ "$rc" = 0 ]' "(exit $rc: $(tail -n 5 "$T/B.err"))"
kill -QUIT "$NGINX_PID" 2>/dev/null
wait "$NGINX_PID" 2>/dev/null

echo "multinode: took $((SECONDS - T0)) s"
check_done multinode
