# Two entry points a newcomer needs (see README):
#   make demo   set up .venv, install elyte, run the main job
#   make test   set up .venv, install elyte with test tools, run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,lint]"
	touch $@

# The main job: simulate the seed's two electrolytes in every experiment, run the study,
# print the path of the HTML report.
demo: $(VENV)/.installed
	$(BIN)/elyte demo --out build/demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
