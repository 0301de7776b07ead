#!/usr/bin/env python3
"""tests/lib/callback_rx.py - a callback receiver for the tests that count
deliveries (tests/multinode.sh, tests/reliability.sh).

    python3 tests/lib/callback_rx.py OUTDIR PORTFILE [--slow SECONDS]
        [--hold-first SECONDS]

Listens on 127.0.0.1 (a free port) and answers every POST 200. PORTFILE
gets "PORT PID" once it listens. Request i (from 1) is saved as
OUTDIR/i.json {"path", "headers", "txn" (the body's decentroTxnId, "" when
absent), "status", "t" (unix seconds, received)} and OUTDIR/i.body, each
.json written whole (renamed into place) before the answer is sent.
  --slow S        every answer waits S seconds (so deliveries take time and
                  several senders compete)
  --hold-first S  the first POST is recorded, OUTDIR/held is written, and
                  its answer waits S seconds: a test kills the sender in
                  that window (the receiver has the callback; the sender
                  has not recorded it)
"""
import http.server
import json
import os
import sys
import threading
import time

out, portfile = sys.argv[1], sys.argv[2]
slow = hold_first = 0.0
args = sys.argv[3:]
while args:
    if args[0] == "--slow":
        slow = float(args[1])
    elif args[0] == "--hold-first":
        hold_first = float(args[1])
    else:
        sys.exit("callback_rx: unknown option " + args[0])
    args = args[2:]

lock = threading.Lock()
count = [0]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            txn = json.loads(body).get("decentroTxnId", "")
        except ValueError:
            txn = ""
        with lock:
            count[0] += 1
            i = count[0]
            with open(os.path.join(out, "%d.body" % i), "wb") as f:
                f.write(body)
            tmp = os.path.join(out, "%d.json.tmp" % i)
            with open(tmp, "w") as f:
                json.dump({"path": self.path, "txn": txn, "status": 200,
                           "t": time.time(),
                           "headers": dict(self.headers.items())}, f)
            os.rename(tmp, os.path.join(out, "%d.json" % i))
        if i == 1 and hold_first > 0:
            with open(os.path.join(out, "held"), "w") as f:
                f.write("%d\n" % i)
            time.sleep(hold_first)
        elif slow > 0:
            time.sleep(slow)
        try:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass  # the sender is gone (killed while we held the answer)

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write("%d %d\n" % (srv.server_address[1], os.getpid()))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
