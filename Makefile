# Front Door: the two commands are `make run` and `make test`. Both set up what they need
# first and reuse what an earlier run installed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCSS := $(wildcard frontend/scss/*.scss)

.PHONY: run dev test setup assets lint format audit sbom bench bench-parts browser clean

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

# The embedded default: as safe as production (DEBUG off, gunicorn, the project's own
# error pages) on one machine: SQLite and a file broker under var/, email under var/mail/,
# a secret key generated under var/ on first run. `make run PORT=8080` serves elsewhere.
PORT ?= 8000
EMBEDDED := FRONTDOOR_EMBEDDED=true FRONTDOOR_BASE_URL=http://127.0.0.1:$(PORT)
run: setup
	$(EMBEDDED) $(BIN)/python manage.py migrate --noinput
	$(EMBEDDED) $(BIN)/python manage.py seed_demo
	@echo "Front Door at http://127.0.0.1:$(PORT) (Ctrl-C stops the web server, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(EMBEDDED) FRONTDOOR_PORT=$(PORT) PYTHONUNBUFFERED=1 \
		$(BIN)/honcho start -f Procfile

# For developers: the same with DJANGO_DEBUG on (Django's debug pages) and autoreload.
dev: setup
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" DJANGO_DEBUG=true FRONTDOOR_PORT=$(PORT) PYTHONUNBUFFERED=1 \
		$(BIN)/honcho start -f Procfile.dev

# On both cores by default (pytest-xdist: each worker has a test database of its own;
# --dist loadgroup keeps each xdist_group in one worker). PYTEST_WORKERS=0 runs serially.
# The whole suite leaves the outbox's reliability tests (real Celery workers, racing
# deadlines) to a second run on their own: beside a second busy pytest worker, their
# workers started too slowly for them. With PYTEST_ARGS, one run of what they say.
PYTEST_WORKERS ?= 2
ALONE_TESTS = tests/notices/test_outbox_reliability.py
test: setup browser
ifeq ($(strip $(PYTEST_ARGS)),)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --ignore=$(ALONE_TESTS)
	$(BIN)/python -m pytest $(ALONE_TESTS)
else
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)
endif

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Known vulnerabilities in the pinned Python and npm dependencies (pip-audit from a venv
# of its own under var/, npm audit). NOT CHECKED, not a failure, when the vulnerability
# databases cannot be reached, unless FRONTDOOR_AUDIT_REQUIRED=true.
audit: node_modules/.installed
	bash scripts/dependency-audit

# CycloneDX SBOMs (ASVS 14.2.5) into sbom/, kept in the repository: the Python packages
# installed in .venv from requirements.lock (cyclonedx-bom, from a venv of its own under
# var/) and the npm packages in package-lock.json (npm's own `npm sbom`, offline). Run it
# after changing either lock: tests/core/test_sbom.py fails until then. Fails itself when
# what it made does not match the locks. SBOM_DIR=var/sbom writes elsewhere (CI does).
SBOM_DIR ?= sbom
sbom: $(VENV)/.installed
	VENV_PYTHON=$(BIN)/python bash scripts/sbom $(SBOM_DIR)

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks, never part of `make test`, each in a PostgreSQL database of its own (created
# and replaced) and a Redis database of its own. Needs PostgreSQL and Redis running, as
# .ci/run starts them. See bench/README.md for more.
#
# `make bench`: every page and API served by gunicorn in production mode, under load,
# beside a bare Django JSON view and a bare DRF view; writes docs/PERFORMANCE.md's section
# for the scale. SCALE=demo (200,000 referrals, 15-20 minutes here) or SCALE=national
# (5,000,000: about 32 minutes to load and 34 to measure on a quiet 2-core machine). BENCH_PAGES_ARGS=--reuse keeps
# the data loaded.
SCALE ?= demo
BENCH_PAGES_ARGS ?=
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432
bench: setup
	$(BIN)/python bench/bench_pages.py --scale $(SCALE) \
		--database $(BENCH_POSTGRES)/frontdoor_bench_pages $(BENCH_PAGES_ARGS)

# The older benchmarks of one part each, at small sizes.
BENCH_SCAN_REFERRALS ?= 200000
BENCH_LATENCY_REFERRALS ?= 50
BENCH_MATCHING_CHILDREN ?= 20000
BENCH_DASHBOARD_REFERRALS ?= 200000
bench-parts: setup
	$(BIN)/python bench/bench_scan.py --database $(BENCH_POSTGRES)/frontdoor_bench_notices \
		--total $(BENCH_SCAN_REFERRALS)
	$(BIN)/python bench/bench_overdue_latency.py \
		--database $(BENCH_POSTGRES)/frontdoor_bench_latency \
		--referrals $(BENCH_LATENCY_REFERRALS) --spread-minutes 3
	DATABASE_URL=$(BENCH_POSTGRES)/frontdoor_bench $(BIN)/python bench/bench_matching.py \
		--children $(BENCH_MATCHING_CHILDREN)
	$(BIN)/python bench/national.py --database $(BENCH_POSTGRES)/frontdoor_bench_dashboard \
		--total $(BENCH_DASHBOARD_REFERRALS)
	$(BIN)/python bench/bench_dashboard.py --database $(BENCH_POSTGRES)/frontdoor_bench_dashboard

clean:
	rm -rf var static_build
