# Retention sweep, sourced by scripts/bench.sh: RETENTION_EXPIRED expired quote
# records among RETENTION_TOTAL (default 1M among 5M, the issue's scale, filled in
# a few minutes; set both lower for a quick look: the ratio is per row). Generated
# in PostgreSQL (INSERT … SELECT generate_series), in time order like real traffic,
# with what hangs on records: a subject per two records (blind index), a consent
# row for one record in five (with its consent_state row), an encrypted-size file
# (16 KiB of incompressible bytes, TOASTed) for one record in RETENTION_FILE_EVERY
# (200), and fields of ~420 random bytes.
#  1. Baseline: a raw batched DELETE in psql as the owner: one statement per batch
#     of RETENTION_BATCH over the same rows (oldest first, an ordered index scan),
#     with the same cascades (files by the foreign key, the records' consents with
#     their consent_state trigger, subjects left without records and what hangs
#     on them), committed batch by batch.
#  2. The same rows again (refilled, vacuumed as before), deleted by `portal
#     retention run --batch RETENTION_BATCH` (rules from the registry, holds
#     checked, consents, subjects, erasure log, evidence row, every other kind of
#     data counted): goal <= 1.5x the raw DELETE's time; /contact p99 within 2x
#     of its idle p99; no transaction of a client holding a lock on records
#     lasts over 1 s. wrk posts /contact for BENCH_SECONDS during each run alike.
here=$(dirname "${BASH_SOURCE[0]}")
total=${RETENTION_TOTAL:-5000000}
expired=${RETENTION_EXPIRED:-1000000}
batch=${RETENTION_BATCH:-500}
file_every=${RETENTION_FILE_EVERY:-200}
expired=$((expired / 2 * 2)) # two records per subject: no subject straddles the line
scope="SELECT set_config('portal.purposes', 'quote,contact', false), set_config('portal.restricted', 'on', false);"
admin_portal="${ADMIN_DATABASE_URL/\/postgres\?//portal?}"

# at I: the SQL instant of record I. Records 1..expired were last contacted 372
# to 730 days ago (due under quote's one year), the others 1 to 358 days ago.
at() {
  echo "CASE WHEN $1 <= $expired
    THEN now() - interval '730 days' + ($1 - 1)::float8 / $expired * interval '358 days'
    ELSE now() - interval '358 days' + ($1 - $expired)::float8 / ($total - $expired) * interval '357 days' END"
}
# uuid7 AT N: a time-ordered id (UUIDv7 layout: milliseconds, then 7, then N),
# as the portal writes records' and subjects' ids, so that the fill appends to
# the indexes as real traffic does.
uuid7() { echo "(lpad(to_hex((extract(epoch FROM $1) * 1000)::bigint), 12, '0') || '7' || lpad(to_hex($2), 19, '0'))::uuid"; }

# The indexes of the filled tables that no constraint needs: dropped while the
# first fill loads, built once after it (a sorted build beats millions of inserts).
fill_tables="'records', 'subjects', 'consents', 'consent_state', 'attachments'"
drop_indexes() {
  psql -At "$MIGRATE_DATABASE_URL" -c "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ($fill_tables)
    AND indexname NOT IN (SELECT conname FROM pg_constraint)" >"$BENCH_DIR/indexes.sql"
  psql -At "$MIGRATE_DATABASE_URL" -c "SELECT 'DROP INDEX ' || indexname || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ($fill_tables)
    AND indexname NOT IN (SELECT conname FROM pg_constraint)" | psql -q -v ON_ERROR_STOP=1 "$MIGRATE_DATABASE_URL"
}
build_indexes() {
  { echo "SET maintenance_work_mem = '512MB';"; cat "$BENCH_DIR/indexes.sql"; } | psql -q -v ON_ERROR_STOP=1 "$MIGRATE_DATABASE_URL"
}

