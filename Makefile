# The two commands a newcomer needs: `make dev` (the local stack) and `make test` (everything CI
# runs). Every target sets up what it needs itself.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed-$(shell cksum < requirements-dev.txt | cut -d' ' -f1)
# The Python tools install in pip's hash-checking mode from locks that `make lock` writes from the
# *.in files: every package pinned, dependencies included, with the sha256 of each of its files on
# PyPI. Wheels only: an sdist's build backend would come unhashed. A lock is the whole set, so pip
# installs exactly it (--no-deps), then `pip check` confirms that nothing is missing
# (docs/security.md#supply-chain).
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: --no-deps

# Every process that uses the AWS SDK locally gets dummy static credentials, no instance-metadata
# lookups, and an endpoint on loopback. The stack points its clients at moto explicitly; the
# fallback endpoint below is a closed loopback port, so a client that missed it fails fast
# instead of reaching for AWS.
LOCAL_AWS := env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
             AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
             AWS_REGION=$${AWS_REGION:-us-east-1} \
             AWS_ENDPOINT_URL=http://127.0.0.1:9 MOTO_SERVER=$(CURDIR)/$(VENV)/bin/moto_server

.PHONY: help dev test test-web web chromium nodejs mutants audit lock lint fmt venv toolchain build build-tools build-check deploy stack-outputs bench bench-quick clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt
	@echo "==> Python virtualenv in $(VENV) (moto, pytest, pycognito, ruff, cfn-lint, SAM CLI, schemathesis, Playwright)"
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$(python3 --version 2>&1))"; exit 1; }
	@python3 -m venv --clear $(VENV)
	@$(PY) $(PIP_INSTALL) -r requirements-dev.txt
	@out=$$($(PY) -m pip check) || { echo "$$out"; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP) ## Create the Python virtualenv with the pinned tools

# The oldest Rust that builds the workspace is Cargo.toml's rust-version; say so plainly rather
# than let an old compiler fail on some edition-2024 syntax.
RUST_MIN := $(shell sed -n 's/^rust-version = "\(.*\)"$$/\1/p' Cargo.toml)
toolchain:
	@command -v cargo >/dev/null || { echo "Rust is needed: cargo, rustc, rustfmt and clippy ($(RUST_MIN) or newer)"; exit 1; }
	@v=$$(rustc --version | cut -d' ' -f2); printf '%s\n%s\n' "$(RUST_MIN)" "$$v" | sort -V -C || { echo "Rust $(RUST_MIN) or newer is needed (found $$v)"; exit 1; }

# One make dev per directory: the stack holds .dev/lock. A second one stops before it rebuilds
# web/dist under the running one (the stack itself prints who holds the lock, and exits 1).
dev: toolchain $(STAMP) ## Start the local stack: API on http://127.0.0.1:3000, web app on http://localhost:5173 (PORT=, WEB_PORT=; Ctrl-C stops)
	@echo "==> Building the local stack (the first build takes a few minutes)"
	@cargo build --quiet -p local-stack
	@if [ -e .dev/lock ] && command -v flock >/dev/null && ! flock --nonblock .dev/lock true; then \
	  $(LOCAL_AWS) ./target/debug/local-stack; exit 1; fi
	@$(MAKE) --no-print-directory web
	@$(LOCAL_AWS) ./target/debug/local-stack

# The web parts come from npm's registry: `npm ci` in each package when its package-lock.json
# changes (a stamp in node_modules, as for the virtualenv), then the app's production build,
# which `make dev` serves on its own origin and the browser tests drive.
NODE_MIN     := 20.19
npm_stamp     = $(1)/node_modules/.installed-$(shell cksum < $(1)/package-lock.json 2>/dev/null | cut -d' ' -f1)
CLIENT_STAMP := $(call npm_stamp,clients/typescript)
WEB_STAMP    := $(call npm_stamp,web)

