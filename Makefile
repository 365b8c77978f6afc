# CareCoord: two commands on a fresh machine.
#   make run   prepare PostgreSQL, migrate, load demo data into an empty database, serve
#   make test  prepare PostgreSQL and Chromium, vet and staticcheck, then the
#              whole suite with the race detector
#   make bench load the scale tenants once into carecoord_bench, serve, run
#              the open-loop mix and the yardstick; see docs/performance.md

BIN := bin/carecoord

.PHONY: run test bench build generate lint postgres chromium clean

run: postgres build
	$(BIN) migrate up
	$(BIN) seed demo -if-empty
	$(BIN) serve

test: postgres chromium lint
	CARECOORD_REQUIRE_BROWSER=1 go test -race -count=1 -timeout 30m ./...

# Not part of test: it takes minutes and a loaded database.
bench:
	@bash .ci/bench.sh

build:
	go build -o $(BIN) ./cmd/carecoord

# Regenerate the templ components after editing a .templ file; the output is
# committed, and a test fails when it is stale.
generate:
	go tool templ generate

postgres:
	@bash .ci/postgres.sh

chromium:
	@bash .ci/chromium.sh

clean:
	rm -rf bin

# Static checks (staticcheck is pinned in go.mod); make test runs them
# first, so CI enforces them. templ fmt is checked by a test in web/.
lint:
	go vet ./...
	go tool staticcheck ./...
