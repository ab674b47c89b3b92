# Kando workbook. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python 3.11+ on PATH: python3 (Debian 12's stock 3.11.2 is fine),
# then python3.13, python3.12, python3.11. Override with `make PYTHON=/path/to/python`.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
# The install stamp is keyed on the content of requirements.txt and
# pyproject.toml, so a changed pin reinstalls and an unchanged one is instant.
REQ_HASH := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)

DATA ?= data/sample

.PHONY: help install lint test report lab validate sample template bench bench-clv clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
		if [ -z "$(PYTHON)" ]; then \
			echo "Kando needs Python 3.11 or newer; none found on PATH (python3, python3.13, python3.12, python3.11)." >&2; \
			echo "Install one, or name it: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)" >&2; exit 1; \
		fi; \
		$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kando needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0])' || exit 1; \
		echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version 2>&1))"; \
		$(PYTHON) -m venv $(VENV) || exit 1; \
	fi
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "$(VENV) holds Python " + sys.version.split()[0] + "; Kando needs 3.11+: run make clean")'
	@echo "Using $$($(BIN)/python --version) in $(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## Create .venv and install the pinned requirements (idempotent)

lint: $(STAMP) ## Lint and check the import order with ruff (config in pyproject.toml)
	$(BIN)/ruff check .

test: $(STAMP) ## Run the test suite, then execute the report notebooks under nbval (in parallel over the cores)
	$(BIN)/python -m pytest -n auto
	$(BIN)/python -m pytest -n auto --dist loadfile --nbval-lax notebooks/[0-9]*.ipynb

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
