# PEP — the two commands of a fresh machine are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ENV := . scripts/env.sh &&
ADDR ?= 127.0.0.1:3000
# Packages and features of the native (server-side) build.
NATIVE := -p pep -p app -p server --features app/ssr

.PHONY: run test setup model build fmt lint unit e2e api-fuzz fuzz bench clean

## run: install what is missing, build the release site, serve the playground
run:
	scripts/setup.sh --run
	$(ENV) scripts/leptos.sh build --release
	$(ENV) LEPTOS_SITE_ROOT=target/site "$$PEP_SITE_BIN" --addr $(ADDR) --data-dir "$$PEP_DATA_DIR"

## test: formatting, lints, unit and integration tests, release build, browser
## tests, a short run of every fuzz target
test: setup fmt lint unit e2e fuzz

setup:
	scripts/setup.sh

model:
	scripts/fetch-model.sh

build:
	$(ENV) scripts/leptos.sh build --release

fmt:
	$(ENV) cargo fmt --all --check

# Native builds use the release profile throughout, so llama.cpp (a long C++
# build) is compiled once for lints, tests and the served binary alike. The
# browser build (the app with `hydrate`, through `frontend`) is linted for
# wasm32 too.
lint:
	$(ENV) cargo clippy --release $(NATIVE) --all-targets -- -D warnings
	$(ENV) cargo clippy -p pep --no-default-features --all-targets -- -D warnings
	$(ENV) cargo clippy -p frontend --target wasm32-unknown-unknown $$PEP_WASM_CARGO_ARGS -- -D warnings

# The store suite runs on SQLite, on PostgreSQL (127.0.0.1:5432) and through a
# throwaway PgBouncer in transaction pooling mode, started here.
unit:
	url="$$(scripts/pgbouncer.sh start)"; trap 'scripts/pgbouncer.sh stop' EXIT; \
	$(ENV) PEP_TEST_PGBOUNCER_URL="$$url" PEP_TEST_MODEL="$$PEP_MODEL_FILE" cargo test --release $(NATIVE)

e2e: build
	$(ENV) cd end2end && PEP_BIN="$$PEP_SITE_BIN" npx playwright test

# schemathesis (PyPI, pinned) against the release binary and the replay server.
# Not yet in `test`: three findings are left (see the hardening issue's notes).
api-fuzz: build
	scripts/api-fuzz.sh

# cargo-fuzz on fuzz/: PEP_FUZZ_SECONDS per target (default 30).
fuzz:
	scripts/fuzz.sh

## bench: the benchmarks' figures (local model, provider overhead, input bounds)
bench:
	$(ENV) PEP_TEST_MODEL="$$PEP_MODEL_FILE" cargo bench -p pep

clean:
	rm -rf target end2end/test-results end2end/playwright-report
