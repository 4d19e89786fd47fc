# Katalog UMKM — the two commands a developer needs are `make run` and `make test`.
# Works with GNU make and nothing but Python 3.11+ and pip: everything else goes into .venv.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The interpreter that builds the virtualenv: python3.11 if present, else python3 (checked ≥ 3.11).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful `pip install`; pip runs again only when a requirements file is newer.
STAMP := $(VENV)/.requirements-installed
REQUIREMENTS := requirements.txt requirements-dev.txt

HOST ?= 127.0.0.1
PORT ?= 5000
ARGS ?=

export FLASK_APP := wsgi
FLASK := $(BIN)/flask
PYBABEL := $(BIN)/pybabel

# Translations: Bahasa Indonesia is the source language (the msgids), English the second catalogue.
# tests/unit/test_translations.py reads BABEL_KEYWORDS from here, so both extract the same messages.
TRANSLATIONS := catalog/translations
POT := $(TRANSLATIONS)/messages.pot
LOCALES := id en
BABEL_KEYWORDS := _l lazy_gettext lazy_ngettext:1,2 lazy_pgettext:1c,2
PO_FILES := $(foreach l,$(LOCALES),$(TRANSLATIONS)/$(l)/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help venv run test lint translations compile-translations clean

help:
	@echo "make run           set up .venv, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test          run the whole test suite (extra pytest arguments: make test ARGS='-k audit')"
	@echo "make lint          ruff check"
	@echo "make translations  extract messages, update the id/en catalogues, compile them"
	@echo "make clean         remove .venv and caches (keeps instance/ and the compiled catalogues)"

# A Debian/Ubuntu python3 without the python3-venv package has no ensurepip: fall back to a
# venv without pip and let the system pip install pip into it.
$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Python 3.11 or newer is needed, but neither python3.11 nor python3 is on PATH." >&2; exit 1; \
	fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); Katalog UMKM needs 3.11 or newer." >&2; \
	  echo "       Install Python 3.11 or point make at it: make PYTHON=/path/to/python3.11 run" >&2; exit 1; }
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python -m venv could not install pip (no ensurepip); bootstrapping pip with the system pip"; \
	  rm -rf $(VENV); \
	  $(PYTHON) -m venv --without-pip $(VENV); \
	  $(PYTHON) -m pip --python $(BIN)/python install --disable-pip-version-check --quiet pip || { \
	    rm -rf $(VENV); \
	    echo "error: could not create a virtualenv with pip. Install python3-venv (Debian/Ubuntu) or pip for $(PYTHON)." >&2; \
	    exit 1; }; }

$(STAMP): $(REQUIREMENTS) | $(BIN)/python
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: $(VENV) was built with Python < 3.11; remove it (make clean) and run again." >&2; exit 1; }
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	@touch $@

venv: $(STAMP)

# A .mo is rebuilt whenever its .po is newer (the compiled files are committed, so a bare
# `pytest` works in a fresh clone too).
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(PYBABEL) compile --statistics -l $* -i $< -o $@

compile-translations: $(MO_FILES)

run: venv compile-translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@# The database is the truth and the index a copy: rebuilding it at start is cheap for the
	@# demo catalogue and repairs an index left behind by an older version.
	$(FLASK) search reindex
	$(FLASK) run --host $(HOST) --port $(PORT)

test: venv compile-translations
	$(BIN)/pytest $(ARGS)

lint: venv
	$(BIN)/ruff check .

translations: venv
	$(PYBABEL) extract -F babel.cfg $(addprefix -k ,$(BABEL_KEYWORDS)) \
	  --ignore-dirs=".* instance __pycache__" \
	  --add-comments=TRANSLATORS: --add-location=file \
	  --project="Katalog UMKM" --version=0.1.0 --copyright-holder="Katalog UMKM" \
	  --msgid-bugs-address=dev@katalogumkm.id -o $(POT) .
	@for lang in $(LOCALES); do \
	  po=$(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po; \
	  if [ -f "$$po" ]; then \
	    $(PYBABEL) update -i $(POT) -d $(TRANSLATIONS) -l $$lang --ignore-obsolete; \
	  else \
	    $(PYBABEL) init -i $(POT) -d $(TRANSLATIONS) -l $$lang; \
	  fi; \
	done
	@for lang in $(LOCALES); do \
	  $(PYBABEL) compile --statistics -l $$lang \
	    -i $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po -o $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.mo; \
	done
	@echo "Now translate the new or fuzzy entries in $(TRANSLATIONS)/en/LC_MESSAGES/messages.po and run 'make translations' again."

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
