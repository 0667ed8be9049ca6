# The few verbs a newcomer needs (SPEC §9). `run` and `test` install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/mcp_governance
REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=

.PHONY: install run test test-services test-browser bench bench-large load lint graph lock services docker mutation oidc-provider bubblewrap

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install bubblewrap
	$(BIN)/python -m pytest -m "not browser and not services" $(PYTEST_ARGS)

services:
	@bash .ci/services.sh

# The capability inspection's sandbox (Debian's bubblewrap), for `make test` and the
# inspector service.
bubblewrap:
	@bash .ci/bubblewrap.sh

# A Docker engine and the local base images, for tests/services/test_compose_docker.py.
docker:
	@bash .ci/docker.sh

# The OpenID Connect provider the sign-in tests start (tests/servers/oidc, Node 20 + npm):
# installed from its committed lock file; node_modules is never committed.
OIDC_PROVIDER := tests/servers/oidc/node_modules/.package-lock.json
oidc-provider: $(OIDC_PROVIDER)

$(OIDC_PROVIDER): tests/servers/oidc/package-lock.json
	cd tests/servers/oidc && npm ci --no-audit --no-fund

test-services: install services docker oidc-provider bubblewrap
	DATABASE_URL=$(PG_URL) $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL_FOR_TESTS=$(REDIS_URL) \
		$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# axe-core for the accessibility checks of the browser suite, from its committed lock file.
AXE := tests/browser/axe/node_modules/.package-lock.json
$(AXE): tests/browser/axe/package-lock.json
	cd tests/browser/axe && npm ci --no-audit --no-fund

test-browser: install oidc-provider $(AXE)
	@bash .ci/chromium.sh
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# Benchmarks on PostgreSQL (a database of their own, dropped and made anew) with gunicorn;
# each figure beside its floor measured in the same run. bench-large: 100,000 approvals.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mcp_bench
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/run.py --approvals 1000

bench-large: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/run.py \
		--approvals 100000 --only http,scale,import

# locust, 32 users for 30 s, against gunicorn with the production's three workers.
load: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/load_test.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python .ci/check_lock.py
	$(BIN)/python .ci/check_module_size.py

# Mutation testing of the pure policy: mutmut changes governance/policy/ one small edit at a
# time ([tool.mutmut] in pyproject.toml) and runs tests/governance/policy/ (no database, no
# Django) against each; .ci/mutation_score.py prints killed / total and fails below 90%.
# Mutants no test can kill are listed, each with why, in .ci/mutation_equivalent.txt and
# left out of the total. No pytest plugin is loaded but mutmut's (the policy's tests need
# none, and schemathesis's alone triples each run). A fresh run each time: about 4 minutes
# on 2 cores.
MUTATION_JOBS ?= $(shell nproc)
mutation: install
	rm -rf mutants && mkdir mutants
	PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) \
		> mutants/run.log 2>&1 \
		|| (tail -c 2000 mutants/run.log; exit 1)
	$(BIN)/python .ci/mutation_score.py

# The import graph of the apps (import-linter's drawgraph, offline): import-graph.dot, and
# import-graph.svg where Graphviz's `dot` is installed. Not committed (.gitignore).
APPS := governance accounts audit registry approvals notifications
graph: install
	$(BIN)/import-linter drawgraph $(APPS) > import-graph.dot
	@if command -v dot >/dev/null; then dot -Tsvg import-graph.dot -o import-graph.svg && \
		echo "import-graph.svg"; else echo "import-graph.dot (install graphviz for an SVG)"; fi

# requirements.lock, what the Docker image installs (hash-checked): pyproject.toml's
# dependencies and theirs, for Python 3.11+ on any platform. Run it after changing them.
lock: install
	$(BIN)/uv pip compile --quiet --no-config --universal --python-version 3.11 \
		--generate-hashes --output-file requirements.lock pyproject.toml
