# Retention sweep, sourced by scripts/bench.sh. RETENTION_EXPIRED expired quote
# records among RETENTION_TOTAL (default 200k among 1M: filling 5M rows does not
# fit a bench run of a few minutes on two cores; the ratio is per row).
#  1. A raw batched DELETE in psql (500 rows per transaction) over the expired rows.
#  2. The same rows again, deleted by `portal retention run` (rules from the
#     registry, holds checked, consents, subjects, erasure log), while wrk posts
#     /contact: goal <= 1.5x the raw DELETE's time; /contact p99 within 2x of
#     its idle p99; no transaction holding a lock on records lasts over 1 s.
here=$(dirname "${BASH_SOURCE[0]}")
total=${RETENTION_TOTAL:-1000000}
expired=${RETENTION_EXPIRED:-200000}
scope="SELECT set_config('portal.purposes', 'quote,contact', false), set_config('portal.restricted', 'on', false);"

fill_records() { # fill_records N AGE: N quote records last contacted AGE ago
  psql -q -o /dev/null "$MIGRATE_DATABASE_URL" -c "$scope" -c "INSERT INTO records (id, purpose, status, fields, created_at, last_contact_at, expires_at)
    SELECT gen_random_uuid(), 'quote', 'new', '\x00'::bytea, now() - interval '$2', now() - interval '$2', now()
    FROM generate_series(1, $1)" -c "VACUUM ANALYZE records"
}
echo "retention: filling $((total - expired)) current and $expired expired records…"
fill_records $((total - expired)) "1 day"
fill_records "$expired" "2 years"

t0=$(date +%s.%N)
psql -q -o /dev/null "$MIGRATE_DATABASE_URL" -c "$scope" -c "DO \$\$ DECLARE n int; BEGIN LOOP
  DELETE FROM records WHERE id IN (SELECT id FROM records WHERE purpose = 'quote'
    AND last_contact_at <= now() - interval '1 year' LIMIT 500);
  GET DIAGNOSTICS n = ROW_COUNT; COMMIT; EXIT WHEN n = 0; END LOOP; END \$\$"
t1=$(date +%s.%N)
raw=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
fill_records "$expired" "2 years"

bench_wrk "POST /contact (idle, before the sweep)" /contact "$here/40-contact.lua"

# Longest-running transaction holding a lock on records, sampled every 100 ms
# (as the superuser: the owner may not read other roles' transaction starts).
locks="$BENCH_DIR/record-locks.txt"
: >"$locks"
# One psql session, one query every 100 ms (\watch), so the monitor costs little.
printf '%s\n' "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - a.xact_start)), 0)
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.relation = 'records'::regclass AND a.pid <> pg_backend_pid() \\watch 0.1" |
  psql -At "${ADMIN_DATABASE_URL/\/postgres\?//portal?}" >"$locks" 2>/dev/null &
lock_pid=$!
t0=$(date +%s.%N)
bin/portal retention run >"$BENCH_DIR/retention.txt" 2>&1 &
sweep_pid=$!
bench_wrk "POST /contact (during the sweep)" /contact "$here/40-contact.lua"
wait "$sweep_pid" || { cat "$BENCH_DIR/retention.txt" >&2; }
t1=$(date +%s.%N)
kill "$lock_pid" 2>/dev/null; wait "$lock_pid" 2>/dev/null || true
sweep=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
left=$(psql -At "$MIGRATE_DATABASE_URL" -c "$scope" -c "SELECT count(*) FROM records WHERE purpose = 'quote' AND last_contact_at < now() - interval '1 year'" | tail -1)
maxlock=$(sort -g "$locks" | tail -1)
samples=$(grep -c . "$locks" || true)
grep -E "^ *(Quote|total)" "$BENCH_DIR/retention.txt" || true
RETENTION_NOTES=$(
  awk -v s="$sweep" -v r="$raw" -v n="$expired" -v t="$total" 'BEGIN {
    printf "retention: %d expired among %d: portal retention run %.2fs, raw batched DELETE %.2fs: %.2fx (goal <= 1.50: %s)\n",
      n, t, s, r, s / r, (s / r <= 1.5) ? "met" : "NOT MET" }'
  awk -v d="${P99["POST /contact (during the sweep)"]}" -v i="${P99["POST /contact (idle, before the sweep)"]}" 'BEGIN {
    printf "retention: POST /contact p99 during the sweep %.2f ms, idle %.2f ms: %.2fx (goal <= 2.00: %s)\n", d, i, d / i, (d / i <= 2) ? "met" : "NOT MET" }'
  awk -v m="${maxlock:-0}" -v k="${samples:-0}" 'BEGIN { printf "retention: longest transaction holding a lock on records %.3f s over %d samples (goal <= 1 s: %s)\n", m, k, (m <= 1) ? "met" : "NOT MET" }'
  echo "retention: expired records left after the run: $left (want 0)"
)
echo "$RETENTION_NOTES"
