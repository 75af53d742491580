# civicloop: `make demo` to see it, `make test` to check it. Everything a target needs, it installs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test install lint validate build serve chromium screenshots bench clean

$(BIN)/civicloop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/civicloop

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

validate: install
	$(BIN)/civicloop validate

build: validate
	$(BIN)/mkdocs build --strict

## demo: build the sample site, serve it, and run the bot on a local Bot API server
demo: build
	HOST=$(HOST) PORT=$(PORT) bash scripts/demo.sh

test: install lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/site_build.py

clean:
	rm -rf build .pytest_cache