# fill FROM TO: records FROM..TO (1-based) with their subjects (one per two
# records, created with the first), consents (one per five records) with their
# consent_state rows, and files. Set-based (INSERT … SELECT generate_series) as
# the superuser with session_replication_role = replica: no trigger and no
# foreign-key check fires row by row. What the triggers would have written
# (consent_state, the latest consent per subject, purpose and kind: here the
# only one) is written by the same statement, and the foreign keys are checked
# once per fill over the rows filled. Then VACUUM ANALYZE: hint bits and the
# visibility map set before each timed run, for both alike.
fill() {
  psql -q -v ON_ERROR_STOP=1 -o /dev/null "$admin_portal" -f - <<SQL
SET session_replication_role = replica;
CREATE TEMP TABLE g AS
  SELECT i, at, $(uuid7 at i) AS rid, $(uuid7 sat "(i + 1) / 2") AS sid
  FROM generate_series($1, $2) i, LATERAL (SELECT $(at i) AS at, $(at "((i + 1) / 2 * 2 - 1)") AS sat) t;
CREATE TEMP TABLE blob AS SELECT
  (SELECT string_agg(sha256(int4send(k)), ''::bytea) FROM generate_series(1, 12) k) AS fields,
  (SELECT string_agg(sha256(int4send(-k)), ''::bytea) FROM generate_series(1, 512) k) AS file;
INSERT INTO subjects (id, email_index, phone_index, created_at)
  SELECT sid, sha256(int8send((i + 1) / 2)), NULL, at FROM g WHERE i % 2 = 1;
INSERT INTO records (id, purpose, subject_id, status, fields, created_at, last_contact_at, expires_at)
  SELECT rid, 'quote', sid, (ARRAY['new', 'contacted', 'quote_sent', 'closed'])[i % 4 + 1],
    '\x01'::bytea || sha256(int8send(i)) || blob.fields, at, at, at + interval '1 year'
  FROM g, blob;
WITH c AS (INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
  SELECT sid, rid, 'quote', 'prospecting', true, 'form', '2026.1', sha256('wording'), at FROM g WHERE i % 5 = 0 RETURNING *)
INSERT INTO consent_state (subject_id, purpose, kind, granted, consent_id, source, at)
  SELECT subject_id, purpose, kind, granted, id, source, created_at FROM c;
INSERT INTO attachments (id, record_id, purpose, filename, mime, size, sha256, content, created_at)
  SELECT gen_random_uuid(), rid, 'quote', sha256(int8send(-i)), 'application/pdf', length(blob.file), sha256(blob.file), blob.file, at
  FROM g, blob WHERE i % $file_every = 0;
DO \$\$ BEGIN
  IF EXISTS (SELECT 1 FROM g WHERE NOT EXISTS (SELECT 1 FROM subjects s WHERE s.id = g.sid))
    OR EXISTS (SELECT 1 FROM g WHERE i % $file_every = 0 AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = g.rid)) THEN
    RAISE 'retention fill: a foreign key does not hold';
  END IF;
END \$\$;
SQL
  psql -q -o /dev/null "$MIGRATE_DATABASE_URL" -c "VACUUM ANALYZE subjects, records, attachments, consents, consent_state"
}
due_left() {
  psql -At "$MIGRATE_DATABASE_URL" -c "$scope" -c "SELECT count(*) FROM records WHERE purpose = 'quote' AND last_contact_at < now() - interval '1 year'" | tail -1
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(date +%s.%N)
echo "retention: filling $total records ($expired expired), their subjects, consents and files…"
drop_indexes
fill $((expired + 1)) "$total"
fill 1 "$expired"
build_indexes
psql -q -o /dev/null "$MIGRATE_DATABASE_URL" -c "ANALYZE subjects, records, attachments, consents, consent_state"
fill_time=$(elapsed "$t0")
echo "retention: filled in ${fill_time}s"

# Lock waits over 100 ms land in the server log (log_lock_waits): counted per run.
psql -q "$ADMIN_DATABASE_URL" -c "ALTER SYSTEM SET log_lock_waits = on" -c "ALTER SYSTEM SET deadlock_timeout = '100ms'" -c "SELECT pg_reload_conf()" -o /dev/null
server_log="${dir:-.data/bench-pg}/server.log"
waits() { grep -c "still waiting for" "$server_log" 2>/dev/null || true; }

# Longest transaction of a client (not autovacuum, whose lock blocks no reader or
# writer) holding any lock on records, sampled every 100 ms by one psql session as
# the superuser (the owner may not read other roles' transaction starts). Each
# sample writes its three longest holders, one line each: sample time|seconds in
# the transaction|pid|transaction start|application (the sweep, the raw DELETE,
# the bench's polling and the server each set their own)|state|wait event|lock
# modes held on records|what the checkpointer is doing|the query's first 80
# characters. holders FILE prints the top few transactions.
lock_monitor() { # lock_monitor FILE: runs until killed (psql itself: exec)
  PGAPPNAME=bench-lock-monitor exec psql -At -F '|' "$admin_portal" >"$1" 2>/dev/null <<<"SELECT extract(epoch FROM clock_timestamp()), round(extract(epoch FROM clock_timestamp() - a.xact_start)::numeric, 3),
        a.pid, extract(epoch FROM a.xact_start), coalesce(nullif(a.application_name, ''), a.usename), a.state,
        coalesce(a.wait_event_type || ':' || a.wait_event, '-'), string_agg(DISTINCT l.mode, ','),
        coalesce((SELECT c.wait_event_type || ':' || c.wait_event FROM pg_stat_activity c WHERE c.backend_type = 'checkpointer'), 'busy'),
        left(translate(regexp_replace(a.query, '\s+', ' ', 'g'), '|', '/'), 80)
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.relation = 'records'::regclass AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
      GROUP BY a.pid, a.xact_start, a.application_name, a.usename, a.state, a.wait_event_type, a.wait_event, a.query
      ORDER BY a.xact_start LIMIT 3 \\watch 0.1"
}
# max_of FILE: the longest transaction seen (0 when none held a lock).
max_of() { awk -F'|' 'NF >= 10 && $2 + 0 > m { m = $2 + 0 } END { print m + 0 }' "$1"; }
# holders FILE N: the N longest transactions, each at its longest sample.
holders() {
  awk -F'|' 'NF >= 10 { k = $3 "@" $4; if (!(k in m) || $2 + 0 > m[k]) { m[k] = $2 + 0; l[k] = $0 } } END { for (k in l) print l[k] }' "$1" |
    sort -t'|' -k2,2gr | head -"$2" |
    awk -F'|' '{ printf "  %.3f s at %s, pid %s %s, %s, wait %s, %s, checkpointer %s: %s\n", $2, strftime("%H:%M:%S", $1), $3, $5, $6, $7, $8, $9, $10 }'
}
# history FILE: what the longest transaction was doing sample by sample (runs of
# the same state, wait event and query collapsed into one line).
history() {
  local k; k=$(awk -F'|' 'NF >= 10 && $2 + 0 > m { m = $2 + 0; k = $3 "|" $4 } END { print k }' "$1")
  awk -F'|' -v k="$k" 'NF >= 10 && $3 "|" $4 == k { s = $6 ", wait " $7 ", checkpointer " $9 ": " $10
    if (s != p) { printf "    from %.3f s: %s\n", $2, s; p = s } }' "$1" | tail -8
}
# checkpoints_in LOG FROM: the checkpoints the server logged since FROM
# (YYYY-MM-DD HH:MM:SS, UTC: the log's time zone; the log spans earlier runs).
checkpoints_in() { awk -v from="$2" '/checkpoint (starting|complete)/ && $1 " " substr($2, 1, 8) >= from { print "  " substr($2, 1, 12) " " substr($0, index($0, "checkpoint")) }' "$1" 2>/dev/null | cut -c1-200; }
# Each timed run starts from a checkpoint, so that neither pays for writing back
# the fill's pages; the checkpoints its own writes cause are counted.
checkpoint() { psql -q -o /dev/null "$ADMIN_DATABASE_URL" -c "CHECKPOINT"; }
checkpoints() { psql -At "$ADMIN_DATABASE_URL" -c "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"; }

