# The two commands a newcomer needs: `make demo` and `make test`. Each does its own set-up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: install system demo test lint lock migrate clean var bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the lock changes; the stamp file records the last install.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

# Debian packages beside Python (CJK font, Pango, pdftotext, Chromium); only what is missing.
system:
	bin/system-packages

install: $(VENV)/.installed system

# The folders the embedded defaults write to (cheap, so made on every run).
var:
	mkdir -p var/mail var/broker/out var/broker/processed var/media var/staticfiles

migrate: install var
	$(BIN)/python manage.py migrate --noinput

# The product with its demo data on embedded defaults (SQLite, filesystem broker, e-mail to var/mail/).
demo: migrate
	$(BIN)/python manage.py load_demo
	HOST=$(HOST) PORT=$(PORT) bin/demo

# The whole suite; against PostgreSQL and Redis when DATABASE_URL / REDIS_URL point at them.
test: install var
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every dependency from pyproject.toml's ranges into requirements.lock.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/python -m pip install --quiet --upgrade pip
	var/lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ echo "# Pinned versions that \`make install\` installs (regenerate with: make lock)."; \
	  var/lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > requirements.lock
	rm -rf var/lock-venv

clean:
	rm -rf $(VENV) var

# Every measurement of docs/benchmarks.md on PostgreSQL and Redis (not part of `make test`).
bench: install
	$(BIN)/python -m benchmarks.run
