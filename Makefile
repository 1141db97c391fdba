# gridplan — the two commands that matter are `make run` and `make test`.
GO      ?= go
BIN     := bin/gridplan
ADDR    ?= :8080
DB      ?= sqlite:./var/gridplan.db
NPM     ?= npm
UI      := web/ui
export CGO_ENABLED := 1

.PHONY: run build ui ui-check test vet bench clean

## run: build, then serve on $(ADDR) with the embedded store, loading the demo city on first start
run: build
	./$(BIN) serve --addr $(ADDR) --db $(DB) --demo

## build: the one binary, bin/gridplan, with the front end embedded
build: ui
	$(GO) build -o $(BIN) ./cmd/gridplan

## ui: the front end (web/ui) into web/ui/dist, which the binary embeds;
# npm ci runs only when node_modules is missing or older than the lock file.
ui: $(UI)/node_modules/.package-lock.json
	cd $(UI) && $(NPM) run --silent build

$(UI)/node_modules/.package-lock.json: $(UI)/package-lock.json $(UI)/package.json
	@command -v $(NPM) >/dev/null || { echo "make ui: npm not found: install Node.js 20 or later (README, front end)"; exit 1; }
	cd $(UI) && $(NPM) ci --no-audit --no-fund
	@touch $@

## ui-check: type-check the front end (tsc --noEmit)
ui-check: $(UI)/node_modules/.package-lock.json
	cd $(UI) && $(NPM) run --silent check

## test: vet and every test with the race detector (PostgreSQL tests need TEST_DATABASE_URL);
# -count=1 because cached results would hide a database or PostGIS gone missing.
# The race detector slows SQLite's transpiled C about 30×, so under -race the
# conformance suite's bulk case loads 20k rows; the second line runs that case
# again without -race at its full 100k rows, on both stores.
# The browser tests (web/browser_test.go) need the built front end: ui first.
test: ui ui-check vet
	$(GO) test -race -count=1 -timeout 20m ./...
	$(GO) test -count=1 -run '^TestConformance$$/^bulk' ./data/sqlite ./data/postgres

vet:
	$(GO) vet ./...

## bench: every benchmark once (compare runs with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
	find $(UI)/dist -mindepth 1 ! -name PLACEHOLDER.txt -exec rm -rf {} +
