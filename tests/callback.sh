#!/usr/bin/env bash
# tests/callback.sh - the callback outbox (spec/api.md 3d) end to end: a
# real livecheckd on loopback (random port, temporary SQLite store) and a
# python3 receiver on 127.0.0.1 that answers 500 to the first two POSTs
# and 200 after, recording every request (path, headers, body, the status
# it answered). A callback is queued the way a finished analysis leaves
# it: a row in the store's outbox table (schema v2), written here with
# the sqlite3 CLI. Shown:
#   - the first two attempts fail, livecheckd is killed (SIGKILL) with the
#     row still owed and started again, the third attempt succeeds; exactly
#     one delivery is answered 2xx and none follows it; the row says
#     attempts 3, delivered, status 200;
#   - every attempt carries the same body and X-Livecheck-Delivery, its
#     own X-Livecheck-Attempt, and an X-Livecheck-Signature that verifies
#     (python hmac) with the key `livecheck credentials callback-key`
#     prints; with another client's key it does not;
#   - a second livecheckd without the allow-list never contacts callback
#     URLs on loopback (by address or by name), private or link-local
#     addresses: the receiver sees nothing, the rows give up after
#     callback_retries attempts with the refusal recorded;
#   - end to end: initiate with a callback_url, a recording composed for the
#     session's challenge uploaded to the capture link, the analysis, and
#     its callback: once, signed, with the session's decentroTxnId and
#     reference_id and what the results endpoint answers.
# The last line is "callback: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/store.sh # store_opts, store_sql: SQLite or LC_STORE_URL
B=${LC_BUILD:-build}
LCD=$B/livecheckd
CLI=$B/livecheck
MODELS=${LC_MODELS:-models}
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    store_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib/check.sh
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- the receiver (127.0.0.1 only) -----------------------------------------
# Request i (from 1) is saved as $T/rx/i.json {path, headers, status} and
# $T/rx/i.body; the first FAILS requests to /hook are answered 500.
mkdir -p "$T/rx"
cat >"$T/rx.py" <<'EOF'
import http.server, json, os, sys, threading
out, portfile, fails = sys.argv[1], sys.argv[2], int(sys.argv[3])
lock = threading.Lock()
n = {"all": 0, "hook": 0}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            n["all"] += 1
            i = n["all"]
            status = 200
            if self.path.startswith("/hook"):
                n["hook"] += 1
                if n["hook"] <= fails:
                    status = 500
            with open(os.path.join(out, "%d.body" % i), "wb") as f:
                f.write(body)
            with open(os.path.join(out, "%d.json.tmp" % i), "w") as f:
                json.dump({"path": self.path, "status": status,
                           "headers": {k: v for k, v in self.headers.items()}}, f)
            os.rename(os.path.join(out, "%d.json.tmp" % i),
                      os.path.join(out, "%d.json" % i))
        msg = b"ok" if status == 200 else b"try again"
        self.send_response(status)
        self.send_header("Content-Length", str(len(msg)))
        self.end_headers()
        self.wfile.write(msg)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write("%d %d\n" % (srv.server_address[1], os.getpid()))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