nodejs:
	@command -v npm >/dev/null || { echo "Node.js $(NODE_MIN) or newer, with npm, is needed for the web app"; exit 1; }
	@v=$$(node --version | tr -d v); printf '%s\n%s\n' "$(NODE_MIN)" "$$v" | sort -V -C || { echo "Node.js $(NODE_MIN) or newer is needed (found $$v)"; exit 1; }

$(CLIENT_STAMP): clients/typescript/package-lock.json | nodejs
	@echo "==> npm ci in clients/typescript (the TypeScript client)"
	@cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
	@rm -f clients/typescript/node_modules/.installed-* && touch $@

$(WEB_STAMP): web/package-lock.json | nodejs
	@echo "==> npm ci in web (the reference web app)"
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@rm -f web/node_modules/.installed-* && touch $@

web: $(CLIENT_STAMP) $(WEB_STAMP) ## Build the reference web app into web/dist (npm ci, then npm run build)
	@echo "==> npm run build in web (type check, then vite build into web/dist)"
	@cd web && npm run --silent build

# Debian's Chromium, installed when missing (apt-get update only if the install fails); the
# browser tests never download one.
chromium:
	@[ -x /usr/bin/chromium ] || { \
	  echo "==> Installing Debian's chromium (the browser tests drive /usr/bin/chromium)"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get install -y -q chromium >/dev/null || \
	  { $$sudo apt-get update -q >/dev/null && $$sudo apt-get install -y -q chromium >/dev/null; }; }

test: toolchain $(STAMP) lint ## Run every check and test, as CI does
	@echo "==> pytest crates/local-stack/emulator (the strict Cognito emulator's own tests)"
	@$(LOCAL_AWS) $(PY) -m pytest -q -p no:cacheprovider crates/local-stack/emulator/tests
	@echo "==> cargo test (unit, handler, authorizer and end-to-end tests against the strict emulator; make bench's micro-benchmarks, once each)"
	@$(LOCAL_AWS) cargo test --workspace --all-targets --locked
	@echo "==> cargo test --doc (the examples in the documentation)"
	@cargo test --workspace --doc --locked --quiet
	@$(MAKE) --no-print-directory test-web
	@$(MAKE) --no-print-directory bench-quick

test-web: toolchain $(STAMP) web chromium ## The TypeScript client's tests, then the browser tests: Playwright drives Debian's Chromium against make dev's stack (in make test)
	@echo "==> clients/typescript: tsc --noEmit, vitest (the session helper; src/schema.d.ts against openapi.yaml), the gzipped size against its budget"
	@cd clients/typescript && npm run --silent typecheck && npm test --silent && npm run --silent size
	@echo "==> cargo build --workspace --all-targets (the local stack, with cargo test's features: nothing to rebuild after it)"
	@cargo build --workspace --all-targets --locked --quiet
	@echo "==> pytest web/tests (/usr/bin/chromium against the local stack and web/dist; screenshots in web/test-results/screenshots)"
	@$(LOCAL_AWS) $(PY) -m pytest -q -p no:cacheprovider web/tests

lint: $(STAMP) ## Formatting, clippy and the template linters
	@echo "==> cargo fmt --check"
	@cargo fmt --all -- --check
	@echo "==> cargo clippy"
	@cargo clippy --workspace --all-targets --locked --quiet -- -D warnings
	@echo "==> ruff check, ruff format --check (the emulator's Python, the browser tests)"
	@$(VENV)/bin/ruff check --quiet crates/local-stack/emulator web/tests tools/mutants.py
	@$(VENV)/bin/ruff format --check --quiet crates/local-stack/emulator web/tests tools/mutants.py
	@echo "==> openapi-spec-validator openapi.yaml"
	@$(VENV)/bin/openapi-spec-validator openapi.yaml
	@echo "==> cfn-lint template.yaml"
	@$(VENV)/bin/cfn-lint template.yaml
	@echo "==> sam validate --lint (offline; telemetry off)"
	@SAM_CLI_TELEMETRY=0 AWS_EC2_METADATA_DISABLED=true $(VENV)/bin/sam validate --lint --region us-east-1 --template template.yaml

