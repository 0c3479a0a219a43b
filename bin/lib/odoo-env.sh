# Sourced by bin/test and bench/run: a PostgreSQL server for Odoo and an Odoo config file.
#
# Without O2C_DB_HOST it starts a throwaway cluster from the installed PostgreSQL binaries
# (as a non-root user) and removes it on exit; with O2C_DB_HOST it uses that server.
# Needs ROOT and PYTHON; sets WORK, DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, CONF and exports
# O2C_ODOO_CONF and O2C_PYTHON; defines note().
note() { printf '\n== %s\n' "$*"; }
# ---------------------------------------------------------------- PostgreSQL
WORK=$(mktemp -d /tmp/o2c-test.XXXXXX)
chmod 755 "$WORK"
if [ -n "${O2C_DB_HOST:-}" ]; then
    # A server given from outside (the docker compose test service): use it as is.
    DB_HOST=$O2C_DB_HOST DB_PORT=${O2C_DB_PORT:-5432} DB_USER=${O2C_DB_USER:-odoo}
    DB_PASSWORD=${O2C_DB_PASSWORD:-}
    cleanup() { rm -rf "$WORK"; }
    trap cleanup EXIT
    for db in o2c_test o2c_e2e; do
        PGPASSWORD=$DB_PASSWORD dropdb --if-exists -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$db" 2>/dev/null
    done
else
    PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
    if [ ! -x "$PG_BIN/initdb" ]; then
        echo "PostgreSQL binaries not found (set PG_BIN, or O2C_DB_HOST for a running server)"
        exit 2
    fi
    PGDATA="$WORK/pgdata"
    DB_HOST="$WORK" DB_USER=odoo DB_PASSWORD=""
    DB_PORT=$("$PYTHON" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    PGUSER_OS=$(id -un)
    as_pg() { "$@"; }
    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root: run it as the postgres (or nobody) account.
        PGUSER_OS=$(id -un postgres 2>/dev/null || echo nobody)
        chown "$PGUSER_OS" "$WORK"
        as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
    fi
    cleanup() {
        if [ "${KEEP_CLUSTER:-0}" = 1 ]; then
            echo "cluster kept: host=$DB_HOST port=$DB_PORT data=$PGDATA"
            return
        fi
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
        rm -rf "$WORK"
    }
    trap cleanup EXIT

    note "Starting a throwaway PostgreSQL cluster ($PG_BIN, port $DB_PORT)"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; exit 2; }
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -o "-p $DB_PORT -k $DB_HOST \
        -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$WORK/postgres.log"; exit 2; }
    "$PG_BIN/psql" -h "$DB_HOST" -p "$DB_PORT" -U postgres -q -c "CREATE ROLE odoo LOGIN SUPERUSER" postgres
fi

ODOO_ADDONS_PATH=${ODOO_ADDONS_PATH:-$("$PYTHON" -c "import odoo.addons, os; print(','.join(p for p in odoo.addons.__path__ if os.path.isdir(p)))")}
CONF="$WORK/odoo.conf"
cat >"$CONF" <<EOF
[options]
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
addons_path = $ODOO_ADDONS_PATH,$ROOT/addons
data_dir = $WORK/data
http_interface = 127.0.0.1
list_db = True
EOF
export O2C_ODOO_CONF="$CONF" O2C_PYTHON="$PYTHON"