checkpoint
c0=$(checkpoints)
w0=$(waits)
raw_locks="$BENCH_DIR/raw-locks.txt"
lock_monitor "$raw_locks" &
lock_pid=$!
# Both runs face the same load: wrk posts /contact for BENCH_SECONDS from the
# first batch's commit (here when the oldest due record is gone), with no
# unmeasured warm-up: the load must fall inside the run, from its start.
oldest=$(psql -At "$MIGRATE_DATABASE_URL" -c "$scope" -c "SELECT id FROM records WHERE purpose = 'quote' ORDER BY last_contact_at LIMIT 1" | tail -1)
t0=$(date +%s.%N)
raw_from=$(date -u "+%F %T")
PGAPPNAME=raw-delete psql -q -o /dev/null "$MIGRATE_DATABASE_URL" -c "$scope" -c "DO \$\$ DECLARE n int; BEGIN LOOP
  WITH del AS (DELETE FROM records WHERE id = ANY (ARRAY(SELECT id FROM records WHERE purpose = 'quote'
      AND last_contact_at <= now() - interval '1 year' ORDER BY last_contact_at LIMIT $batch)) RETURNING id, subject_id),
    c AS (DELETE FROM consents WHERE record_id IN (SELECT id FROM del)),
    s AS (DELETE FROM subjects s WHERE s.id IN (SELECT subject_id FROM del)
      AND NOT EXISTS (SELECT 1 FROM records r WHERE r.subject_id = s.id AND r.id NOT IN (SELECT id FROM del)))
  SELECT count(*) INTO n FROM del;
  COMMIT; EXIT WHEN n = 0; END LOOP; END \$\$" &
raw_pid=$!
for _ in $(seq 300); do
  [ "$(psql -At "$MIGRATE_DATABASE_URL" -c "$scope" -c "SELECT NOT EXISTS (SELECT 1 FROM records WHERE id = '$oldest')" | tail -1)" = t ] && break
  kill -0 "$raw_pid" 2>/dev/null || break
  sleep 0.1
