#!/usr/bin/env bash
# make run: the portal with demo data on :8080 (PORTAL_ADDR overrides). Without
# DATABASE_URL it starts a private PostgreSQL cluster under .data/pg, and stops it
# again on Ctrl-C; running it again reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."

own_cluster=
own_clamd=
if [ -z "${DATABASE_URL:-}" ]; then
  scripts/pgcluster start .data/pg
  own_cluster=1
  trap 'scripts/pgcluster stop .data/pg' EXIT
  set -a; . .data/pg/env; set +a
  ln -sf pg/env .data/env
fi
if [ -z "${CLAMD_ADDR:-}" ]; then
  # freshclam's database when installed, else the test signature with a loud warning.
  scripts/clamd start .data/clamd
  own_clamd=1
  trap '[ -z "$own_cluster" ] || scripts/pgcluster stop .data/pg; scripts/clamd stop .data/clamd' EXIT
  set -a; . .data/clamd/env; set +a
fi
export PORTAL_KEYS_DIR=${PORTAL_KEYS_DIR:-.data/keys}
export PORTAL_CREATE_KEYS=${PORTAL_CREATE_KEYS:-1} # development: generate the keysets on first start
addr=${PORTAL_ADDR:-:8080}
export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://localhost:${addr##*:}}

bin/portal migrate
# The seed does nothing once staff exist; the logins it printed the first time are kept.
seeded=$(bin/portal seed --demo)
case "$seeded" in
  *"nothing seeded"*) echo "demo logins: see .data/demo-logins.txt" ;;
  *) (umask 077; echo "$seeded" > .data/demo-logins.txt); chmod 600 .data/demo-logins.txt; echo "$seeded" ;;
esac
cat <<MSG

  The Privacy Portal is at $PORTAL_BASE_URL/
    public site      $PORTAL_BASE_URL/   ·   policy $PORTAL_BASE_URL/privacy
    back-office      $PORTAL_BASE_URL/admin/login   (no authenticator app? make demo-code EMAIL=sales@demo.alegria.tech)
    database shell   make psql           ·   Ctrl-C stops the server and the database

MSG
# Metrics on a free loopback port (logged at start): several checkouts may run at once.
export PORTAL_METRICS_ADDR=${PORTAL_METRICS_ADDR:-127.0.0.1:0} PORTAL_DRAIN_DELAY=${PORTAL_DRAIN_DELAY:-0s}
# Not exec: the EXIT trap must stop the cluster after the server has shut down.
bin/portal serve &
pid=$!
stop() {
  kill -TERM $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  if [ -n "$own_cluster" ]; then echo "stopping the database…"; scripts/pgcluster stop .data/pg; fi
  if [ -n "$own_clamd" ]; then scripts/clamd stop .data/clamd; fi
}
trap stop EXIT
trap 'exit 0' INT TERM
wait $pid
