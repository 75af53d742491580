# civicloop: `make demo` to see it, `make test` to check it. Everything a target needs, it installs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test install lint validate generate build serve chromium screenshots weights bench clean

$(BIN)/civicloop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,draw]'
	touch $@

install: $(BIN)/civicloop

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

validate: install
	$(BIN)/civicloop validate

## generate: the site's whole source (pages, calendars, feed, data) into build/source/, one
## folder per language, for any generator that reads Markdown (`build` makes it too)
generate: validate
	$(BIN)/civicloop generate --out build/source

build: validate
	$(BIN)/mkdocs build --strict

## serve: preview the site while editing content; it is built again on every save
serve: install
	$(BIN)/mkdocs serve --dev-addr $(HOST):$(PORT)

## demo: build the sample site, serve it, and run the bot on a local Bot API server
demo: build
	HOST=$(HOST) PORT=$(PORT) bash scripts/demo.sh

test: install lint chromium
	$(BIN)/pytest -q

## chromium: Debian's Chromium for the browser tests (tests/browser), from apt, as root or with
## sudo (GitHub's runners); Playwright drives it, and never downloads a browser of its own
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "installing Debian's chromium with apt-get"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi
	@"$(CHROMIUM)" --version 2>/dev/null

## screenshots: each page type on a desktop and on a 360x640 phone, into build/screenshots/
screenshots: build chromium
	PYTHONPATH=tests $(BIN)/python -m browser.sitecheck screenshots --site build/site --out build/screenshots

## weights: bytes each page type transfers on a first load, into bench/weights.md
weights: build chromium
	PYTHONPATH=tests $(BIN)/python -m browser.sitecheck weights --site build/site --out bench/weights.md

bench: install
	$(BIN)/python bench/site_build.py

## zensical: the generated site built with Zensical (one project per language) beside Material,
## and a report of what differs (build/zensical/report.txt); see the README, "A path off Material"
.PHONY: zensical
zensical: install
	$(BIN)/pip install --quiet -e '.[zensical]'
	$(BIN)/python scripts/zensical_build.py

clean:
	rm -rf build .pytest_cache