EOF
# (started in a subshell, not as a job of this shell: no "Killed" notice
# at the end)
(python3 "$T/rx.py" "$T/rx" "$T/rx.port" 2 2>"$T/rx.err" &)
wait_for 10 '[ -s "$T/rx.port" ]'
read -r RPORT RPID <"$T/rx.port" 2>/dev/null
PIDS+=("${RPID:-}")
check "the receiver listens on 127.0.0.1" '[ -n "$RPORT" ]' "$(cat "$T/rx.err")"
received() { ls "$T/rx" | grep -c '\.json$'; }
# hooks: requests to /hook received so far.
hooks() { grep -l '"path": "/hook' "$T/rx"/*.json 2>/dev/null | wc -l; }

# ---- livecheckd -------------------------------------------------------------
# start NAME DATADIR ARGS...: start livecheckd, wait for "listening", set
# ${NAME}_PID.
start() {
    local name=$1 dir=$2
    shift 2
    : >"$T/$name.log"
    "$LCD" --listen 127.0.0.1:0 $(store_opts "$dir") --models-dir "$MODELS" --web-dir web \
        --log-file "$T/$name.log" "$@" 2>>"$T/$name.err" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 300); do
        grep -q '"msg":"listening"' "$T/$name.log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    local addr
    addr=$(grep -o '"address":"[^"]*"' "$T/$name.log" 2>/dev/null | tail -n 1 | cut -d'"' -f4)
    printf -v "${name}_URL" 'http://%s' "$addr"
    printf -v "${name}_PID" '%s' "$pid"
}
sql() { store_sql "$1" "$2"; }
field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
# queue DATADIR TXN CLIENT URL BODY: the outbox row a finished analysis
# leaves (store_job_finish), due now.
queue() {
    sql "$1" "INSERT INTO outbox (txn, client_id, url, body, attempts, next_ms,
        delivered_ms, last_status, last_error) VALUES ('$2', '$3', '$4', '$5',
        0, $(now_ms), 0, 0, '')"
}

V=$T/var
"$CLI" credentials create $(store_opts "$V") --label callback >"$T/cred.json"
"$CLI" credentials create $(store_opts "$V") --label other >"$T/cred2.json"
CID=$(field "$T/cred.json" client_id)
CID2=$(field "$T/cred2.json" client_id)
check "credentials for two clients" '[ -n "$CID" ] && [ -n "$CID2" ]'
TXN=CB$(od -An -N15 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)
BODY='{"decentroTxnId":"'$TXN'","status":"SUCCESS","responseCode":"S00000","message":"Video liveness results fetched successfully.","responseKey":"success_video_liveness_results","reference_id":"cb-ref-1","data":{"liveliness":"yes","staticRisk":"false","prerecordedRisk":"false","audioMatchResults":{"matchScore":100}}}'
queue "$V" "$TXN" "$CID" "http://127.0.0.1:$RPORT/hook?client=1" "$BODY"
check "the callback is queued" '[ "$(sql "$V" "SELECT count(*) FROM outbox WHERE txn = '"'$TXN'"' AND delivered_ms = 0")" = 1 ]'

# 127.0.0.1 allowed (the receiver); retries 1.5 s, then 3 s.
printf 'fetch_allow = 127.0.0.1/32\ncallback_backoff_ms = 1500\ncallback_retries = 5\n' >"$T/allow.conf"
start main "$V" --config "$T/allow.conf"
check "livecheckd starts" '[ -n "${main_PID:-}" ] && kill -0 $main_PID' \
    "$(tail -n 3 "$T/main.err" "$T/main.log" 2>/dev/null)"
attempts() { sql "$V" "SELECT attempts FROM outbox WHERE txn = '$TXN'"; }
wait_for 15 '[ "$(attempts)" = 2 ]'
check "the first two attempts fail (receiver answered 500 twice; row attempts 2, not delivered)" \
    '[ "$(hooks)" = 2 ] && [ "$(sql "$V" "SELECT attempts, delivered_ms, last_status FROM outbox WHERE txn = '"'$TXN'"'")" = "2|0|500" ]' \
    "($(hooks) hooks, row $(sql "$V" "SELECT attempts, delivered_ms, last_status, next_ms FROM outbox"))"
kill -9 "$main_PID"
wait "$main_PID" 2>/dev/null
check "livecheckd killed with SIGKILL while the callback is still owed" \
    '! kill -0 $main_PID 2>/dev/null && [ "$(sql "$V" "SELECT delivered_ms FROM outbox WHERE txn = '"'$TXN'"'")" = 0 ]'
cp "$T/main.log" "$T/main-1.log"
start main "$V" --config "$T/allow.conf"
check "livecheckd starts again on the same store" '[ -n "${main_PID:-}" ] && kill -0 $main_PID' \
    "$(tail -n 3 "$T/main.err" "$T/main.log" 2>/dev/null)"
wait_for 20 '[ "$(sql "$V" "SELECT CASE WHEN delivered_ms > 0 THEN 1 ELSE 0 END FROM outbox WHERE txn = '"'$TXN'"'")" = 1 ]'
sleep 4 # long enough for a further attempt, were one to come
row=$(sql "$V" "SELECT attempts, CASE WHEN delivered_ms > 0 THEN 1 ELSE 0 END, last_status, next_ms FROM outbox WHERE txn = '$TXN'")
check "after the restart: delivered, attempts 3, last status 200 ($row)" '[ "$row" = "3|1|200|0" ]'
oks=$(grep -l '"status": 200' "$T/rx"/*.json 2>/dev/null | wc -l)
check "exactly three POSTs and exactly one answered 2xx ($(hooks) POSTs, $oks 2xx)" \
    '[ "$(hooks)" = 3 ] && [ "$(received)" = 3 ] && [ "$oks" = 1 ] && grep -q "\"status\": 200" "$T/rx/3.json"'
check "one JSON log line per attempt: two retries before the kill, the delivery after" \
    '[ "$(grep -c "\"msg\":\"callback\".*\"result\":\"retry\"" "$T/main-1.log")" = 2 ] &&
     [ "$(grep -c "\"msg\":\"callback\".*\"result\":\"delivered\"" "$T/main.log")" = 1 ] &&
     [ "$(grep -c "\"msg\":\"callback\"" "$T/main.log")" = 1 ]'

# ---- the signature ------------------------------------------------------------
"$CLI" credentials callback-key "$CID" $(store_opts "$V") >"$T/key.json"
"$CLI" credentials callback-key "$CID2" $(store_opts "$V") >"$T/key2.json"
KEY=$(field "$T/key.json" callback_key)
KEY2=$(field "$T/key2.json" callback_key)
check "credentials callback-key prints 64 hex, the header and the scheme" \
    '[[ "$KEY" =~ ^[0-9a-f]{64}$ ]] && [ "$KEY" != "$KEY2" ] &&
     grep -q "\"header\": \"X-Livecheck-Signature\"" "$T/key.json" &&
     grep -q "\"scheme\": \"t=<unix>,v1=hex(HMAC-SHA256(callback_key, t + \\\\\".\\\\\" + body))\"" "$T/key.json"' \
    "$(cat "$T/key.json")"
# The client's side, as docs/api.md shows it.
cat >"$T/verify.py" <<'EOF'
import hashlib, hmac, json, sys, time
key, rx, n, body_want = bytes.fromhex(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ids = set()
for i in range(1, n + 1):
    h = json.load(open("%s/%d.json" % (rx, i)))["headers"]
    body = open("%s/%d.body" % (rx, i), "rb").read()
    assert body.decode() == body_want, "body %d differs" % i
    assert h["Content-Type"] == "application/json", h
    assert h["X-Livecheck-Attempt"] == str(i), h
    ids.add(h["X-Livecheck-Delivery"])
    sig = dict(p.split("=", 1) for p in h["X-Livecheck-Signature"].split(","))
    t = sig["t"]
    assert abs(int(t) - time.time()) < 120, t
    mac = hmac.new(key, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, sig["v1"]), "signature %d does not verify" % i
assert len(ids) == 1 and ids.pop().isdigit(), ids
print("verified")
EOF
out=$(python3 "$T/verify.py" "$KEY" "$T/rx" 3 "$BODY" 2>&1)
check "each attempt: same body and X-Livecheck-Delivery, X-Livecheck-Attempt 1..3, signature verifies with the callback key" \
    '[ "$out" = verified ]' "($out)"
out2=$(python3 "$T/verify.py" "$KEY2" "$T/rx" 3 "$BODY" 2>&1)
check "another client's callback key does not verify it" '[[ "$out2" == *"does not verify"* ]]' "($out2)"

# ---- no allow-list: private callback URLs are never contacted ------------------
V2=$T/var2
"$CLI" credentials create $(store_opts "$V2") --label strict >"$T/cred3.json"
CID3=$(field "$T/cred3.json" client_id)
before=$(received)
queue "$V2" PRIV1 "$CID3" "http://127.0.0.1:$RPORT/private-ip" '{"a":1}'
queue "$V2" PRIV2 "$CID3" "http://localhost:$RPORT/private-name" '{"a":2}'
queue "$V2" PRIV3 "$CID3" "http://10.0.0.1:$RPORT/private-10" '{"a":3}'
queue "$V2" PRIV4 "$CID3" "http://169.254.169.254/latest/meta-data/" '{"a":4}'
start strict "$V2" --callback-retries 2 --callback-backoff-ms 200
check "a second livecheckd without the allow-list starts" '[ -n "${strict_PID:-}" ] && kill -0 $strict_PID' \
    "$(tail -n 3 "$T/strict.err" "$T/strict.log" 2>/dev/null)"
wait_for 15 '[ "$(sql "$V2" "SELECT count(*) FROM outbox WHERE next_ms = 0")" = 4 ]'
rows=$(sql "$V2" "SELECT txn, attempts, delivered_ms, last_status, CASE WHEN last_error LIKE 'denied:%' THEN 1 ELSE 0 END FROM outbox ORDER BY txn" | tr '\n' ' ')
check "private, loopback (address and name) and link-local callbacks: refused, given up after 2 attempts" \
    '[ "$rows" = "PRIV1|2|0|0|1 PRIV2|2|0|0|1 PRIV3|2|0|0|1 PRIV4|2|0|0|1 " ]' "($rows)"
check "the receiver never saw them" '[ "$(received)" = "$before" ] && ! grep -q private "$T/rx"/*.json'
check "each refused attempt is logged" \
    '[ "$(grep -c "\"msg\":\"callback\".*\"result\":\"gave_up\".*\"error\":\"denied: " "$T/strict.log")" = 4 ]'
kill "$strict_PID" 2>/dev/null
wait "$strict_PID" 2>/dev/null

# ---- end to end: a real session's callback ----------------------------------
# initiate with a callback_url, the capture page's calls by curl with a
# recording composed for the session's challenge (tests/lib/capture_media.sh),
# the analysis, then the callback: the results envelope with the session's
# ids, signed, delivered once; the results endpoint says the same.
DEV=${LC_DEV_DATA:-../shared/data/dev}
PURPOSE="for bank verification only"
E2E_REF="cb-e2e-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
AUTH=(-H "client_id: $CID" -H "client_secret: $(field "$T/cred.json" client_secret)"
    -H "module_secret: $(field "$T/cred.json" module_secret)")
ffmpeg -nostdin -v error -y -ss 20.0 -i "$DEV/videos/replay-pair-real.mp4" -frames:v 1 -q:v 2 "$T/ref.jpg"
python3 - "$T/init.json" "$E2E_REF" "$PURPOSE" "http://127.0.0.1:$RPORT/e2e?session=1" "$T/ref.jpg" <<'EOF2'
import base64, json, sys
out, ref, purpose, cb, photo = sys.argv[1:]
json.dump({"consent": True, "purpose": purpose, "reference_id": ref, "redirect_url": "",
           "callback_url": cb, "face_image_urls": [],
           "face_image_base64s": [base64.b64encode(open(photo, "rb").read()).decode()]}, open(out, "w"))
EOF2
code=$(curl -s -o "$T/init.out" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/json' \
    --data @"$T/init.json" "$main_URL/v2/kyc/forensics/active_video_liveness/initiate")
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@" 2>/dev/null; }
E2E_TXN=$(jq_ "$T/init.out" 'd["decentroTxnId"]')
LINK=$(jq_ "$T/init.out" 'd["videoLivenessUrl"]')
TOKEN=${LINK##*/}
check "initiate with a callback_url (HTTP $code)" '[ "$code" = 200 ] && [ -n "$TOKEN" ]' "($(head -c 300 "$T/init.out"))"
curl -s -o "$T/session.out" "$main_URL/v2/capture/$TOKEN"
CH=$(jq_ "$T/session.out" '",".join(("digits=" + p["digits"] if p["kind"] == "digits" else p["kind"]) + "@%.2f-%.2f" % (p["start"], p["end"]) for p in d["data"]["prompts"])')
mkdir -p "$T/media"
tests/lib/capture_media.sh "$CH" "$T/media" >"$T/media.log" 2>&1
META=$(python3 -c 'import json,sys,time; d=json.load(open(sys.argv[1]))["data"]; print(json.dumps({"recordingStartedAt": int(time.time()*1000), "prompts": [{"kind": p["kind"], "start": p["start"], "end": p["end"]} for p in d["prompts"]], "location": None, "mimeType": "video/webm", "userAgent": "tests/callback.sh"}))' "$T/session.out")
code=$(curl -s -o "$T/upload.out" -w '%{http_code}' -F "video=@$T/media/capture.webm;type=video/webm;filename=capture.webm" \
    -F "meta=$META" "$main_URL/v2/capture/$TOKEN")
