# The README's two commands: `make run` (demo) and `make test` (every test).
# Each does all set-up on a fresh machine; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
# Tryton wants absolute paths; they depend on the checkout, so they are passed
# as environment variables rather than written into trytond.conf.
export TRYTOND_CONFIG := $(CURDIR)/trytond.conf
export TRYTOND_DATABASE__PATH := $(CURDIR)/var/db
export TRYTOND_WEB__ROOT := $(CURDIR)/sao/package
# PostgreSQL used by `make test-pg` (trust auth on this machine)
PG_URI ?= postgresql://127.0.0.1:5432/
# Demo size: units over the 2 demo estates (up to 100000 for benchmarks)
UNITS ?= 2000
# Months of billing history in the demo (bills and payments; 0 for none)
# and the units it covers (the first buildings of each estate; 0 for every
# unit: each month costs about 1.5 minutes per 1,000 units)
DEMO_BILLING_MONTHS ?= 4
DEMO_BILLING_UNITS ?= 300

.PHONY: run demo rebuild-demo test test-pg venv sao system-deps runtime-deps lint clean

# venv (pip) and sao (npm) are independent downloads: made side by side
run:
	@$(MAKE) --no-print-directory -j2 venv sao
	@$(MAKE) --no-print-directory runtime-deps demo
	@bash scripts/serve.sh

demo: venv
	@UNITS=$(UNITS) DEMO_BILLING_MONTHS=$(DEMO_BILLING_MONTHS) DEMO_BILLING_UNITS=$(DEMO_BILLING_UNITS) bash scripts/create_demo_db.sh

rebuild-demo: venv
	rm -f var/db/demo.sqlite
	@UNITS=$(UNITS) DEMO_BILLING_MONTHS=$(DEMO_BILLING_MONTHS) DEMO_BILLING_UNITS=$(DEMO_BILLING_UNITS) bash scripts/create_demo_db.sh

test: venv sao system-deps
	@bash scripts/test.sh sqlite

test-pg: venv sao system-deps
	@PG_URI=$(PG_URI) bash scripts/test.sh postgresql

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py $(wildcard addons/*/tryton.cfg)
	@echo "venv: installing Tryton 8.0 and our modules into .venv"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@echo "venv: ready ($$($(PY) -m pip list 2>/dev/null | grep -ci tryton) Tryton packages)"
	touch $@

sao: sao/package/.installed

sao/package/.installed: scripts/install_sao.sh
	@bash scripts/install_sao.sh

system-deps:
	@bash scripts/install_system_deps.sh

runtime-deps:
	@bash scripts/install_system_deps.sh --runtime

clean:
	rm -rf var sao tests/artifacts
