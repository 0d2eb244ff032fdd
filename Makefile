# Shanghui: `make run` serves the demo, `make test` runs the whole suite, `make bench` the benchmarks.
# The distribution's Python 3.11 when it can make a venv: Debian builds it with PGO and LTO, and Shanghui
# answers the load test's mix about a third faster on it than on a source build without them
# (docs/benchmarks.md). Otherwise python3.
PYTHON ?= $(or $(shell /usr/bin/python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 && echo /usr/bin/python3.11),python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_PEOPLE ?= 300
export HTTPS ?= 0

.PHONY: install fonts run test test-fast lint bench loadtest loadtest-pages messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Chromium for the browser tests comes from Debian, never from a browser download.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py firststart --people $(DEMO_PEOPLE)
	@echo "Shanghui: http://127.0.0.1:$(PORT)/"
	$(PY) manage.py jobs recover
	$(PY) manage.py worker & \
	  WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  $(VENV)/bin/granian --interface wsgi shanghui.wsgi:application --host 127.0.0.1 --port $(PORT) --workers 3 \
	    --blocking-threads 2 --respawn-failed-workers --access-log

# Chinese fonts and Pango for the PDF annual review (WeasyPrint); without a CJK font Chinese prints as boxes.
fonts:
	@fc-list 2>/dev/null | grep -q "CJK SC" && ldconfig -p | grep -q libpangoft2 || { apt-get update -qq && \
	  apt-get install -y -qq fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

test: install chromium fonts
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -m "not browser"

# Benchmarks at province scale (BENCH_PEOPLE, default 1,000,000) on DATABASE_URL, by default on
# their own SQLite file var/bench.sqlite3 (never the demo database); see docs/benchmarks.md.
BENCH_PEOPLE ?= 1000000
bench: install
	BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) manage.py bench

# Load test (docs/benchmarks.md): PostgreSQL with LOAD_PEOPLE people (default 1,000,000, built once into
# the database shanghui_load), granian on 127.0.0.1 only, locust for LOAD_SECONDS (default 120).
loadtest: install
	bash loadtest/run.sh

# Each page of the mix alone, CPU ms and queries (loadtest/pages.py), on the database `make loadtest` built.
loadtest-pages: install
	DATABASE_URL=$${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/shanghui_load} HTTPS=0 \
	  REDIS_URL=$${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/5} ALLOWED_HOSTS=127.0.0.1 $(PY) loadtest/pages.py

lint: install
	$(VENV)/bin/ruff check .

messages: install
	$(PY) manage.py makemessages -l en -e html,txt,py,jinja --ignore '.venv' --ignore 'var'
