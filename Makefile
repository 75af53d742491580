# civicloop: `make demo` to see it, `make test` to check it. Everything a target needs, it installs.
SHELL := /bin/bash
# The newest supported Python that runs: python3.13, python3.12, then python3.11 on PATH (each is
# started, since a pyenv shim of a version not selected is on PATH but fails); or PYTHON=...
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for v in 3.13 3.12 3.11; do python$$v -c '' 2>/dev/null && { echo python$$v; break; }; done)
endif
# what `make install` installs besides the project, as pinned with their hashes in $(LOCK)
EXTRAS := dev draw
LOCK := requirements/lock.txt
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make build`, `make serve` and `make demo` show Material's notice of its end of life
# (2027-05-05) as it prints it: README "A path off Material" says what it means and the plan.
# The tests and scripts that build many sites set NO_MKDOCS_2_WARNING=1 themselves.

.PHONY: demo test install lock python lint validate generate build serve chromium screenshots weights node_modules validators bench clean

## install: .venv with exactly the packages and files $(LOCK) names (their hashes are checked),
## then the project itself, built with the locked setuptools
$(BIN)/civicloop: pyproject.toml $(LOCK)
	@[ -n "$(PYTHON)" ] || { echo "no python3.13, python3.12 or python3.11 runs here:" \
	  "install one (README, Install) or name it: make install PYTHON=/path/to/python3.X" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(BIN)/civicloop

## lock: pin every package the project and its extras need, with its hashes, into $(LOCK), after
## a change of pins in pyproject.toml; pins still allowed stay (UPGRADE=1 takes the newest).
## PyPI alone: this machine's pip configuration (local wheels, other indexes) is left out.
lock: install
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "make lock" \
	  "resolves on Python 3.11, the oldest supported, so that the lock installs on all:" \
	  "rm -rf .venv; make lock PYTHON=python3.11" >&2; exit 1; }
	PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= $(BIN)/pip-compile --quiet --generate-hashes \
	  --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	  $(if $(UPGRADE),--upgrade) $(addprefix --extra=,$(EXTRAS)) --output-file=$(LOCK) pyproject.toml

## python: build a CPython release the machine lacks (PY=3.13.5), into ~/.local/opt/python-$(PY)
## (scripts/build_python.sh); then `make install PYTHON=~/.local/opt/python-$(PY)/bin/python3.13`
PY ?= 3.13.5
python:
	bash scripts/build_python.sh $(PY)

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

## demo: build the sample site, serve it, and run the bot on a local Bot API server; the site's
## "Follow on Telegram" links name the demo's bot (its username on the local server)
demo: export CIVICLOOP_BOT_USERNAME ?= civicloop_demo_bot
demo: build
	HOST=$(HOST) PORT=$(PORT) bash scripts/demo.sh

test: install lint chromium node_modules
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

## screenshots: each page type on a desktop and on a 360x640 phone, into build/screenshots/;
##   their figures (page heights, anything past the screen's edge) into bench/README.md
screenshots: build chromium
	PYTHONPATH=tests $(BIN)/python -m browser.sitecheck screenshots --site build/site --out build/screenshots --readme bench/README.md

## node_modules: the site's external validators from package-lock.json (npm ci): the Nu Html
## Checker (vnu-jar; it runs on Java 17, the system's: its install script, which would download
## one, is skipped) and Lighthouse, which drives Debian's chromium and never downloads a browser
node_modules: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	@java -version >/dev/null 2>&1 || { echo "the Nu Html Checker needs Java 17 (Debian: openjdk-17-jre-headless)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund

## validators: Nu Html Checker and Lighthouse figures per page type, into bench/README.md
validators: build chromium node_modules
	PYTHONPATH=tests $(BIN)/python -m browser.validators figures --site build/site --out bench/README.md

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
