# The two commands: `make run` (main job on the built-in default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow validate bench clean

# The data plane is compiled at install (setup.py, twin/_native.py): edits to it rebuild.
# NATIVE covers every module in twin/_native.py's COMPILED (tests/sim/test_compiled.py checks it).
NATIVE := $(wildcard twin/sim/traffic/*.py twin/model/registry/resources/*.py) twin/model/registry/overlap.py \
	twin/_native.py setup.py

$(STAMP): pyproject.toml $(NATIVE)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/twin run zone-failure

test: $(STAMP)
	$(BIN)/python -m pytest

validate: $(STAMP)
	$(BIN)/python -m validation validate --out reports/validation

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

bench: $(STAMP)
	$(BIN)/python bench/bench_scheduling.py
	$(BIN)/python bench/bench_simulation.py
	$(BIN)/python bench/bench_requests.py --ramp
	$(BIN)/python bench/bench_physics_cost.py
	$(BIN)/python bench/bench_metrics.py
	$(BIN)/python bench/bench_calibrate.py
	$(BIN)/python bench/bench_sweep.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_memory.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
