#!/usr/bin/env bash
# make test: generated files fresh, code clean, then every Go test (with the
# given go test flags) against a throwaway PostgreSQL cluster and a real headless chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}

scripts/check-generated.sh
echo "generated files: fresh"
make -s lint
echo "lint: clean"

if [ -z "${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests…"
  if [ "$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
  else sudo sh -c 'apt-get update -qq && apt-get install -y -qq chromium' >/dev/null; fi
fi

dir=.data/test-pg
# Tests throw their databases away: durability buys nothing here.
PGCLUSTER_FSYNC=off PGCLUSTER_PORT=${PGCLUSTER_PORT:-54400} scripts/pgcluster start "$dir"
trap 'scripts/pgcluster stop "$dir"' EXIT
set -a; . "$dir/env"; set +a
go test "$@" ./...
