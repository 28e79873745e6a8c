# Vùng Xanh. `make run` sets everything up and serves the demo; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint bench lock clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python manage.py compile_catalogues

# The demo province lives in September 2021: "today" is a day of its campaign.
DEMO_TODAY ?= 2021-09-15

run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "Vùng Xanh: http://$(HOST):$(PORT)/  (demo day: $(DEMO_TODAY))"
	DEBUG=1 VUNGXANH_TODAY=$(DEMO_TODAY) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/risk.py
	$(BIN)/python bench/register.py

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[dev]"
	(echo "# Pinned versions of every dependency (pip constraints). Regenerate: make lock"; \
	 .venv-lock/bin/python -m pip freeze --exclude-editable) > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var