fmt: ## Format the code
	@cargo fmt --all

# The frontend's rows: the client's and the app's gzipped sizes (beside the client's budget) and
# the sign-in time in headless Chromium against the local stack (web/tests/bench_sign_in.py).
WEB_BENCH := $(PY) -m pytest -q -s -p no:cacheprovider web/tests/bench_sign_in.py

bench: $(STAMP) web chromium ## Measure: verify and the authorizer's decision vs raw RSA; SRP vs its floor; admin list calls; size, cold start, memory of every Lambda; warm overhead; the web client's size and the sign-in time in Chromium
	@echo "==> cargo bench -p cognito-verifier --bench verify (full verify path vs raw RSA-2048 verify)"
	@cargo bench --locked -p cognito-verifier --bench verify 2>&1 | grep -vE '^\s*(Compiling|Benchmarking|Found|[0-9]+ \(|$$)'
	@echo "==> cargo bench -p authorizer --bench decision (the whole decision, event in, response out, vs raw RSA-2048 verify)"
	@cargo bench --locked -p authorizer --bench decision 2>&1 | grep -vE '^\s*(Compiling|Benchmarking|Found|[0-9]+ \(|$$)'
	@echo "==> cargo bench -p auth-domain --bench srp (CPU per SRP sign-in vs aws-lc's constant-time floor)"
	@cargo bench --locked -p auth-domain --bench srp 2>&1 | grep -vE '^\s*(Compiling|Benchmarking|Found|[0-9]+ \(|$$)'
	@echo "==> cargo bench -p auth-domain --bench admin_list (Cognito calls and time of a 60-user GET /users)"
	@cargo bench --locked -p auth-domain --bench admin_list 2>&1 | grep -vE '^\s*(Compiling|Running|Finished|$$)'
	@echo "==> cargo build --release: the Lambdas as deployed (default members), then lambda-bench (the first release build takes several minutes)"
	@cargo build --release --locked --quiet && cargo build --release --locked --quiet -p lambda-bench
	@echo "==> target/release/lambda-bench $${BENCH_RUNS:-21} $${WARM_ROUNDS:-300} (cold starts, peak RSS, warm rounds)"
	@$(LOCAL_AWS) ./target/release/lambda-bench $${BENCH_RUNS:-21} $${WARM_ROUNDS:-300}
	@echo "==> web: gzipped sizes of the client and the app; sign-in time in headless Chromium, median of $${SIGN_IN_RUNS:-11}"
	@cargo build --locked --quiet -p local-stack
	@$(LOCAL_AWS) $(WEB_BENCH)

# make bench's other rows once, small counts, so a bench that breaks fails CI; then each release
# Lambda answers odd API Gateway events and lives on. The micro-benchmarks of make bench run in
# cargo test above (criterion's test mode, then their interleaved rounds). lambda-bench itself is
# the debug build: `cargo build --workspace --all-targets` shares every dependency with cargo
# test, where a release lambda-bench would compile the local stack again with LTO.
bench-quick: $(STAMP) web chromium ## make bench's Lambda and web rows once with small counts, and odd events on every release Lambda (in make test)
	@echo "==> cargo build --release: the Lambdas as deployed (the first release build takes several minutes)"
	@cargo build --release --locked --quiet
	@echo "==> cargo build --workspace --all-targets (lambda-bench, from cargo test's build)"
	@cargo build --workspace --all-targets --locked --quiet
	@echo "==> lambda-bench quick (every row once, small counts; then odd REST and authorizer events on each release Lambda)"
	@$(LOCAL_AWS) BENCH_BIN_DIR=target/release ./target/debug/lambda-bench quick
	@echo "==> web: gzipped sizes of the client and the app; one sign-in in headless Chromium"
	@$(LOCAL_AWS) SIGN_IN_RUNS=1 $(WEB_BENCH)