done
BENCH_WARMUP=0 bench_wrk "POST /contact (during the raw DELETE)" /contact "$here/40-contact.lua"
wait "$raw_pid"
raw=$(elapsed "$t0")
raw_to=$(date -u +%T)
kill "$lock_pid" 2>/dev/null; wait "$lock_pid" 2>/dev/null || true
raw_left=$(due_left)
raw_waits=$(($(waits) - w0))
raw_checkpoints=$(($(checkpoints) - c0))
raw_lock=$(max_of "$raw_locks")
echo "retention: raw batched DELETE ${raw}s; refilling the expired records…"
fill 1 "$expired"
checkpoint # the idle figure too, without the refill's write-back
BENCH_WARMUP=0 bench_wrk "POST /contact (idle, before the sweep)" /contact "$here/40-contact.lua"

checkpoint
c0=$(checkpoints)
w0=$(waits)
locks="$BENCH_DIR/record-locks.txt"
lock_monitor "$locks" &
lock_pid=$!
t0=$(date +%s.%N)
sweep_from=$(date -u +%T)
PGAPPNAME=portal-retention bin/portal retention run --batch "$batch" >"$BENCH_DIR/retention.txt" 2>&1 &
sweep_pid=$!
# /contact is measured while records are being deleted (from the first batch's commit).
for _ in $(seq 300); do
  [ "$(psql -At "$MIGRATE_DATABASE_URL" -c "SELECT EXISTS (SELECT 1 FROM erasure_log)")" = t ] && break
  kill -0 "$sweep_pid" 2>/dev/null || break
  sleep 0.1
done
BENCH_WARMUP=0 bench_wrk "POST /contact (during the sweep)" /contact "$here/40-contact.lua"
wait "$sweep_pid" || { cat "$BENCH_DIR/retention.txt" >&2; }
sweep=$(elapsed "$t0")
sweep_to=$(date -u +%T)
kill "$lock_pid" 2>/dev/null; wait "$lock_pid" 2>/dev/null || true
left=$(due_left)
sweep_waits=$(($(waits) - w0))
sweep_checkpoints=$(($(checkpoints) - c0))
maxlock=$(max_of "$locks")
samples=$(grep -c . "$locks" || true)
psql -q "$ADMIN_DATABASE_URL" -c "ALTER SYSTEM RESET log_lock_waits" -c "ALTER SYSTEM RESET deadlock_timeout" -c "SELECT pg_reload_conf()" -o /dev/null
grep -E "^ *(Quote|total)" "$BENCH_DIR/retention.txt" || true
RETENTION_NOTES=$(
  echo "retention: $expired expired among $total records (fill ${fill_time}s), batches of $batch; both runs delete the same rows with their files (FK cascade), consents and subjects left without records, one statement per batch, each run while wrk posts /contact for ${BENCH_SECONDS}s from its first batch; the portal also counts every kind of data first, checks holds, logs each erasure (HMAC)"
  awk -v s="$sweep" -v r="$raw" 'BEGIN {
    printf "retention: portal retention run %.2fs, raw batched DELETE %.2fs: %.2fx (goal <= 1.50: %s)\n",
      s, r, s / r, (s / r <= 1.5) ? "met" : "NOT MET" }'
  awk -v d="${P99["POST /contact (during the sweep)"]}" -v i="${P99["POST /contact (idle, before the sweep)"]}" 'BEGIN {
    printf "retention: POST /contact p99 during the sweep %.2f ms, idle %.2f ms: %.2fx (goal <= 2.00: %s)\n", d, i, d / i, (d / i <= 2) ? "met" : "NOT MET" }'
  awk -v m="${maxlock:-0}" -v k="${samples:-0}" -v r="${raw_lock:-0}" 'BEGIN { printf "retention: longest client transaction holding a lock on records %.3f s over %d samples (raw DELETE: %.3f s) (goal <= 1 s: %s)\n", m, k, r, (m <= 1) ? "met" : "NOT MET" }'
  echo "retention: longest transactions holding a lock on records during the sweep (at their longest sample):"
  holders "$locks" 5
  echo "retention: the longest, sample by sample:"
  history "$locks"
  echo "retention: … during the raw DELETE:"
  holders "$raw_locks" 3
  echo "retention: checkpoints logged from the raw DELETE on (raw DELETE ${raw_from#* }-$raw_to, sweep $sweep_from-$sweep_to UTC):"
  checkpoints_in "$server_log" "$raw_from"
  echo "retention: lock waits over 100 ms (log_lock_waits): sweep $sweep_waits, raw DELETE $raw_waits; checkpoints during: sweep $sweep_checkpoints, raw DELETE $raw_checkpoints"
  echo "retention: POST /contact p99 during the raw DELETE ${P99["POST /contact (during the raw DELETE)"]} ms"
  echo "retention: expired records left: after the run $left, after the raw DELETE $raw_left (want 0)"
)
echo "$RETENTION_NOTES"
