# Madoguchi. Quick start: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export MADOGUCHI_BASE_DIR := $(CURDIR)

.PHONY: run test setup lint bench bench-queue bench-assistant bench-signatures messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed
	cd src/madoguchi && ../../$(BIN)/madoguchi compilemessages --verbosity 0

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
	$(BIN)/ruff check src tests bench
	$(BIN)/madoguchi catalog check > /dev/null

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

# Signatures: verifications/s, signed PDFs/s, signed vs unsigned submit latency (docs/signatures.md).
bench-signatures: setup
	$(BIN)/python bench/signatures.py

# Regenerate the translation catalogues after changing UI text.
messages: setup
	cd src/madoguchi && ../../$(BIN)/madoguchi makemessages --locale ja --locale en --no-obsolete --ignore 'conf/*'
	cd src/madoguchi && ../../$(BIN)/madoguchi makemessages --locale ja --locale en -d djangojs --no-obsolete

clean:
	rm -rf $(VENV) node_modules var
