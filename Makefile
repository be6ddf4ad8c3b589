# Chorus: `make run` serves the seeded demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast install dev-install migrate seed bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev-install: $(VENV)/.dev-installed

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

run: seed
	@echo ""
	@$(FLASK) keys where
	@echo "Chorus is running at http://$(HOST):$(PORT)  (press Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: dev-install
	bash scripts/test.sh

test-fast: dev-install
	$(BIN)/pytest -q -m "not browser and not slow"

bench: dev-install
	$(BIN)/python bench/themes.py --quick
	$(BIN)/python bench/similar.py

clean:
	rm -rf $(VENV) instance .pytest_cache
