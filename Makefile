# Self-documenting Makefile: `make help` lists every target with its one-line purpose.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Use the offline mirror beside the checkout when there is one (no network on CI).
ifneq ($(wildcard ../shared/corpus),)
export ANALYSIS_CORPUS_MIRROR ?= $(abspath ../shared/corpus)
endif
export MPLBACKEND := agg

.PHONY: help setup test figures bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

setup: $(PY) ## Create .venv, install the package with its pinned dependencies, fetch and verify the corpus
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name analysis --display-name "Python (analysis)" > /dev/null
	$(PY) -m analysis corpus fetch
	$(PY) -m analysis corpus info

figures: ## Execute every notebook headless (fresh kernel each) and regenerate all figures into figures/
	$(PY) notebooks/run_all.py

test: ## Run the test suite (executes the notebooks too)
	$(PY) -m pytest

bench: ## Benchmark segmentation speed against plain jieba (prints chars/s and ratios)
	$(PY) -m analysis bench

clean: ## Remove caches, executed notebooks and generated figures (keeps .venv)
	rm -rf .cache corpus/cache build .pytest_cache
	find figures -type f ! -name README.md -delete

.PHONY: lexicon-eval
lexicon-eval: ## Leave-out test of learned terms: recall of removed lexicon terms, precision on the hand-labelled sample
	$(PY) -m analysis.lexicon_eval

.PHONY: bench-scale
bench-scale: ## Index 10x/30x/100x corpora with both engines beside prepare(): seconds, M chars/s, peak GB
	$(PY) -m analysis.bench_scale
