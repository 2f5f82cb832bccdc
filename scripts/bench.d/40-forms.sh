# Issue 4: POST /contact (validate, encrypt, subject + record + consent rows +
# outbox receipt in one transaction) against a pgbench single-row insert.
# Sourced by scripts/bench.sh, which provides bench_wrk, bench_pgbench and
# bench_ratio. The server must run with PORTAL_FORM_RATE=0 (no per-IP limit).
here=$(dirname "${BASH_SOURCE[0]}")
"$PGCLUSTER_BINDIR/psql" -q "$MIGRATE_DATABASE_URL" -c 'CREATE TABLE IF NOT EXISTS bench_single_insert (id bigserial PRIMARY KEY, v text NOT NULL, at timestamptz NOT NULL DEFAULT now())'
bench_pgbench "pgbench single insert" "$here/40-single-insert.sql"
bench_wrk "POST /contact" /contact "$here/40-contact.lua"
bench_ratio "POST /contact" "pgbench single insert" 0.3
