# Front Door: the two commands are `make run` and `make test`. Both set up what they need
# first and reuse what an earlier run installed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCSS := $(wildcard frontend/scss/*.scss)

.PHONY: run test setup assets lint format bench browser clean

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static_build/css/app.css: node_modules/.installed $(SCSS)
	npm run -s build

assets: static_build/css/app.css

setup: $(VENV)/.installed assets

browser:
	@bash scripts/ensure-chromium

# The embedded default: SQLite and a file broker under var/, email under var/mail/.
run: setup
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Front Door at http://127.0.0.1:8000 (Ctrl-C stops the web server, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" DJANGO_DEBUG=true PYTHONUNBUFFERED=1 $(BIN)/honcho start -f Procfile.dev

test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	@test -n "$$(ls bench/*.py 2>/dev/null)" || { echo "no benchmarks yet"; exit 0; }

clean:
	rm -rf var static_build