# Mutation testing of the security core: cargo-mutants, pinned, from crates.io into .tools on first
# use (--locked: the versions of its own Cargo.lock, each crate checked against crates.io's
# sha256). Run it after any change to the verifier, authorizer/src/policy.rs, or the domain's
# secret_hash.rs, srp.rs or input.rs (docs/testing.md says how long it takes).
MUTANTS_VERSION := 27.1.0
MUTANTS_BIN     := .tools/bin/cargo-mutants

$(MUTANTS_BIN):
	@echo "==> cargo install cargo-mutants $(MUTANTS_VERSION) into .tools"
	@cargo install --locked --quiet --root .tools cargo-mutants --version $(MUTANTS_VERSION)

mutants: toolchain $(STAMP) $(MUTANTS_BIN) ## Mutation testing of the verifier, the policy, SECRET_HASH, SRP, the input rules and the step-up check (SCOPES="verifier policy domain")
	@$(LOCAL_AWS) PATH="$(CURDIR)/.tools/bin:$$PATH" $(PY) tools/mutants.py $(SCOPES)

# The tools that write and check the Python locks (uv, pip-audit) live in their own virtualenv,
# itself installed from a hashed lock, requirements-tools.txt.
TOOLS_PY    := .tools/py
TOOLS_STAMP := $(TOOLS_PY)/.installed-$(shell cksum < requirements-tools.txt | cut -d' ' -f1)

$(TOOLS_STAMP): requirements-tools.txt
	@echo "==> uv and pip-audit from PyPI into $(TOOLS_PY) (requirements-tools.txt)"
	@python3 -m venv --clear $(TOOLS_PY)
	@$(TOOLS_PY)/bin/python $(PIP_INSTALL) -r requirements-tools.txt
	@touch $@

# Each lock keeps the pins it has unless its .in file asks otherwise; LOCK_ARGS=--upgrade takes
# the newest of everything, LOCK_ARGS="--upgrade-package NAME" of one package.
lock: $(TOOLS_STAMP) ## Write requirements-{dev,build,tools}.txt from the .in files: all dependencies pinned, every file's sha256, for every platform (uv pip compile)
	@for f in dev build tools; do \
	  echo "==> uv pip compile requirements-$$f.in -> requirements-$$f.txt"; \
	  $(TOOLS_PY)/bin/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	    --custom-compile-command 'make lock' $(LOCK_ARGS) requirements-$$f.in -o requirements-$$f.txt || exit 1; done

# Known advisories against what is pinned: cargo-audit (pinned, into .tools like cargo-mutants)
# reads Cargo.lock against the RustSec database, which it fetches (ADVISORY_DB=path: a local clone
# instead, even an old one); npm audit asks the npm registry about both package-lock.json files;
# pip-audit asks PyPI about the Python locks (--strict: a package it cannot look up fails too).
# Online, so not in make test. Every check runs; any finding fails the target.
AUDIT_VERSION := 0.22.2
AUDIT_BIN     := .tools/bin/cargo-audit

$(AUDIT_BIN):
	@echo "==> cargo install cargo-audit $(AUDIT_VERSION) into .tools"
	@cargo install --locked --quiet --root .tools cargo-audit --version $(AUDIT_VERSION)

audit: toolchain $(AUDIT_BIN) $(TOOLS_STAMP) | nodejs ## Known advisories in Cargo.lock (RustSec), both package-lock.json and the Python locks (ADVISORY_DB=path: a local RustSec clone)
	@ok=true; \
	echo "==> cargo audit (Cargo.lock against the RustSec advisory database$(if $(ADVISORY_DB), in $(ADVISORY_DB)))"; \
	$(AUDIT_BIN) audit $(if $(ADVISORY_DB),--db $(ADVISORY_DB) --no-fetch --stale) || ok=false; \
	for d in clients/typescript web; do \
	  echo "==> npm audit in $$d (package-lock.json)"; (cd $$d && npm audit) || ok=false; done; \
	echo "==> pip-audit (requirements-dev.txt, requirements-build.txt, requirements-tools.txt)"; \
	$(TOOLS_PY)/bin/pip-audit --progress-spinner off --disable-pip --require-hashes --strict \
	  -r requirements-dev.txt -r requirements-build.txt -r requirements-tools.txt || ok=false; \
	$$ok

