# The README's two commands, `make demo` and `make test`, plus lint and messages.
# Every target creates .venv and installs what it needs the first time, and reuses it after.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint bench messages vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { $(PYTHON) -m pip install --user --quiet virtualenv && $(PYTHON) -m virtualenv $(VENV); }

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,postgres]"
	touch $@ $(VENV)/.installed-base

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[postgres]"
	touch $@ $(VENV)/.installed-base

var/secret_key:
	mkdir -p var
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

## make demo: migrate a SQLite database under var/, load Changchun New Area and serve it.
demo: $(VENV)/.installed-base var/secret_key
	XINQU_DEBUG=0 XINQU_HTTPS=0 XINQU_SECRET_KEY="$$(cat var/secret_key)" \
	  $(BIN)/xinqu demo --host $(HOST) --port $(PORT)

## make test: run every test (SQLite by default; set XINQU_DATABASE_URL for PostgreSQL).
test: $(VENV)/.installed-test
	$(BIN)/pytest

## make bench: `xinqu bench enterprises` on a fresh SQLite file (BENCH_DATABASE_URL for PostgreSQL, on
## an empty database; BENCH=indicators or BENCH=workflow for the other suites).
BENCH_DATABASE_URL ?= sqlite:///var/bench.sqlite3
BENCH ?= enterprises
bench: $(VENV)/.installed-bench var/secret_key
	rm -f var/bench.sqlite3 var/bench.sqlite3-wal var/bench.sqlite3-shm
	XINQU_DEBUG=0 XINQU_HTTPS=0 XINQU_SECRET_KEY="$$(cat var/secret_key)" XINQU_DATABASE_URL="$(BENCH_DATABASE_URL)" \
	  $(BIN)/xinqu bench $(BENCH)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	XINQU_DEBUG=1 $(BIN)/mypy
	XINQU_DEBUG=1 $(BIN)/xinqu makemigrations --check --dry-run

## make messages: refresh the English catalogue after changing UI text (needs GNU gettext).
messages: $(VENV)/.installed-test
	cd src/xinqu && XINQU_DEBUG=1 ../../$(BIN)/xinqu makemessages --locale en --no-obsolete --no-location --ignore 'static/*'
	$(BIN)/python scripts/compile_messages.py

vendor:
	scripts/vendor-static.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
