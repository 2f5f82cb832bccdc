#!/usr/bin/env bash
# make run: the portal with demo data on :8080 (PORTAL_ADDR overrides). Without
# DATABASE_URL it starts a private PostgreSQL cluster under .data/pg, and stops it
# again on Ctrl-C; running it again reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."

own_cluster=
own_clamd=
pid=
# One cleanup for every way out (Ctrl-C, SIGTERM, an error, the server ending): the
# cluster and clamd run in sessions of their own, so no signal reaches them but this.
# `timeout make run` delivers SIGTERM twice (make forwards it, timeout signals the
# whole group): the cleanup ignores further signals so the second cannot cut it short.
stop() {
  trap '' INT TERM
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi
  if [ -n "$own_cluster" ]; then echo "stopping the database…"; scripts/pgcluster stop .data/pg || true; own_cluster=; fi
  if [ -n "$own_clamd" ]; then scripts/clamd stop .data/clamd || true; own_clamd=; fi
}
trap stop EXIT
trap 'exit 0' INT TERM
if [ -z "${DATABASE_URL:-}" ]; then
  own_cluster=1 # set before starting: a signal during the start still stops it
  scripts/pgcluster start .data/pg
  set -a; . .data/pg/env; set +a
  ln -sf pg/env .data/env
fi
if [ -z "${CLAMD_ADDR:-}" ]; then
  # freshclam's database when installed, else the test signature with a loud warning.
  own_clamd=1
  scripts/clamd start .data/clamd
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
wait $pid
