# autotask: make test | make chaos | make bench | make man | make completions | make clean
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-dev

.PHONY: test chaos lint typecheck pytest bench man completions clean venv

venv: $(STAMP)

# The venv is created when missing and refreshed when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

# The chaos suite has its own target (below): make test stays a few minutes long.
test: $(STAMP)
	$(PY) -m ruff check autotask tests bench tools
	$(PY) -m ruff format --check autotask tests bench tools
	$(PY) -m mypy --strict autotask
	$(PY) -m pytest -q --ignore=tests/chaos

lint: $(STAMP)
	$(PY) -m ruff check autotask tests bench tools
	$(PY) -m ruff format --check autotask tests bench tools

typecheck: $(STAMP)
	$(PY) -m mypy --strict autotask

pytest: $(STAMP)
	$(PY) -m pytest -q --ignore=tests/chaos

# Chaos, kill -9, restarts, the hourly budget and the soak (issue 14), with fixed seeds. Each
# scenario's figures go to bench/results/chaos.json, the 10,000-request soak's to
# bench/results/soak.json, and docs/RELIABILITY.md's figures are rendered from both.
CHAOS_RESULTS := bench/results/chaos.json
chaos: $(STAMP)
	rm -f $(CHAOS_RESULTS)
	AUTOTASK_CHAOS_RESULTS=$(CHAOS_RESULTS) $(PY) -m pytest -q tests/chaos
	$(PY) -m bench soak
	$(PY) tools/gen_reliability.py docs/RELIABILITY.md

bench: $(STAMP)
	$(PY) -m bench

# Man pages are generated from the parser, committed, and checked for drift by tests/meta.
man: $(STAMP)
	$(PY) tools/gen_man.py man

# Shell completion (bash, zsh) from the same parser with shtab; committed, drift-checked by
# tests/cli/test_completions.py.
completions: $(STAMP)
	$(PY) tools/gen_completions.py completions

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build/nuitka build/man dist
