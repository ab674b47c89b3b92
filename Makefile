# Kando workbook. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The install stamp is keyed on the content of requirements.txt and
# pyproject.toml, so a changed pin reinstalls and an unchanged one is instant.
REQ_HASH := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)

DATA ?= data/sample

.PHONY: help install test report lab validate sample template bench bench-clv clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ needed"'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## Create .venv and install the pinned requirements (idempotent)

test: $(STAMP) ## Run the test suite (in parallel over the cores)
	$(BIN)/python -m pytest -n auto

report: $(STAMP) ## Render the PDF reports from the sample data into reports/
	$(BIN)/kando run --data $(DATA)

lab: $(STAMP) ## Open JupyterLab on notebooks/
	$(BIN)/jupyter lab --notebook-dir=notebooks

validate: $(STAMP) ## Check a data directory: make validate DATA=path/to/data
	$(BIN)/kando validate $(DATA)

sample: $(STAMP) ## Regenerate data/sample from the generator
	$(BIN)/kando sample --out data/sample --customers 2000

template: $(STAMP) ## Write a blank journey worksheet to journey_worksheet.xlsx
	$(BIN)/kando template --out journey_worksheet.xlsx

bench: $(STAMP) ## Run the benchmark scripts (prints times and peak memory)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

bench-clv: ## CLV benchmark against DuckDB and lifetimes (own venv: .venv-bench)
	@test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -r benchmarks/requirements-bench.txt
	.venv-bench/bin/python benchmarks/bench_clv.py

clean: ## Remove the virtualenv, caches and reports
	rm -rf $(VENV) reports .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
