# ceilometer-proxy developer entry points. Everything runs from .venv/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8777
STATE_DIR ?= $(CURDIR)/.state
PYTEST_ARGS ?=

.PHONY: run test unit functional fuzz lint genconfig ferretdb bench venv clean

$(VENV)/.installed: requirements.txt test-requirements.txt setup.cfg
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip wheel
	$(PY) -m pip install -q -r requirements.txt -r test-requirements.txt
	$(PY) -m pip install -q -e .
	touch $@

venv: $(VENV)/.installed

ferretdb:
	tools/build-ferretdb.sh

run: venv ferretdb
	PORT=$(PORT) STATE_DIR=$(STATE_DIR) PYTHON=$(CURDIR)/$(PY) tools/run-local.sh

test: venv ferretdb
	$(PY) -m pytest tests $(PYTEST_ARGS)

unit: venv
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

functional: venv ferretdb
	$(PY) -m pytest tests/functional $(PYTEST_ARGS)

fuzz: venv ferretdb
	$(PY) tools/fuzz.py $(if $(EXAMPLES),--examples $(EXAMPLES)) $(PYTEST_ARGS)

lint: venv
	$(PY) -m flake8 ceilometer_proxy tests bench tools examples

genconfig: venv
	$(VENV)/bin/oslo-config-generator --config-file etc/ceilometer-proxy/ceilometer-proxy-config-generator.conf

bench: venv ferretdb
	$(PY) bench/serving.py
	$(PY) bench/ingest.py
	$(PY) bench/statistics.py
	$(PY) bench/evaluator.py
	$(PY) bench/collector.py
	$(PY) bench/watcher.py
	$(PY) bench/cascading_alarms.py
	$(PY) bench/cascading.py --no-alarms
	$(PY) bench/modern.py
	$(PY) bench/events.py

clean:
	rm -rf $(VENV) .state .pytest_cache
