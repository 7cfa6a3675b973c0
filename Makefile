# Self-documenting Makefile: `make help` lists every target with its one-line purpose.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Exact versions of every package (direct and indirect) that regenerate the figures byte for byte;
# pyproject.toml declares the compatible ranges.  `make lock` rewrites it.
LOCK   := requirements.lock
# `make lab LAB_ARGS="--no-browser --port 8888"` on a machine without a browser.  Jupyter refuses to
# run as root (containers, CI machines) unless told to.
LAB_ARGS ?=
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Interpreters for `make test-pythons` (default: pyenv's 3.12 and 3.13, else python3.12/python3.13 on PATH).
TEST_PYTHONS ?= $(or $(lastword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3)),$(shell command -v python3.12)) \
                $(or $(lastword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3)),$(shell command -v python3.13))
FAST_TESTS := tests/test_statistics.py tests/test_lexicon.py tests/test_preprocessing.py
# Use the offline mirror beside the checkout when there is one (no network on CI).
ifneq ($(wildcard ../shared/corpus),)
export ANALYSIS_CORPUS_MIRROR ?= $(abspath ../shared/corpus)
endif
export MPLBACKEND := agg

.PHONY: help setup lab test test-fast test-fuzz figures bench lock test-pythons test-lowest clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-13s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

setup: $(PY) ## Create .venv with the locked versions, JupyterLab and the package; register the kernel; fetch and verify the corpus
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	@# pkuseg (the second segmenter of the sensitivity checks) ships its model but no wheel; it builds against
	@# the installed numpy and Cython, so it is installed without build isolation.
	$(PY) -m pip install --quiet -c $(LOCK) cython wheel
	$(PY) -m pip install --quiet --no-build-isolation -c $(LOCK) pkuseg
	$(PY) -m ipykernel install --sys-prefix --name analysis --display-name "Python (analysis)" > /dev/null
	$(PY) -m analysis corpus fetch
	$(PY) -m analysis corpus info --summary

lab: ## Open JupyterLab on notebooks/ (it prints the URL with its token; LAB_ARGS="--no-browser --port 8888" when headless)
	@echo "JupyterLab on notebooks/: open the http://127.0.0.1:…/lab?token=… URL printed below; Ctrl-C stops it."
	env -u MPLBACKEND $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_ROOT) $(LAB_ARGS)

figures: ## Execute every notebook headless (one per core) and regenerate all figures into figures/; QUICK=1: one topic K, into build/figures-quick/
	$(PY) notebooks/run_all.py $(if $(QUICK),-p QUICK true --figures $(CURDIR)/build/figures-quick)

test: ## Run the test suite (executes the notebooks too, once per target; not the fuzz tests) on every core
	$(PY) -m pytest -m "not fuzz" -n auto

test-fast: ## Everything but the notebook runs and the fuzz tests
	$(PY) -m pytest -m "not fuzz and not notebooks" -n auto

test-fuzz: ## Fuzz every loader and command that reads a file: ~10,000 generated inputs (up to 10 minutes)
	ANALYSIS_FUZZ_PROFILE=fuzz $(PY) -m pytest -p no:cacheprovider -m fuzz tests/fuzz

bench: ## Segmentation against plain jieba (chars/s, ratios); then make figures cold and warm, each notebook, peak memory, against the goals
	$(PY) -m analysis bench
	$(PY) -m analysis.bench.figures

lock: ## Regenerate requirements.lock: resolve pyproject's ranges in a fresh venv and freeze the result
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet ".[dev]" cython wheel
	.venv-lock/bin/python -m pip install --quiet --no-build-isolation pkuseg
	{ echo "# Exact versions that regenerate the figures byte for byte: \`make setup\` installs them with"; \
	  echo "# pip install -c $(LOCK) -e '.[dev]'.  Written by \`make lock\` (pip freeze of a fresh venv resolving"; \
	  echo "# pyproject.toml's ranges) on $$(.venv-lock/bin/python -c 'import platform; print("CPython", platform.python_version(), platform.system(), platform.machine())')."; \
	  .venv-lock/bin/python -m pip freeze --exclude analysis; } > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	rm -rf .venv-lock
	@echo "$(LOCK): $$(grep -vc '^#' $(LOCK)) packages; review with git diff, then make figures and check they still match"

test-pythons: ## Install with the ranges (not the lock) under each TEST_PYTHONS interpreter and run the fast tests
	@test -n "$(strip $(TEST_PYTHONS))" || { echo "no Python 3.12/3.13 found: make test-pythons TEST_PYTHONS='python3.12 python3.13'"; exit 1; }
	@set -e; for py in $(TEST_PYTHONS); do \
	  v=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); env=.venv-py$$v; \
	  echo "== Python $$v ($$py) in $$env: pip install -e '.[dev]' (ranges), then $(FAST_TESTS)"; \
	  $$py -m venv $$env; \
	  $$env/bin/python -m pip install --quiet --upgrade pip; \
	  $$env/bin/python -m pip install --quiet -e ".[dev]"; \
	  $$env/bin/python -m pip freeze --exclude analysis | grep -iE '^(numpy|pandas|scipy|scikit-learn|matplotlib|jieba|rjieba)=='; \
	  $$env/bin/python -m pytest -q -p no:cacheprovider $(FAST_TESTS); \
	done

test-lowest: ## Install the lowest versions pyproject's ranges allow (uv --resolution lowest-direct) and run the fast tests
	rm -rf .venv-lowest
	$(PYTHON) -m venv .venv-lowest/tools
	.venv-lowest/tools/bin/python -m pip install --quiet uv
	# uv's venv has no setuptools, like every venv of Python 3.12 and later
	.venv-lowest/tools/bin/uv venv --quiet --python $(PYTHON) .venv-lowest/env
	.venv-lowest/tools/bin/uv pip install --quiet --python .venv-lowest/env/bin/python --resolution lowest-direct -e ".[dev]"
	.venv-lowest/tools/bin/uv pip list --python .venv-lowest/env/bin/python | grep -iE '^(numpy|pandas|scipy|scikit-learn|matplotlib|rjieba|stopwordsiso) '
	.venv-lowest/env/bin/python -m pytest -q -p no:cacheprovider $(FAST_TESTS) tests/test_figures.py tests/test_progress.py

clean: ## Remove caches, executed notebooks and generated figures (keeps .venv)
	rm -rf .cache corpus/cache build .pytest_cache
	find figures -type f ! -name README.md -delete

.PHONY: lexicon-eval
lexicon-eval: ## Leave-out test of learned terms: recall of removed lexicon terms, precision on the hand-labelled sample
	$(PY) -m analysis.tokens.learn_eval

.PHONY: bench-scale
bench-scale: ## Index 10x/30x/100x corpora with both engines beside prepare(): seconds, M chars/s, peak GB
	$(PY) -m analysis.bench.scale

.PHONY: golden golden-check
GOLDEN ?= build/golden
golden: ## Keep every table the study writes for the speech, gwr2019 and cpc20 (before a change that must not change results)
	$(PY) tools/golden.py capture $(GOLDEN)

golden-check: ## Rerun those three studies and compare every table byte for byte with what `make golden` kept
	$(PY) tools/golden.py compare $(GOLDEN)
