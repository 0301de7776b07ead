# tests/lib/store.sh - the store behind a test's livecheckd and CLI
# (sourced by the tests that start livecheckd).
#
# A test names each store by a directory, as it always has. Without env
# LC_STORE_URL (or with one that is not postgres://), the directory is the
# store: SQLite, DIR/livecheck.db. With LC_STORE_URL=postgres://... or
# postgresql://... (scripts/pg-test.sh sets it; make test-pg), each
# directory gets a database of its own on that server, lc_t_<hash of
# DIR>, made on first use: a fresh directory is a fresh store either way.
#
#   store_opts DIR        livecheckd's and the CLI's options for DIR's store
#                         (unquoted: "$LCD" $(store_opts "$T/var") ...):
#                         --data-dir DIR, or with PostgreSQL --data-dir URL
#                         --key-file DIR/server.key (livecheckd wants a key
#                         file with a shared store; this one is where it
#                         would be with SQLite)
#   store_url DIR         what --data-dir takes for DIR
#   store_sql DIR SQL     run SQL on DIR's store; rows as the sqlite3 CLI
#                         prints them (a|b, no header, NULL as "")
#   store_copy SRC DST    copy SRC's store into DST (new), the running
#                         livecheckd on SRC notwithstanding
#   store_kind            "sqlite" or "postgres"
#   store_hex EXPR        SQL for a blob's bytes as upper-case hex: hex()
#                         in SQLite, upper(encode(..., 'hex')) in PostgreSQL
#   store_cleanup         drop the databases made (from the EXIT trap)

_store_pg() {
    case ${LC_STORE_URL:-} in postgres://* | postgresql://*) return 0 ;; esac
    return 1
}

store_kind() { if _store_pg; then echo postgres; else echo sqlite; fi; }

store_hex() {
    if _store_pg; then echo "upper(encode($1, 'hex'))"; else echo "hex($1)"; fi
}

if _store_pg; then
    _STORE_DBS=$(mktemp "${TMPDIR:-/tmp}/lc-store-dbs-XXXXXX")
fi

_store_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# LC_STORE_URL with its database replaced by $1.
_store_url_db() {
    local u=$LC_STORE_URL scheme rest query=""
    scheme=${u%%://*}
    rest=${u#*://}
    case $rest in *\?*) query="?${rest#*\?}" rest=${rest%%\?*} ;; esac
    printf '%s://%s/%s%s\n' "$scheme" "${rest%%/*}" "$1" "$query"
}

store_url() {
    if ! _store_pg; then
        printf '%s\n' "$1"
        return 0
    fi
    local db
    db=lc_t_$(printf '%s' "$1" | md5sum | cut -c1-16)
    if ! grep -qx "$db" "$_STORE_DBS"; then
        if [ -z "$(_store_psql -A -t "$LC_STORE_URL" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
            _store_psql "$LC_STORE_URL" -c "CREATE DATABASE $db" >/dev/null || return 1
        fi
        echo "$db" >>"$_STORE_DBS"
    fi
    _store_url_db "$db"
}

store_opts() {
    local u
    u=$(store_url "$1") || return 1
    case $1$u in *[[:space:]]*)
        echo "store_opts: no spaces, please: $1" >&2
        return 1
        ;;
    esac
    if _store_pg; then
        mkdir -p "$1"
        printf -- '--data-dir %s --key-file %s/server.key\n' "$u" "$1"
    else
        printf -- '--data-dir %s\n' "$u"
    fi
}

store_sql() {
    if _store_pg; then
        _store_psql -A -t -F '|' "$(store_url "$1")" -c "$2"
    else
        sqlite3 "$1/livecheck.db" "$2"
    fi
}

store_copy() {
    mkdir -p "$2"
    if _store_pg; then
        pg_dump --no-owner --no-privileges "$(store_url "$1")" |
            _store_psql "$(store_url "$2")" >/dev/null
    else
        sqlite3 "$1/livecheck.db" ".backup '$2/livecheck.db'"
    fi
}

store_cleanup() {
    [ -n "${_STORE_DBS:-}" ] && [ -f "$_STORE_DBS" ] || return 0
    local db
    while read -r db; do
        _store_psql "$LC_STORE_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    done <"$_STORE_DBS"
    rm -f "$_STORE_DBS"
}
