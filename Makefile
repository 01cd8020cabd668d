# `make run` and `make test` set up everything a fresh machine lacks; both are idempotent.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PYODIDE_VERSION   := $(shell node -p "require('./package.json').dependencies.pyodide")
BOOTSTRAP_VERSION := $(shell node -p "require('./package.json').dependencies.bootstrap")
VENDOR := static/vendor

.PHONY: setup run test bench clean messages vendor wheels

setup: $(VENV)/.installed node_modules/.installed vendor wheels
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py migrate --noinput -v 0

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) install -q --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Pyodide and Bootstrap are served from our own static files, under versioned paths. After an
# upgrade the older versions go, here and among the collected static files (staticfiles/).
vendor: node_modules/.installed
	for kept in pyodide/$(PYODIDE_VERSION) bootstrap/$(BOOTSTRAP_VERSION); do \
	  for old in $(VENDOR)/$${kept%/*}/* staticfiles/vendor/$${kept%/*}/*; do \
	    case "$$old" in */$$kept|*'*') ;; *) rm -rf "$$old" ;; esac; \
	  done; \
	done
	mkdir -p $(VENDOR)/pyodide/$(PYODIDE_VERSION) $(VENDOR)/bootstrap/$(BOOTSTRAP_VERSION)
	cp -u node_modules/pyodide/pyodide.mjs node_modules/pyodide/pyodide.asm.mjs \
	      node_modules/pyodide/pyodide.asm.wasm node_modules/pyodide/python_stdlib.zip \
	      node_modules/pyodide/pyodide-lock.json $(VENDOR)/pyodide/$(PYODIDE_VERSION)/
	cp -u node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js \
	      node_modules/bootstrap/dist/css/bootstrap.min.css.map node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	      $(VENDOR)/bootstrap/$(BOOTSTRAP_VERSION)/

# The client core and srptools as wheels for Pyodide, pinned by SHA-256 (webclient/wheels.py);
# rebuilt only when the client's sources change.
WHEELS_MANIFEST := webclient/static/webclient/wheels/manifest.json
wheels: $(WHEELS_MANIFEST)
$(WHEELS_MANIFEST): $(VENV)/.installed pyproject.toml $(wildcard webclient/*.py webclient/vault/*.py webclient/vault/backends/*.py)
	$(PY) -m webclient.wheels

run: setup
	$(VENV)/bin/gunicorn -c gunicorn.conf.py anoni.wsgi

# The whole suite in the embedded configuration, then again, all but the browser and CLI, against
# PostgreSQL, Redis and an S3 server (tests/services.py: with ANONI_REQUIRE_SERVICES=1, as .ci/run
# sets it, missing services fail the run instead of skipping it). The second run leaves out the
# browser and the `anoni` CLI: both drive the same client core as the client tests, which make
# the same requests of the server, and the CLI's subprocesses alone took 100 s of that run. Tests
# marked `embedded` look at the SQLite database's own files, which that run does not have.
#
# The browser tests run first and alone: Chromium takes most of two cores, and their waits are
# timed. Then the rest of the embedded run and the services run go side by side, in var/
# directories of their own (only the services run uses PostgreSQL, Redis and S3): each is mostly
# one busy Python process, and on a 2-core machine this saved some 5 minutes of a 27-minute CI.
# The services run's output follows the embedded run's. (pytest exits with 5 when a selection
# holds no test: taken as success only where a selection was asked for, as `PYTEST_ARGS=-k ...`
# or SERVICE_TESTS=... may leave one part empty; the full run must find tests in every part.)
SERVICE_TESTS ?= -m "not browser and not embedded" --ignore-glob='webclient/tests/test_cli_*' \
    accounts anoni blog diagnostics documents feedback stats webclient tests
NO_TESTS_OK := $(if $(strip $(PYTEST_ARGS)),5,0)
SERVICES_NO_TESTS_OK := $(if $(filter file,$(origin SERVICE_TESTS)),0,5)
test: setup
	ANONI_VAR_DIR=$(CURDIR)/var/test $(VENV)/bin/pytest -m browser $(PYTEST_ARGS) || [ $$? -eq $(NO_TESTS_OK) ]
	@mkdir -p var
	ANONI_VAR_DIR=$(CURDIR)/var/test-services $(PY) -m tests.services -- $(VENV)/bin/pytest $(SERVICE_TESTS) \
	    > var/test-services.log 2>&1 & services=$$!; \
	ANONI_VAR_DIR=$(CURDIR)/var/test $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS); embedded=$$?; \
	wait $$services; services_status=$$?; \
	echo "--- the services run (PostgreSQL, Redis, S3), exit code $$services_status ---"; \
	cat var/test-services.log; \
	[ $$embedded -eq 0 -o $$embedded -eq $(NO_TESTS_OK) ] && \
	    [ $$services_status -eq 0 -o $$services_status -eq $(SERVICES_NO_TESTS_OK) ]

bench: setup
	$(PY) bench/login.py
	$(PY) bench/transfer.py

# Extract the translatable strings of templates and Python (django) and of the vault's scripts
# (djangojs) into locale/*/, then compile every catalogue; the .po and .mo files are both
# committed (locale/README.md). Needs gettext.
LANGS := it de pt ro
MESSAGE_IGNORES := --ignore='.venv/*' --ignore='node_modules/*' --ignore='staticfiles/*' \
    --ignore='static/vendor/*' --ignore='var/*' --ignore='build/*' --ignore='artifacts/*'
messages: $(VENV)/.installed
	$(PY) manage.py makemessages $(addprefix -l ,$(LANGS)) --add-location=file $(MESSAGE_IGNORES)
	$(PY) manage.py makemessages -d djangojs $(addprefix -l ,$(LANGS)) --add-location=file $(MESSAGE_IGNORES)
	for lang in $(LANGS); do for domain in django djangojs; do \
	    msgfmt --check -o locale/$$lang/LC_MESSAGES/$$domain.mo locale/$$lang/LC_MESSAGES/$$domain.po || exit 1; \
	done; done

clean:
	rm -rf $(VENV) node_modules staticfiles $(VENDOR) var/test var/test-services var/test-services.log