check "a recording for the challenge ($CH) is uploaded (HTTP $code)" '[ "$code" = 202 ]' \
    "($(head -c 300 "$T/upload.out") $(tail -n 3 "$T/media.log"))"
e2e() { grep -l '"path": "/e2e' "$T/rx"/*.json 2>/dev/null; }
wait_for 300 '[ -n "$(e2e)" ]'
sleep 2 # a second delivery would come now, were it to come
printf '{"consent": true, "purpose": "%s", "reference_id": "%s"}' "$PURPOSE" "$E2E_REF" >"$T/resq.json"
curl -s -o "$T/results.out" "${AUTH[@]}" -H 'Content-Type: application/json' --data @"$T/resq.json" \
    "$main_URL/v2/kyc/forensics/active_video_liveness/$E2E_TXN"
cat >"$T/e2e.py" <<'EOF2'
import hashlib, hmac, json, sys
key, req, txn, ref, results = bytes.fromhex(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
h = json.load(open(req))["headers"]
body = open(req[:-len(".json")] + ".body", "rb").read()
sig = dict(p.split("=", 1) for p in h["X-Livecheck-Signature"].split(","))
mac = hmac.new(key, sig["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
assert hmac.compare_digest(mac, sig["v1"]), "signature does not verify"
assert h["X-Livecheck-Attempt"] == "1", h
cb, res = json.loads(body), json.load(open(results))
assert cb["decentroTxnId"] == txn and cb["reference_id"] == ref, cb
assert cb["responseKey"] == res["responseKey"] == "success_video_liveness_results", (cb, res)
for k in ("liveliness", "staticRisk", "prerecordedRisk", "audioMatchResults"):
    assert cb["data"][k] == res["data"][k], (k, cb["data"][k], res["data"][k])
assert cb["data"]["videoFaceMatchResults"][0]["results"] == res["data"]["videoFaceMatchResults"][0]["results"]
print("verified", cb["data"]["liveliness"])
EOF2
n_e2e=$(e2e | wc -l)
out=$(python3 "$T/e2e.py" "$KEY" "$(e2e | head -n 1)" "$E2E_TXN" "$E2E_REF" "$T/results.out" 2>&1)
check "the session's callback arrives once, signed, with its decentroTxnId, reference_id and the results ($out)" \
    '[ "$n_e2e" = 1 ] && [[ "$out" == verified* ]]' "($n_e2e callbacks; $(head -c 400 "$T/results.out"))"
row=$(sql "$V" "SELECT attempts, CASE WHEN delivered_ms > 0 THEN 1 ELSE 0 END, last_status FROM outbox WHERE txn = '$E2E_TXN'")
check "its outbox row: delivered at the first attempt ($row)" '[ "$row" = "1|1|200" ]'
kill "$main_PID" 2>/dev/null
wait "$main_PID" 2>/dev/null

check_done callback
