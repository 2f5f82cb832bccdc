# Back-office pages, sourced by scripts/bench.sh.
#  1. The logged record view (session lookup, RLS scope, decryption, access-log
#     insert on a hash chain) against pgbench doing select-by-pk + one insert
#     per transaction, same concurrency: goal >= 0.5 of its TPS.
#  2. The DPO's access-log page, filtered, over a million events: p95 < 20 ms
#     (wrk reports p99, an upper bound of p95).
here=$(dirname "${BASH_SOURCE[0]}")
export PORTAL_BENCH=1

[ -n "${SKIP_FILL:-}" ] || echo "back-office: adding 1,000,000 access events (valid chains)…"
[ -n "${SKIP_FILL:-}" ] || bin/portal auditlog bench-fill 1000000 >/dev/null
# The fill leaves a checkpoint's worth of dirty pages and a million rows
# autovacuum has not seen yet: written back and vacuumed during the next
# case, they were its tail latency (p95 230-480 ms), not the page's. A log
# that grew over months has been vacuumed as it grew.
[ -n "${SKIP_FILL:-}" ] || psql -q -o /dev/null "$MIGRATE_DATABASE_URL" -c "VACUUM (ANALYZE) access_events"
[ -n "${SKIP_FILL:-}" ] || psql -q -o /dev/null "$ADMIN_DATABASE_URL" -c "CHECKPOINT"

sales_session=$(bin/portal staff bench-session --email sales@demo.alegria.tech)
dpo_session=$(bin/portal staff bench-session --email dpo@demo.alegria.tech)
record=$(psql -At "$MIGRATE_DATABASE_URL" -c "SELECT set_config('portal.purposes', 'contact', false)" \
  -c "SELECT id FROM records WHERE purpose = 'contact' AND NOT restricted ORDER BY created_at DESC LIMIT 1" | tail -1)
sales_id=$(psql -At "$MIGRATE_DATABASE_URL" -c "SELECT id FROM staff WHERE email = 'sales@demo.alegria.tech'")

# The pgbench reference: the same shape of work without the application.
psql -q "$MIGRATE_DATABASE_URL" <<'SQL'
DROP TABLE IF EXISTS bench_kv, bench_log;
CREATE TABLE bench_kv (id int PRIMARY KEY, payload bytea NOT NULL);
INSERT INTO bench_kv SELECT g, convert_to(repeat(md5(g::text), 9), 'UTF8') FROM generate_series(1, 100000) g;
CREATE TABLE bench_log (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), kv int NOT NULL, who text NOT NULL);
SQL
cat > "$BENCH_DIR/select-insert.sql" <<'SQL'
\set n random(1, 100000)
BEGIN;
SELECT payload FROM bench_kv WHERE id = :n;
INSERT INTO bench_log (kv, who) VALUES (:n, 'bench');
COMMIT;
SQL

# A bench that measures redirects measures nothing: check the pages first.
for check in "$sales_session /admin/records/contact/$record" "$dpo_session /admin/dpo/access-log?staff=$sales_id&action=view"; do
  set -- $check
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: __Host-portal_session=$1" "$BENCH_URL$2")
  [ "$code" = 200 ] || { echo "back-office bench: $2 answers $code, not 200" >&2; return 1 2>/dev/null || exit 1; }
done

export BENCH_SESSION=$sales_session
bench_wrk "GET record view (logged)" "/admin/records/contact/$record" "$here/50-backoffice.lua"
bench_pgbench "pgbench select+insert" "$BENCH_DIR/select-insert.sql"
bench_ratio "GET record view (logged)" "pgbench select+insert" 0.5

export BENCH_SESSION=$dpo_session
bench_wrk "GET access log (1M events, filtered)" "/admin/dpo/access-log?staff=$sales_id&action=view" "$here/50-backoffice.lua"

psql -q "$MIGRATE_DATABASE_URL" -c "DROP TABLE IF EXISTS bench_kv, bench_log"
