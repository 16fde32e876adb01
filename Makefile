# Two entry points a new machine needs: `make demo` and `make test`.
# Each creates .venv with the pinned dependencies on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_SCHOOL ?= fixtures/elementary

.PHONY: demo test lint fixtures bench clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/skillgroups validate $(DEMO_SCHOOL)
	$(BIN)/skillgroups solve $(DEMO_SCHOOL) --out out/demo --time-limit 20

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy solver

test: lint
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python -m bench --write

fixtures: $(BIN)/.installed
	$(BIN)/python fixtures/generate.py
	for school in small elementary k8; do \
		$(BIN)/skillgroups convert fixtures/$$school fixtures/$$school.xlsx; done

clean:
	rm -rf $(VENV)
