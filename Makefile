# The Privacy Portal. `make run` serves it with demo data; `make test` runs everything.
export GOTOOLCHAIN := go1.27.3
SHELL := /bin/bash

GO_TEST_FLAGS ?= -race -count=1 -timeout 30m

.PHONY: run build test lint fuzz vulncheck faults generate css check-generated bench psql demo-code node_modules clean

run: build
	@scripts/run.sh

build:
	go build -o bin/portal ./cmd/portal

# Everything, on a throwaway PostgreSQL cluster under .data/test-pg.
test: node_modules
	@scripts/test.sh $(GO_TEST_FLAGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	go tool staticcheck ./...

# Every go test -fuzz target (decoders and validators) for FUZZTIME each (default 10s).
fuzz:
	@scripts/fuzz.sh

# Known vulnerabilities (govulncheck, offline database from the module proxy; accepted ones
# with their reasons in vulncheck-exceptions.txt) and gosec (exclusions reasoned in .gosec.json).
vulncheck:
	@scripts/vulncheck.sh

# PostgreSQL and the portal killed under load, and a SIGTERM with slow requests: prints what was
# acknowledged and found, what the site answered meanwhile (about 2 minutes, loopback only).
faults: build
	go run ./scripts/faults

# Regenerate templ components and the stylesheet (both are committed).
generate: node_modules
	go tool templ generate -path views
	npx tailwindcss -i static/css/input.css -o static/css/app.css --minify

css: node_modules
	npx tailwindcss -i static/css/input.css -o static/css/app.css --minify

check-generated: node_modules
	@scripts/check-generated.sh

node_modules: package-lock.json
	@[ -d node_modules/tailwindcss ] && [ node_modules -nt package-lock.json ] || { npm ci --no-audit --no-fund --loglevel=error && touch node_modules; }

bench: build
	@scripts/bench.sh

# The owner role, scoped to every purpose (restricted records included): with
# FORCE ROW LEVEL SECURITY an unscoped session would see no record at all.
psql: build
	@set -a; . .data/pg/env; set +a; echo "psql as the owner, scoped to every purpose (portal.purposes)"; \
	PGOPTIONS="-c portal.purposes=$$(bin/portal policy purposes) -c portal.restricted=on" psql "$$MIGRATE_DATABASE_URL"

# The current TOTP code of a demo account (no authenticator app needed to try the back-office):
# make demo-code EMAIL=sales@demo.alegria.tech
demo-code: build
	@set -a; . .data/pg/env; set +a; PORTAL_KEYS_DIR=$${PORTAL_KEYS_DIR:-.data/keys} PORTAL_CREATE_KEYS=1 bin/portal staff demo-code --email "$(EMAIL)"

clean:
	rm -rf bin .bench
