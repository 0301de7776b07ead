#!/usr/bin/env bash
# tests/install.sh - `make install DESTDIR=... PREFIX=/usr` into a temporary
# root: the files are where docs/operations.md says, the installed binaries
# run, the installed configuration loads and names the installed paths,
# dist/livecheckd.conf.example lists every setting with its real default,
# the installed livecheckd serves the installed web/ with it, a second
# install keeps an edited configuration, `make uninstall` removes what
# install put there, and systemd-analyze verify accepts the unit (skipped,
# with a message, where systemd-analyze is missing).
# The last line is "install: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/store.sh # store_opts, store_copy: SQLite or LC_STORE_URL
B=${LC_BUILD:-build}
MODELS=${LC_MODELS:-models}
T=$(mktemp -d)
R=$T/root
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    store_cleanup
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib/check.sh

# B is passed on (make test and make asan use their own build dirs); when
# run from make, the caller's CFLAGS travel in MAKEFLAGS, so nothing is
# rebuilt differently.
inst() { make --no-print-directory -s B="$B" DESTDIR="$R" PREFIX=/usr "$@" >"$T/make.out" 2>&1; }

if inst install; then
    ok "make install DESTDIR=... PREFIX=/usr"
else
    bad "make install ($(tail -n 5 "$T/make.out"))"
fi

for f in usr/bin/livecheck usr/bin/livecheckd; do
    check "$f installed, executable" '[ -x "$R/$f" ] && [ -f "$R/$f" ]'
done
for f in usr/share/livecheck/web/index.html usr/share/livecheck/web/openapi.json \
    usr/share/doc/livecheck/livecheckd.conf.example usr/share/doc/livecheck/operations.md \
    etc/livecheck/livecheckd.conf usr/lib/systemd/system/livecheckd.service; do
    check "$f installed" '[ -s "$R/$f" ]'
done
nweb=$(cd web && find . -type f | wc -l)
check "every file of web/ installed ($nweb)" \
    '[ "$(cd "$R/usr/share/livecheck/web" && find . -type f | wc -l)" -eq "$nweb" ]'
check "installed unit and configuration name /usr, not /usr/local" \
    '! grep -q /usr/local "$R/usr/lib/systemd/system/livecheckd.service" "$R/etc/livecheck/livecheckd.conf"'
check "the unit starts /usr/bin/livecheckd with /etc/livecheck/livecheckd.conf" \
    'grep -qx "ExecStart=/usr/bin/livecheckd --config /etc/livecheck/livecheckd.conf" "$R/usr/lib/systemd/system/livecheckd.service"'

LCD=$R/usr/bin/livecheckd
"$LCD" --help >"$T/help" 2>&1
check "installed livecheckd --help" '[ $? -eq 0 ] && grep -q -- "--listen" "$T/help"' "($(head -c 200 "$T/help"))"
"$LCD" --dump-api >"$T/api.json" 2>"$T/err"
rc=$?
"$B/livecheckd" --dump-api >"$T/api-build.json" 2>/dev/null
check "installed livecheckd --dump-api is the built one's" \
    '[ $rc -eq 0 ] && [ -s "$T/api.json" ] && cmp -s "$T/api.json" "$T/api-build.json"' "(exit $rc)"
"$R/usr/bin/livecheck" credentials list $(store_opts "$T/creds") >"$T/out" 2>&1
check "installed livecheck runs (credentials list on an empty store)" '[ $? -eq 0 ]' "($(head -c 200 "$T/out"))"

# The installed configuration loads and names the installed layout.
"$LCD" --config "$R/etc/livecheck/livecheckd.conf" --print-config >"$T/cfg.json" 2>"$T/err"
check "installed configuration loads" '[ $? -eq 0 ]' "($(cat "$T/err"))"
check "... data_dir /var/lib/livecheck, models and web under /usr/share/livecheck" \
    'grep -q "\"data_dir\":\"/var/lib/livecheck\"" "$T/cfg.json" &&
     grep -q "\"models_dir\":\"/usr/share/livecheck/models\"" "$T/cfg.json" &&
     grep -q "\"web_dir\":\"/usr/share/livecheck/web\"" "$T/cfg.json"' "($(cat "$T/cfg.json"))"

