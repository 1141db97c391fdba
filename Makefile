# gridplan — the two commands that matter are `make run` and `make test`.
GO      ?= go
BIN     := bin/gridplan
ADDR    ?= :8080
DB      ?= sqlite:./var/gridplan.db
export CGO_ENABLED := 1

.PHONY: run build test vet bench clean

## run: build, then serve on $(ADDR) with the embedded store, loading the demo city on first start
run: build
	./$(BIN) serve --addr $(ADDR) --db $(DB) --demo

## build: the one binary, bin/gridplan
build:
	$(GO) build -o $(BIN) ./cmd/gridplan

## test: vet and every test with the race detector (PostgreSQL tests need TEST_DATABASE_URL);
# -count=1 because cached results would hide a database or PostGIS gone missing.
# The race detector slows SQLite's transpiled C about 30×, so under -race the
# conformance suite's bulk case loads 20k rows; the second line runs that case
# again without -race at its full 100k rows, on both stores.
test: vet
	$(GO) test -race -count=1 -timeout 20m ./...
	$(GO) test -count=1 -run '^TestConformance$$/^bulk' ./data/sqlite ./data/postgres

vet:
	$(GO) vet ./...

## bench: every benchmark once (compare runs with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
