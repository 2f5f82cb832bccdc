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

if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
  echo "installing Debian's clamav-daemon for the upload scanner tests…"
  if [ "$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon) >/dev/null
  else sudo sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon' >/dev/null; fi
fi

dir=.data/test-pg
clamdir=.data/test-clamd
# Tests throw their databases away: durability buys nothing here.
PGCLUSTER_FSYNC=off PGCLUSTER_PORT=${PGCLUSTER_PORT:-26432} scripts/pgcluster start "$dir"
trap 'scripts/pgcluster stop "$dir"' EXIT
# The upload scanner with the project's EICAR test signature only (starts in a second).
CLAMD_SIGNATURES=test CLAMD_PORT=${CLAMD_PORT:-23410} scripts/clamd start "$clamdir"
trap 'scripts/pgcluster stop "$dir"; scripts/clamd stop "$clamdir"' EXIT
set -a; . "$dir/env"; . "$clamdir/env"; set +a
go test "$@" ./...
