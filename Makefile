# Shuping — two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
# Debian's CPython 3.11, built with PGO and LTO: WeasyPrint's layout is pure Python and a report
# renders ~20% faster than on an unoptimized build such as pyenv's (bench/bench_pdf.py).
PYTHON ?= /usr/bin/python3.11
VENV := .venv
PY := $(VENV)/bin/python
# A venv made by another interpreter (an older checkout's, say) is made again: its targets
# become phony, so they run whatever their files' dates.
ifneq ($(wildcard $(VENV)/pyvenv.cfg),)
ifeq ($(shell grep -qx "executable = $$(readlink -f $(PYTHON))" $(VENV)/pyvenv.cfg && echo same),)
.PHONY: $(VENV)/bin/python $(VENV)/.installed $(VENV)/.installed-dev $(VENV)/.installed-mutation
endif
endif
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages the app needs: the interpreter (not in the Docker image, which has its own),
# CJK fonts and HarfBuzz's subsetter for PDF export, Pango for WeasyPrint. Tests also need
# poppler (pdftotext), Chromium, PostgreSQL and Redis (a throwaway server each, .ci/test-all), and
# LibreOffice (Writer and Calc without a GUI: the tests open every .docx and .xlsx the app writes in
# real office software, tests/exports/test_office.py).
PYTHON_PACKAGES := python3.11 python3.11-venv
SYSTEM_PACKAGES := fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
TEST_PACKAGES := poppler-utils chromium postgresql redis-server libreoffice-writer-nogui libreoffice-calc-nogui

.PHONY: run test serve setup setup-test system system-test migrate demo clean check mutation

# What users see: DEBUG off (Chinese error pages, never Django's debug page), plain http,
# static files served from static/ by WhiteNoise; runserver still reloads on code changes.
# The background worker runs beside the server (.ci/dev); Ctrl-C stops both.
RUN_ENV := DJANGO_DEBUG=0 DJANGO_SECURE_SSL=0 DJANGO_STATIC_FROM_SOURCE=1
run: setup migrate demo
	$(RUN_ENV) HOST=$(HOST) PORT=$(PORT) bash .ci/dev

# Production settings (DEBUG off, collectstatic, WhiteNoise, gunicorn) over plain http.
serve: setup
	HOST=$(HOST) PORT=$(PORT) bash .ci/serve

# Both databases; e.g. `make test PYTEST_ARGS="-k login"` or PYTEST_ARGS="--sqlite-only".
test: setup-test
	bash .ci/test-all $(PYTEST_ARGS)

# Mutation testing of the modules that decide grades, ballot scores, access and the split
# (not part of `make test`; minutes per module). E.g. `make mutation MUTATION_ARGS=splitter`.
mutation: $(VENV)/.installed-mutation
	$(PY) mutation/run.py --fail-under 95 $(MUTATION_ARGS)

setup: system $(VENV)/.installed

setup-test: system system-test $(VENV)/.installed-dev

system:
	@bash .ci/apt-ensure $(PYTHON_PACKAGES) $(SYSTEM_PACKAGES)

system-test:
	@bash .ci/apt-ensure $(TEST_PACKAGES)

$(VENV)/bin/python: | system
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

$(VENV)/.installed-mutation: requirements.txt requirements-dev.txt requirements-mutation.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-mutation.txt
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

migrate: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo

check: setup-test
	bash .ci/test-all --checks-only

clean:
	rm -rf $(VENV) staticfiles test-artifacts
