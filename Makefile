# Madoguchi. Quick start: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export MADOGUCHI_BASE_DIR := $(CURDIR)

.PHONY: run test setup lint bench bench-queue bench-assistant bench-assistant-embed bench-assistant-scheme bench-assistant-import bench-signatures messages clean reliability \
	production production-demo production-stop production-status production-check dist lock

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed
	@# Development settings on purpose (compiling messages needs no database), whatever DATABASE_URL says.
	cd src/madoguchi && MADOGUCHI_ENV=development ../../$(BIN)/madoguchi compilemessages --verbosity 0

# PORT goes to every process of the demo: links in PDFs and e-mails point at this server
# (the development settings' default MADOGUCHI_PUBLIC_URL is http://127.0.0.1:$PORT).
run: export PORT := $(PORT)
run: setup
	mkdir -p var
	$(BIN)/madoguchi migrate --noinput --verbosity 0
	$(BIN)/madoguchi createcachetable
	$(BIN)/madoguchi demo
	@# Job workers run beside the server and stop with it: the assistant's embeddings (default
	@# queue) and the signed documents issued after decisions (documents queue); the scheduler
	@# runs the recurring jobs (e-mails every minute, nightly clean-ups; docs/operations/jobs.md).
	$(BIN)/madoguchi db_worker --no-reload > var/worker.log 2>&1 & WORKER=$$!; \
	$(BIN)/madoguchi db_worker --no-reload --queue-name documents > var/worker-documents.log 2>&1 & DOCUMENTS=$$!; \
	$(BIN)/madoguchi scheduler > var/scheduler.log 2>&1 & SCHEDULER=$$!; \
	trap "kill $$WORKER $$DOCUMENTS $$SCHEDULER" EXIT INT TERM; \
	$(BIN)/madoguchi runserver 127.0.0.1:$(PORT)

lint: setup
	$(BIN)/ruff check src tests bench deploy reliability setup.py
	@# Development settings on purpose, whatever database the test run is pointed at.
	MADOGUCHI_ENV=development $(BIN)/madoguchi catalog check > /dev/null

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/submit.py

# The staff queue at 1,000,000 and 10,000 cases (PostgreSQL; kept between runs, see docs/benchmarks.md).
bench-queue: setup
	$(BIN)/python bench/staff_queue.py

# Assistant: ask latency p50/p99 and recall@1/@3 per language on the demo FAQ (docs/assistant.md).
bench-assistant: setup
	$(BIN)/python bench/assistant.py
	$(BIN)/python bench/assistant_eval.py

# Assistant: refit the re-ranker on the labelled set's development half and report the test half
# (docs/assistant.md#re-ranking-and-the-confidences-features).
.PHONY: bench-assistant-rerank
bench-assistant-rerank: setup
	$(BIN)/python bench/assistant_rerank.py --fit

# Assistant: embedding texts/s of a 1,786-entry FAQ import, old vs new settings (docs/assistant.md).
bench-assistant-embed: setup
	$(BIN)/python bench/assistant_embed.py $(if $(FAQ_DIR),--faq-dir $(FAQ_DIR))

# Assistant: passage schemes (passages per answer x token cap) side by side, import cost and dev quality.
bench-assistant-scheme: setup
	$(BIN)/python bench/assistant_scheme.py

# Assistant: a real timed `assistant import --async` of a 1,786-entry FAQ with two db_workers.
bench-assistant-import: setup
	$(BIN)/python bench/assistant_import.py

# Signatures: verifications/s, signed PDFs/s, signed vs unsigned submit latency (docs/signatures.md).
bench-signatures: setup
	$(BIN)/python bench/signatures.py

# The production topology under faults (kill -9 of app and worker, PostgreSQL restarts, a full
# disk, a read-only database) with every loss figure checked, the access matrix and the load
# ramp with 1 and 2 app processes: docs/operations/reliability.md. Needs root (tmpfs, pg_ctlcluster).
$(VENV)/.reliability-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,reliability]'
	touch $@

reliability: setup $(VENV)/.reliability-installed
	$(BIN)/python -m reliability

# Regenerate the translation catalogues after changing UI text.
messages: setup
	cd src/madoguchi && ../../$(BIN)/madoguchi makemessages --locale ja --locale en --no-obsolete --ignore 'conf/*'
	cd src/madoguchi && ../../$(BIN)/madoguchi makemessages --locale ja --locale en -d djangojs --no-obsolete

# A production-shaped instance on this machine: nginx (TLS) in front of two app processes, a
# job worker per queue and the scheduler, under supervisord, on PostgreSQL with the production
# settings; configured by var/production/env (made once) and the environment. See
# docs/operations/deployment.md. `production-demo` also loads the demo municipalities (public passwords).
PRODUCTION := $(BIN)/python -m deploy.production

production: $(VENV)/.installed node_modules/.installed
	$(PRODUCTION) start

production-demo: $(VENV)/.installed node_modules/.installed
	$(PRODUCTION) start --demo

production-stop: $(VENV)/.installed
	$(PRODUCTION) stop

production-status: $(VENV)/.installed
	$(PRODUCTION) status

# Start the instance (unless running), make real requests through nginx, stop it again.
production-check: $(VENV)/.installed node_modules/.installed
	$(PRODUCTION) check

# The wheel a server installs: compiled translations, catalog, static files and PDF font inside.
dist: setup
	rm -rf build dist
	$(BIN)/pip wheel --no-deps --wheel-dir dist .

# Refresh the hash-pinned lock files of the whole dependency tree from pyproject.toml.
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --no-header --output-file requirements/lock.txt
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 --extra dev \
		--python-platform x86_64-manylinux_2_28 --no-header --output-file requirements/dev-lock.txt

clean:
	rm -rf $(VENV) node_modules var build dist