# Every setting of --help is in the example, and each commented value is
# the default: uncomment them all (but those marked "# example", whose
# default is empty or the machine's, and the installed paths the example
# sets) and the result is the default configuration.
ex=dist/livecheckd.conf.example
missing=
for name in $(sed -n 's/^  --\([a-z-]*\) .*/\1/p' "$T/help" | tr - _); do
    grep -qE "^#?$name = " "$ex" || missing="$missing $name"
done
check "dist/livecheckd.conf.example lists every setting of livecheckd --help" \
    '[ -z "$missing" ] && [ -n "$(sed -n "s/^  --//p" "$T/help")" ]' "(add to it, with the default:$missing)"
sed -E -e '/^[a-z_]+ = /d' -e '/^#[a-z_]+ = .*# example$/d' -e 's/^#([a-z_]+ = )/\1/' "$ex" >"$T/all.conf"
"$B/livecheckd" --config "$T/all.conf" --print-config >"$T/all.json" 2>"$T/err"
rc=$?
"$B/livecheckd" --print-config >"$T/default.json" 2>/dev/null
check "the example's commented values are the defaults" \
    '[ $rc -eq 0 ] && python3 -c "import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); d=[k for k in b if a.get(k)!=b[k]]; print(d) if d else None; sys.exit(1 if d else 0)" "$T/all.json" "$T/default.json"' \
    "($(cat "$T/err"))"

# The installed livecheckd serves the installed web/ (models and store from
# the test's own places).
if [ -f "$MODELS/fr_detect.onnx" ]; then
    "$LCD" --config "$R/etc/livecheck/livecheckd.conf" --listen 127.0.0.1:0 $(store_opts "$T/var") \
        --models-dir "$MODELS" --web-dir "$R/usr/share/livecheck/web" --log-file "$T/log" &
    pid=$!
    for _ in $(seq 1 600); do
        grep -q '"msg":"listening"' "$T/log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    addr=$(grep -o '"address":"[^"]*"' "$T/log" 2>/dev/null | cut -d'"' -f4)
    code=$(curl -s -o "$T/index" -w '%{http_code}' "http://$addr/" 2>/dev/null)
    check "installed livecheckd serves the installed try-it page" \
        '[ -n "$addr" ] && [ "$code" = 200 ] && cmp -s "$T/index" web/index.html' "(address '$addr', status $code)"
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    check "... and exits 0 on SIGTERM" '[ $? -eq 0 ]'
    pid=
else
    echo "skip the installed livecheckd serving: no models in $MODELS (make models)"
fi

# A second install keeps a configuration the operator edited.
echo "workers = 3" >>"$R/etc/livecheck/livecheckd.conf"
inst install
check "a second install keeps an edited configuration" \
    '[ $? -eq 0 ] && grep -qx "workers = 3" "$R/etc/livecheck/livecheckd.conf"' "($(tail -n 3 "$T/make.out"))"

# systemd-analyze verify: the unit as installed, with ExecStart pointed into
# the temporary root (verify checks that the binary is executable). Any
# warning fails it, not only errors (an unknown key is only a warning).
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$T/unit"
    sed "s|^ExecStart=/usr/bin/|ExecStart=$R/usr/bin/|" "$R/usr/lib/systemd/system/livecheckd.service" \
        >"$T/unit/livecheckd.service"
    SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$T/unit/livecheckd.service" >"$T/verify" 2>&1
    rc=$?
    check "systemd-analyze verify livecheckd.service: no error, no warning" \
        '[ $rc -eq 0 ] && [ ! -s "$T/verify" ]' "(exit $rc: $(head -c 400 "$T/verify"))"
else
    echo "skip systemd-analyze verify: systemd-analyze is not installed (no systemd here)"
fi

inst uninstall
check "make uninstall removes the binaries, the unit and web/, keeps the configuration" \
    '[ $? -eq 0 ] && [ ! -e "$R/usr/bin/livecheckd" ] && [ ! -e "$R/usr/bin/livecheck" ] &&
     [ ! -e "$R/usr/lib/systemd/system/livecheckd.service" ] && [ ! -e "$R/usr/share/livecheck/web" ] &&
     [ -f "$R/etc/livecheck/livecheckd.conf" ]'

check_done install
