#!/usr/bin/env bash
# This file is part of the property service suite. See README.md.
#
# Start the Tryton server on the demo database (the end of `make run`).
# The web client (sao) is served from $TRYTOND_WEB__ROOT (set by the
# Makefile). `-d demo` loads the database at start: it also avoids the
# trytond 8.0.12 first-login regression.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DB=demo
export TRYTOND_CONFIG="${TRYTOND_CONFIG:-$ROOT/trytond.conf}"
export TRYTOND_DATABASE__PATH="${TRYTOND_DATABASE__PATH:-$ROOT/var/db}"
export TRYTOND_WEB__ROOT="${TRYTOND_WEB__ROOT:-$ROOT/sao/package}"
# assertions off, as in production (see the README's deployment section)
export PYTHONOPTIMIZE="${PYTHONOPTIMIZE:-1}"

if [ ! -s "$TRYTOND_DATABASE__PATH/$DB.sqlite" ]; then
    echo "serve: no demo database in $TRYTOND_DATABASE__PATH: run make demo" >&2
    exit 1
fi
if [ ! -f "$TRYTOND_WEB__ROOT/index.html" ]; then
    echo "serve: warning: no web client in $TRYTOND_WEB__ROOT (make sao)" >&2
fi

cat <<EOF

  物业服务中心 demo / Property service center demo
  ------------------------------------------------
  Open      http://127.0.0.1:8000/
  Database  $DB

  Login        Password     Role
  admin        admin        系统管理员 Administrator (all estates)
  manager      manager      物业经理 Property manager, 阳光花园 (YGHY)
  manager2     manager2     物业经理 Property manager, 翠湖苑 (CHY) only
  clerk        clerk        客服专员 Service clerk, 阳光花园
  technician   technician   维修技工 Technician, 阳光花园
  guard        guard        安保队长 Security guard, 阳光花园
  accountant   accountant   财务会计 Accountant, 阳光花园
  archivist    archivist    档案管理员 Archivist, 阳光花园

  Demo passwords equal the logins: never expose this database.
  Stop with Ctrl-C.

EOF

exec "$ROOT/.venv/bin/trytond" -c "$TRYTOND_CONFIG" -d "$DB"