# Cross-compiling for arm64 takes cargo-lambda and Zig: both come from PyPI into the virtualenv on
# first use (the cargo-lambda wheel is its released binary, so nothing compiles), pinned in
# requirements-build.txt. Build commands run with the virtualenv's bin first on PATH, so `cargo
# lambda` and `sam build` use these versions whatever else is installed.
BUILD_STAMP := $(VENV)/.build-tools-$(shell cksum < requirements-build.txt | cut -d' ' -f1)
BUILD_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"
SAM       := SAM_CLI_TELEMETRY=0 $(BUILD_ENV) $(VENV)/bin/sam
# The stack: STACK=..., else the one `sam deploy --guided` saved in samconfig.toml, else cognito-api.
STACK     ?= $(or $(shell sed -n 's/^stack_name = "\(.*\)"$$/\1/p' samconfig.toml 2>/dev/null | head -n1),cognito-api)

$(BUILD_STAMP): $(STAMP) requirements-build.txt
	@echo "==> cargo-lambda and Zig from PyPI into $(VENV) (requirements-build.txt)"
	@$(PY) $(PIP_INSTALL) -r requirements-build.txt
	@rm -f $(VENV)/.build-tools-* && touch $@

build-tools: $(BUILD_STAMP) ## Install the pinned cargo-lambda and Zig into the virtualenv, and Rust's arm64 std
	@rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu

# The Lambdas are the workspace's default members (Cargo.toml), as for `sam build`.
build: build-tools ## Build every Lambda for arm64 (cargo lambda build --release --arm64)
	@$(BUILD_ENV) cargo lambda build --release --arm64 --locked
	@ls -1 target/lambda

# build-check runs the arm64 packages under qemu-user, with the arm64 C library from Debian.
ARM64_RUNNER := qemu-aarch64-static -L /usr/aarch64-linux-gnu
ARM64_DEBS   := qemu-user-static libc6-arm64-cross

build-check: build ## Start each arm64 package under qemu-user and a local Runtime API: each must answer
	@command -v qemu-aarch64-static >/dev/null && [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || { \
	  echo "==> Installing Debian's $(ARM64_DEBS) (runs the arm64 binaries here)"; \
	  $$([ "$$(id -u)" = 0 ] || echo sudo) apt-get install -y -q $(ARM64_DEBS) >/dev/null; }
	@cargo build --release --locked --quiet -p lambda-bench
	@echo "==> lambda-bench check target/lambda (under $(ARM64_RUNNER))"
	@$(LOCAL_AWS) LAMBDA_RUNNER="$(ARM64_RUNNER)" ./target/release/lambda-bench check target/lambda

# The outputs are saved by a new make, which reads the stack name a guided deploy just saved.
deploy: build-tools ## Deploy to AWS with SAM (guided the first time; STACK=name), save outputs for authctl
	@$(SAM) build
	@if [ -f samconfig.toml ]; then $(SAM) deploy --stack-name $(STACK); else $(SAM) deploy --guided --stack-name $(STACK); fi
	@$(MAKE) --no-print-directory stack-outputs

stack-outputs: $(STAMP) ## Save the deployed stack's outputs to .deploy/STACK.json (authctl's stack file)
	@mkdir -p .deploy && $(SAM) list stack-outputs --stack-name $(STACK) --output json > .deploy/$(STACK).json
	@echo "==> Stack outputs in .deploy/$(STACK).json; try: AUTHCTL_STACK=.deploy/$(STACK).json cargo run -q -p authctl -- --help"

clean: ## Remove build output, the virtualenv and local state
	@cargo clean
	@rm -rf $(VENV) .dev .aws-sam .tools web/dist web/test-results web/node_modules clients/typescript/node_modules clients/typescript/dist
