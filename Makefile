# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
EGOV := $(VENV)/bin/egov
STAMP := $(VENV)/.installed

.PHONY: run test e2e lint format bench setup assets clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

assets: node_modules/.package-lock.json
	npm run build --silent

setup: $(STAMP) assets
	mkdir -p var

run: setup
	$(EGOV) migrate --noinput
	$(EGOV) compilemessages --ignore=.venv --ignore=node_modules >/dev/null || echo "gettext (msgfmt) is missing: English translations are not compiled"
	$(EGOV) demo --print-passwords
	$(EGOV) run

test: setup
	$(EGOV) compilemessages --ignore=.venv --ignore=node_modules >/dev/null || echo "gettext (msgfmt) is missing: English translations are not compiled"
	$(PY) -m pytest -q -n 2 -m "not e2e" --durations=15

e2e: setup
	$(EGOV) compilemessages --ignore=.venv --ignore=node_modules >/dev/null || echo "gettext (msgfmt) is missing: English translations are not compiled"
	# A file database, so each request thread of the live server has its own
	# connection (an in-memory database is one connection shared by all threads).
	EGOV_TEST_SQLITE=var/e2e-test.sqlite3 $(PY) -m pytest -q -m e2e tests/e2e

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules var
