#!/usr/bin/env bash
# Run every test (module tests, scenarios, translations, browser) on one
# backend: `scripts/test.sh sqlite` or `scripts/test.sh postgresql`.
# Called by `make test` / `make test-pg`; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
shift || true

# trytond's test framework reads its settings from the environment only
unset TRYTOND_CONFIG TRYTOND_DATABASE__PATH
export TEST_NETWORK=0
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning}

# Template databases with the modules activated are cached between runs;
# the cache is keyed on our sources and the installed Tryton packages so a
# schema change can never reuse a stale database.
key=$( (find addons -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 \
        | sort -z | xargs -0 sha256sum; .venv/bin/pip freeze 2>/dev/null \
        | grep -i -E '^(trytond|proteus)') | sha256sum | cut -c1-16)
mkdir -p var/test-cache
find var/test-cache -mindepth 1 -maxdepth 1 ! -name "$key" ! -name '*.key' \
    -exec rm -rf {} +
export DB_CACHE=$PWD/var/test-cache/$key

# tests/postgresql (several processes on one PostgreSQL database) are
# collected on the postgresql backend only
paths=(addons/*/tests tests --ignore=tests/postgresql)
case "$backend" in
    sqlite)
        export TRYTOND_DATABASE_URI=sqlite://
        export DB_NAME=:memory:
        ;;
    postgresql)
        # the roles' browser test walks sao's screens, which do not depend
        # on the backend: it runs on SQLite (make test) and is run on
        # PostgreSQL by hand (README); the CI budget keeps it to one run
        paths=(addons/*/tests tests --ignore=tests/test_browser_roles.py)
        export TRYTOND_DATABASE_URI=${PG_URI:-postgresql://127.0.0.1:5432/}
        export DB_NAME=test_$(date +%s)_$$
        host=$(.venv/bin/python -c "import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).hostname or '127.0.0.1')" "$TRYTOND_DATABASE_URI")
        port=$(.venv/bin/python -c "import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).port or 5432)" "$TRYTOND_DATABASE_URI")
        if ! pg_isready -q -h "$host" -p "$port"; then
            echo "PostgreSQL is not answering on $host:$port (see README)" >&2
            exit 1
        fi
        # On PostgreSQL the cached databases are template databases
        # (test-<hash of the module names>): CREATE DATABASE ... TEMPLATE
        # takes 0.2 s where pg_restore of a dump takes 2-3 s, a third of
        # the suite's time. Their names do not carry our key: drop them
        # when the key changes.
        export DB_CACHE=postgresql://$host:$port
        marker=var/test-cache/postgresql-$host-$port.key
        if [ "$(cat "$marker" 2>/dev/null)" != "$key" ]; then
            for db in $(psql -h "$host" -p "$port" -d postgres -Atc \
                    "SELECT datname FROM pg_database WHERE datname ~ '^test-[0-9a-f]{40}$'"); do
                psql -h "$host" -p "$port" -d postgres -qc \
                    "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
            done
            echo "$key" > "$marker"
        fi
        ;;
    *)
        echo "usage: $0 sqlite|postgresql [pytest args]" >&2
        exit 2
        ;;
esac

echo "== tests on $backend (DB_CACHE key $key)"
start=$(date +%s)
status=0
# test paths given (`scripts/test.sh sqlite addons/x/tests/test_y.py -k z`)
# replace the whole suite; other arguments only filter it
if [ $# -gt 0 ] && [ -e "${1%%::*}" ]; then
    paths=()
    [ "$backend" = sqlite ] && paths=(--ignore=tests/postgresql)
fi
.venv/bin/python -m pytest -q -p no:cacheprovider "${paths[@]}" "$@" \
    || status=$?
echo "== tests on $backend: $(( $(date +%s) - start )) s, exit $status"
exit $status
