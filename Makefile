# Hotline: `make run` starts the hotline on the embedded database, `make test` runs every test.
# Both install what they need (as root) or say what to install.

GO        ?= go
BIN       := bin/hotline
DATA      ?= ./var
PKGS      := ./...
FUZZTIME  ?= 4s

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## install the programs the hotline and its tests use (PostgreSQL, SIPp, sox, acl) when missing
	@scripts/deps.sh

.PHONY: build
build: ## build bin/hotline
	$(GO) build -trimpath -o $(BIN) ./cmd/hotline

.PHONY: run
run: deps build ## start the hotline on the embedded database under ./var (Ctrl-C stops it)
	@scripts/first-call-hint.sh
	HOTLINE_DATA_DIR=$(DATA) exec $(BIN) serve

.PHONY: call
call: deps ## place a 10 s test call with SIPp to the hotline started by `make run`
	@scripts/call.sh

.PHONY: test
test: deps ## run the whole test suite (vet, race-enabled tests, short fuzzing)
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	@FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

.PHONY: fuzz
fuzz: ## fuzz every parser for a minute each (FUZZTIME=10m for longer)
	@FUZZTIME=$${FUZZTIME:-1m} scripts/fuzz.sh

.PHONY: bench
bench: deps build ## run the benchmarks: Go micro-benchmarks and the SIPp load test (bench/README.md)
	$(GO) test -run '^$$' -bench . -benchmem ./telephony/... ./recordings/...
	$(GO) run ./bench/load -calls 200 -duration 30s

.PHONY: lint
lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

.PHONY: prompts
prompts: ## make the built-in Vietnamese prompts again (espeak-ng, sox)
	telephony/prompts/generate.sh

.PHONY: clean
clean: ## remove bin/ (the data folder ./var is kept)
	rm -rf bin
