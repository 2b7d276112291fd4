# The two commands of the README: `make run` (set up, migrate, serve on the embedded default) and
# `make test` (set up, then every gate and the whole test suite). Everything else here serves those two.
SHELL := /bin/bash
# Some shells set PYTHONDONTWRITEBYTECODE: then every Python process (each test worker, each server and CLI a
# test starts) compiles every module it imports from source again, 9 s of CPU for the app's imports against 3 s
# from the bytecode cache. The cache is written next to the sources (__pycache__/, ignored by git).
unexport PYTHONDONTWRITEBYTECODE
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
CARGO_JOBS ?= 2
PYTEST_ARGS ?=
# The gates and the tests also need the optional tracing packages (OpenTelemetry); `make run` does not: they
# would slow its start (redis-py imports OpenTelemetry's SDK whenever it is installed).
SYNC_ARGS ?=

.PHONY: help setup run test lint typecheck rust-check rust-lint rust-test matcher-service matcher-service-dev docker-lint py-test messages bench bench-http bench-users bench-rounds clean

help:
	@echo "make run   - set up and serve the API on the embedded default (SQLite, in-memory cache)"
	@echo "make test  - set up and run every gate and the whole test suite"

$(UV):
	$(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv

setup: $(UV)
	@command -v cargo >/dev/null || { echo "a Rust toolchain (cargo) is needed to build the matcher"; exit 1; }
	$(UV) sync --frozen $(SYNC_ARGS)

lint typecheck py-test docker-lint test: SYNC_ARGS = --extra tracing

run: setup
	$(BIN)/skillbridge serve

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

# The API's messages: extract every N_("...") into the template, and merge it into each language's catalog (new
# messages arrive empty, changed ones fuzzy: tests/unit/adapters/test_catalogs.py fails until they are translated).
LOCALE := src/skillbridge/adapters/i18n/locale
messages: setup
	$(BIN)/pybabel extract --no-default-keywords -k N_ --no-location --sort-output -w 120 --project SkillBridge \
		-o $(LOCALE)/messages.pot src/skillbridge
	for language in fr pt ar sw; do \
		$(BIN)/pybabel update --no-location --ignore-obsolete -w 120 -i $(LOCALE)/messages.pot -d $(LOCALE) -l $$language; \
	done

rust-check: rust-lint rust-test

rust-lint:
	cd matcher-rs && cargo fmt --all --check
	cd matcher-rs && cargo clippy --workspace --all-targets -j $(CARGO_JOBS) -- -D warnings

rust-test:
	cd matcher-rs && { if command -v cargo-nextest >/dev/null; then cargo nextest run --workspace -j $(CARGO_JOBS); \
		else cargo test --workspace -j $(CARGO_JOBS); fi; }

# The release binary of the matcher-rs HTTP service, as deployed (the Dockerfile builds the same).
matcher-service:
	cd matcher-rs && cargo build --release -p matcher-service -j $(CARGO_JOBS)

# The binary the remote-engine tests start: the dev profile (seconds to build where the release's thin LTO takes
# minutes; the tests send it a few dozen learners, not a platform's round). Built here, before pytest, so that no
# test worker compiles Rust while the other one runs tests (cargo skips it when fresh).
matcher-service-dev:
	cd matcher-rs && cargo build -p matcher-service -j $(CARGO_JOBS)

py-test: setup matcher-service-dev
	$(BIN)/pytest -n 2 --cov --cov-report=term --cov-report=xml $(PYTEST_ARGS)

docker-lint: setup
	bash scripts/hadolint.sh

# The Rust side (the binary pytest needs, then clippy) runs in the background while the Python gates run, mypy on
# one core; its log is printed once it ends, and a failure there fails `make test` like any gate. The Rust tests
# and pytest follow.
test: setup
	@mkdir -p .cache
	@$(MAKE) --no-print-directory matcher-service-dev rust-lint > .cache/rust-gates.log 2>&1 & rust=$$!; \
	gates=0; $(MAKE) --no-print-directory lint typecheck docker-lint || gates=$$?; \
	rusted=0; wait $$rust || rusted=$$?; cat .cache/rust-gates.log; \
	if [[ $$gates -ne 0 || $$rusted -ne 0 ]]; then exit 1; fi
	$(MAKE) --no-print-directory rust-test py-test

bench: setup
	$(BIN)/python bench/matching.py

# HTTP side by side with the DRF twin, and the concurrent-users scenario (PostgreSQL and Redis on this machine,
# wrk installed); see docs/benchmarks.md. BENCH_ARGS passes options, e.g. BENCH_ARGS="--duration 5s".
BENCH_ARGS ?=
bench-http: setup
	$(BIN)/python bench/http_vs_twin.py $(BENCH_ARGS)

bench-users: setup
	$(BIN)/python bench/concurrent_users.py $(BENCH_ARGS)

bench-rounds: setup
	$(BIN)/python bench/rounds.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage coverage.xml matcher-rs/target
