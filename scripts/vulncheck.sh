#!/usr/bin/env bash
# make vulncheck: known vulnerabilities and security static checks, offline.
#
# 1. govulncheck against a vulnerability database built from the golang.org/x/vulndb module,
#    which the Go module proxy serves (no access to vuln.go.dev needed). The database is
#    built once per vulndb version into .data/vulndb-VERSION (a minute or two) and reused.
#    scripts/vulncheck fails on any vulnerability the code calls that vulncheck-exceptions.txt
#    does not list with a reason.
# 2. gosec, with the exclusions and their reasons in .gosec.json (see there).
#
# VULNDB_VERSION picks a newer snapshot: go list -m -versions golang.org/x/vulndb is no help
# (pseudo-versions), so take one from the proxy's @latest: go list -m golang.org/x/vulndb@latest.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}

VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}
GOSEC_VERSION=${GOSEC_VERSION:-v2.30.0}

db=$PWD/.data/vulndb-$VULNDB_VERSION
if [ ! -f "$db/index/db.json" ]; then
  echo "vulncheck: building the vulnerability database from golang.org/x/vulndb@$VULNDB_VERSION (once)…"
  src=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src/data/osv" ] || { echo "vulncheck: golang.org/x/vulndb@$VULNDB_VERSION has no data/osv" >&2; exit 1; }
  rm -rf "$db.tmp"; mkdir -p "$(dirname "$db")"
  go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$db.tmp"
  rm -rf "$db"; mv "$db.tmp" "$db"
fi

echo "vulncheck: govulncheck $GOVULNCHECK_VERSION (database golang.org/x/vulndb@$VULNDB_VERSION)"
out=$(mktemp); trap 'rm -f "$out"' EXIT
# -json exits 0 with findings; a non-zero exit is govulncheck itself failing.
go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$db" -json ./... >"$out"
go run ./scripts/vulncheck -exceptions vulncheck-exceptions.txt <"$out"

echo "vulncheck: gosec $GOSEC_VERSION"
go run "github.com/securego/gosec/v2/cmd/gosec@$GOSEC_VERSION" -conf .gosec.json -quiet -exclude-generated ./...
echo "vulncheck: gosec clean"
