#!/usr/bin/env bash
# This file is part of the property service suite. See README.md.
#
# Create the SQLite demo database var/db/demo.sqlite (called by `make demo`,
# `make run` and `make rebuild-demo`, from the repository root):
#   1. activate property_service and its dependencies, Chinese (zh_CN) loaded
#      and made the default language;
#   2. fill it with data/demo.py (UNITS units, default 2000), with the
#      billing history of the last DEMO_BILLING_MONTHS months (default 4;
#      0 for none) for about DEMO_BILLING_UNITS of the units (default 300;
#      0 for every unit).
# An activated database is reused (`make rebuild-demo` deletes it first).
# If anything fails the half-made database file is deleted, so that the next
# run starts clean.
# Environment: UNITS, DEMO_BILLING_MONTHS, DEMO_BILLING_UNITS, TRYTOND_CONFIG and
# TRYTOND_DATABASE__PATH (exported by the Makefile; defaults below when run
# by hand).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
DB=demo
UNITS="${UNITS:-2000}"
export DEMO_BILLING_MONTHS="${DEMO_BILLING_MONTHS:-4}"
export DEMO_BILLING_UNITS="${DEMO_BILLING_UNITS:-300}"
# Python's assertions off, as for a production server: trytond asserts on
# every record it instantiates that each id of its prefetch list is an int,
# a cost that grows with the list (the 3-month billing history of 200 units:
# 66.3 s with them, 54.7 s without).
export PYTHONOPTIMIZE="${PYTHONOPTIMIZE:-1}"
export TRYTOND_CONFIG="${TRYTOND_CONFIG:-$ROOT/trytond.conf}"
export TRYTOND_DATABASE__PATH="${TRYTOND_DATABASE__PATH:-$ROOT/var/db}"
DB_FILE="$TRYTOND_DATABASE__PATH/$DB.sqlite"

if ! [[ "$UNITS" =~ ^[0-9]+$ ]] || (( UNITS < 10 || UNITS > 100000 )); then
    echo "demo: UNITS must be a whole number from 10 to 100000 (got '$UNITS')" >&2
    exit 2
fi
if ! [[ "$DEMO_BILLING_MONTHS" =~ ^[0-4]$ ]]; then
    echo "demo: DEMO_BILLING_MONTHS must be 0, 1, 2, 3 or 4 (got '$DEMO_BILLING_MONTHS')" >&2
    exit 2
fi
if ! [[ "$DEMO_BILLING_UNITS" =~ ^[0-9]+$ ]]; then
    echo "demo: DEMO_BILLING_UNITS must be a whole number, 0 for every unit (got '$DEMO_BILLING_UNITS')" >&2
    exit 2
fi

# every module of ours (each folder under addons/ with a tryton.cfg)
MODULES=$(for cfg in addons/*/tryton.cfg; do basename "$(dirname "$cfg")"; done | tr '\n' ' ')

START=$(date +%s)
elapsed() { echo $(( $(date +%s) - START )); }

# Is property_service activated in the database file?
activated() {
    [ -s "$DB_FILE" ] || return 1
    "$PY" - "$DB_FILE" <<'EOF'
import sqlite3, sys
try:
    con = sqlite3.connect('file:%s?mode=ro' % sys.argv[1], uri=True)
    row = con.execute(
        "SELECT state FROM ir_module WHERE name = 'property_service'"
        ).fetchone()
except sqlite3.Error:
    sys.exit(1)
sys.exit(0 if row and row[0] == 'activated' else 1)
EOF
}

# trytond-admin's log (-vv) read into a progress line every few seconds
# (errors passed through; pipefail keeps trytond-admin's exit status)
progress() { "$PY" -u "$ROOT/scripts/admin_progress.py" $MODULES; }

CREATED=0
PASSFILE=""
cleanup() {
    status=$?
    [ -n "$PASSFILE" ] && rm -f "$PASSFILE"
    if [ $status -ne 0 ] && [ $CREATED -eq 1 ]; then
        echo "demo: FAILED after $(elapsed) s; removing the half-made $DB_FILE" >&2
        rm -f "$DB_FILE" "$DB_FILE-journal" "$DB_FILE-wal" "$DB_FILE-shm"
    fi
    exit $status
}
trap cleanup EXIT

if activated; then
    echo "demo: $DB_FILE exists and is activated: reusing it" \
        "(make rebuild-demo starts over)"
    # Bring its schema, views and translations up to the checked-out code
    # (activating modules added since the database was made)
    "$VENV/bin/trytond-admin" -c "$TRYTOND_CONFIG" -d "$DB" --all -l zh_CN \
        -u $MODULES --activate-dependencies -vv 2>&1 | progress
    echo "demo: database updated in $(elapsed) s"
else
    if [ -e "$DB_FILE" ]; then
        echo "demo: $DB_FILE exists but is not an activated database:" \
            "creating it again"
        rm -f "$DB_FILE"
    fi
    echo "demo: creating database '$DB' in $DB_FILE ($MODULES, zh_CN)"
    mkdir -p "$TRYTOND_DATABASE__PATH"
    CREATED=1
    touch "$DB_FILE"
    # A throwaway strong admin password: data/demo.py sets it to "admin"
    PASSFILE="$(mktemp)"
    chmod 600 "$PASSFILE"
    "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$PASSFILE"
    # --all -l zh_CN loads the Chinese translations of every module;
    # trytond.conf ([database] language = zh_CN) makes it the default
    # language (ir.configuration) when the database is created.
    TRYTONPASSFILE="$PASSFILE" "$VENV/bin/trytond-admin" -c "$TRYTOND_CONFIG" \
        -d "$DB" --all -l zh_CN --email admin@example.com \
        -u $MODULES --activate-dependencies -vv 2>&1 | progress
    rm -f "$PASSFILE"
    PASSFILE=""
    echo "demo: database activated in $(elapsed) s"
    # Check the language set-up instead of trusting it
    "$PY" - "$DB_FILE" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
translatable, = con.execute(
    "SELECT translatable FROM ir_lang WHERE code = 'zh_CN'").fetchone()
language, = con.execute(
    "SELECT language FROM ir_configuration ORDER BY id LIMIT 1").fetchone()
translations, = con.execute(
    "SELECT COUNT(*) FROM ir_translation WHERE lang = 'zh_CN'").fetchone()
print("demo: zh_CN translatable=%s, default language=%s, %d translations"
    % (bool(translatable), language, translations))
if not translatable or not translations:
    sys.exit("demo: the zh_CN translations are not loaded")
if language != 'zh_CN':
    # data/demo.py sets it too; say it here
    print("demo: default language is %s, data/demo.py sets zh_CN" % language)
EOF
fi

# Idempotent: does nothing if the demo company exists already
"$PY" "$ROOT/data/demo.py" --database "$DB" --units "$UNITS"
CREATED=0
echo "demo: database '$DB' ready in $(elapsed) s ($DB_FILE)"
