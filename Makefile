# entsim — the two commands that do all the set-up on a fresh machine (Python 3.11+ only):
#   make demo   virtual environment, install, migrate, demo world and users, web + worker
#   make test   virtual environment, install, tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint format worker web clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py demo

# Two parts: the tests that may run side by side, over every core (pytest-xdist), then those
# that start servers, workers or browsers, or restart PostgreSQL, alone (tests/conftest.py).
test: $(STAMP)
	$(BIN)/pytest --part parallel -n auto --dist loadfile
	$(BIN)/pytest --part serial

bench: $(STAMP)
	$(BIN)/pytest tests/bench --bench -s -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(STAMP)
	DEBUG=1 $(BIN)/celery -A entsim worker -B -P solo --loglevel INFO

web: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py runserver

clean:
	rm -rf $(VENV) var
