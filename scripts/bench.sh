#!/usr/bin/env bash
# make bench: start the portal on its own cluster (durable: fsync on) with demo data, then
# measure every case in one run so the ratios compare like with like. Cases live in
# scripts/bench.d/*.sh, each sourced in name order, using the functions below.
# wrk and the server share the machine's cores: read ratios, not absolute figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}

BENCH_SECONDS=${BENCH_SECONDS:-5}
BENCH_CONNS=${BENCH_CONNS:-16}
# Each case first runs this long unmeasured, on both sides of a ratio: the
# first requests open pool connections and plan each statement once per
# connection, a cost every long-running server has paid already.
BENCH_WARMUP=${BENCH_WARMUP:-1}
BENCH_ADDR=${BENCH_ADDR:-127.0.0.1:8090}
BENCH_URL="http://$BENCH_ADDR"
BENCH_DIR=$(mktemp -d)
BENCH_SAME_BYTES="/fr/privacy" # public pages live under a language prefix; a bare path redirects
export BENCH_SECONDS BENCH_CONNS BENCH_URL BENCH_DIR
export PGOPTIONS="-c client_min_messages=warning" # no NOTICE chatter from the cases' setup

command -v wrk >/dev/null 2>&1 || {
  echo "installing wrk…"
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
}

# BENCH_PROFILE=DIR: a CPU profile of the server during each case (pprof on a
# loopback listener, bench mode only) and the statements PostgreSQL spent its
# time on (pg_stat_statements), written to DIR as CASE.top.txt and CASE.sql.txt.
BENCH_PROFILE=${BENCH_PROFILE:-}
BENCH_PPROF=127.0.0.1:${BENCH_PPROF_PORT:-6061}
if [ -n "$BENCH_PROFILE" ]; then
  mkdir -p "$BENCH_PROFILE"
  export PGCLUSTER_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
fi

# BENCH_PERF=DIR: the whole machine's CPU during each case (perf record -a),
# written to DIR as CASE.perf.txt: the share of each process (server,
# postgres, wrk, pgbench, idle) and PostgreSQL's functions with what they call.
# pg_stat_statements leaves out executor start-up (plan checks, locks, node
# set-up); this does not.
BENCH_PERF=${BENCH_PERF:-}
if [ -n "$BENCH_PERF" ]; then
  mkdir -p "$BENCH_PERF"
  command -v perf >/dev/null 2>&1 || { echo "BENCH_PERF needs perf (apt-get install linux-perf)" >&2; exit 1; }
fi
# perf_start NAME / perf_stop NAME: record the machine while a case runs.
perf_pid=
perf_start() {
  [ -n "$BENCH_PERF" ] || return 0
  perf record -a -g -o "$BENCH_PERF/$1.data" -- sleep $((BENCH_SECONDS > 1 ? BENCH_SECONDS - 1 : 1)) >/dev/null 2>&1 &
  perf_pid=$!
}
perf_stop() {
  [ -n "$perf_pid" ] || return 0
  wait "$perf_pid" || true
  perf_pid=
  {
    perf report -i "$BENCH_PERF/$1.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | sed -n 1,8p
    echo
    perf report -i "$BENCH_PERF/$1.data" --children --comm postgres --sort sym --stdio -g none 2>/dev/null |
      grep -v '^#' | grep -v '^$' | grep -v ' 0x0000' | sed -n 1,60p
  } >"$BENCH_PERF/$1.perf.txt" || true
}

dir=.data/bench-pg
# A cluster left running by an interrupted run would keep its old options.
scripts/pgcluster stop "$dir" 2>/dev/null || true
PGCLUSTER_PORT=${PGCLUSTER_PORT:-54500} scripts/pgcluster start "$dir"
set -a; . "$dir/env"; set +a
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  scripts/pgcluster stop "$dir"
  [ -z "${BENCH_SERVER_LOG:-}" ] || cp "$BENCH_DIR/server.log" "$BENCH_SERVER_LOG" 2>/dev/null || true
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

# A fresh database each run, so figures do not drift with leftovers.
"$PGCLUSTER_BINDIR/psql" -q "$ADMIN_DATABASE_URL" -c "DROP DATABASE IF EXISTS portal WITH (FORCE)" -c "CREATE DATABASE portal OWNER portal"
if [ -n "$BENCH_PROFILE" ]; then
  "$PGCLUSTER_BINDIR/psql" -q "${ADMIN_DATABASE_URL%/postgres*}/portal?sslmode=disable" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
  export PORTAL_PPROF=$BENCH_PPROF
fi
export PORTAL_KEYS_DIR="$dir/keys" PORTAL_CREATE_KEYS=1 PORTAL_ADDR="$BENCH_ADDR" PORTAL_BASE_URL="$BENCH_URL" PORTAL_BENCH=1
# No uploads in the load, no scraping, no load balancer to drain.
export PORTAL_SCAN=off PORTAL_METRICS_ADDR=off PORTAL_DRAIN_DELAY=0s
bin/portal migrate
bin/portal seed --demo >"$BENCH_DIR/seed.txt"
bin/portal serve 2>"$BENCH_DIR/server.log" &
server_pid=$!
for _ in $(seq 100); do curl -fs "$BENCH_URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$BENCH_URL/readyz" >/dev/null || { cat "$BENCH_DIR/server.log"; exit 1; }
# Another server on the port would answer readyz while ours exited on bind:
# every figure would then measure that one.
sleep 0.3
kill -0 "$server_pid" 2>/dev/null || { echo "bench: the portal exited; is $BENCH_ADDR taken?" >&2; cat "$BENCH_DIR/server.log" >&2; server_pid=; exit 1; }

declare -A RPS P95 P99 TPS
LABELS=()

# bench_wrk LABEL PATH [LUA]: wrk with BENCH_CONNS connections for BENCH_SECONDS.
# Lua scripts must not define done(): it is appended here to print percentiles.
bench_wrk() {
  local label=$1 path=$2 lua=${3:-} script="$BENCH_DIR/wrk-$RANDOM.lua" out
  { [ -n "$lua" ] && cat "$lua"; cat <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("PCT %d %d\n", latency:percentile(95), latency:percentile(99)))
  io.write(string.format("ERRORS %d %d\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
  } >"$script"
  [ "$BENCH_WARMUP" = 0 ] || wrk -t2 -c"$BENCH_CONNS" -d"${BENCH_WARMUP}s" -s "$script" "$BENCH_URL$path" >/dev/null
  local prof_pid= name=${label//[^A-Za-z0-9]/_}
  if [ -n "$BENCH_PROFILE" ]; then
    "$PGCLUSTER_BINDIR/psql" -qAt "${ADMIN_DATABASE_URL%/postgres*}/portal?sslmode=disable" -c "SELECT pg_stat_statements_reset()" >/dev/null
    curl -s -o "$BENCH_PROFILE/$name.pprof" "http://$BENCH_PPROF/debug/pprof/profile?seconds=$((BENCH_SECONDS > 1 ? BENCH_SECONDS - 1 : 1))" &
    prof_pid=$!
  fi
  perf_start "$name"
  out=$(wrk -t2 -c"$BENCH_CONNS" -d"${BENCH_SECONDS}s" -s "$script" "$BENCH_URL$path")
  perf_stop "$name"
  if [ -n "$prof_pid" ]; then
    wait "$prof_pid" || true
    go tool pprof -top -nodecount=30 bin/portal "$BENCH_PROFILE/$name.pprof" >"$BENCH_PROFILE/$name.top.txt" 2>/dev/null || true
    "$PGCLUSTER_BINDIR/psql" -q "${ADMIN_DATABASE_URL%/postgres*}/portal?sslmode=disable" >"$BENCH_PROFILE/$name.sql.txt" <<'SQL'
SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
       round(total_plan_time::numeric, 1) AS plan_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 140) AS query
  FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15;
SQL
  fi
  RPS[$label]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  P95[$label]=$(awk '/^PCT/ {printf "%.2f", $2/1000}' <<<"$out")
  P99[$label]=$(awk '/^PCT/ {printf "%.2f", $3/1000}' <<<"$out")
  local errs; errs=$(awk '/^ERRORS/ {print $2 + $3}' <<<"$out")
  [ "${errs:-0}" = 0 ] || echo "warning: $label: $errs non-2xx/3xx or socket errors" >&2
  LABELS+=("$label")
}

# bench_pgbench LABEL SQL_FILE: the same concurrency straight against PostgreSQL.
bench_pgbench() {
  local label=$1 file=$2 out
  [ "$BENCH_WARMUP" = 0 ] || "$PGCLUSTER_BINDIR/pgbench" -n -M prepared -c "$BENCH_CONNS" -j 2 -T "$BENCH_WARMUP" -f "$file" "$MIGRATE_DATABASE_URL" >/dev/null 2>&1
  perf_start "${label//[^A-Za-z0-9]/_}"
  out=$("$PGCLUSTER_BINDIR/pgbench" -n -M prepared -c "$BENCH_CONNS" -j 2 -T "$BENCH_SECONDS" -f "$file" "$MIGRATE_DATABASE_URL" 2>&1)
  perf_stop "${label//[^A-Za-z0-9]/_}"
  TPS[$label]=$(awk '/^tps = / {print $3}' <<<"$out")
  [ -n "${TPS[$label]}" ] || { echo "$out" >&2; return 1; }
  RPS[$label]=${TPS[$label]}
  LABELS+=("$label")
}

RATIOS=()
# bench_ratio A B GOAL: A's throughput over B's, against a goal. Computed at the end,
# so a case may name a baseline measured later.
bench_ratio() { RATIOS+=("$1|$2|$3"); }
print_ratio() {
  local a b g; IFS='|' read -r a b g <<<"$1"
  awk -v a="${RPS[$a]:-0}" -v b="${RPS[$b]:-0}" -v g="$g" -v l="$a / $b" 'BEGIN {
    r = (b > 0) ? a / b : 0; printf "%-60s %6.2fx  (goal >= %.2f: %s)\n", l, r, g, (r >= g) ? "met" : "NOT MET" }'
}

# Baselines: a bare route (the stack's ceiling) and PostgreSQL alone doing one
# single-row insert per transaction into a real ledger table (its indexes included).
bench_wrk "GET /__bench/hello (13 bytes)" /__bench/hello
cat >"$BENCH_DIR/single-insert.sql" <<'SQL'
INSERT INTO cookie_consents (consent_id, categories, action, policy_version, ip_prefix, ua_hash, created_at)
VALUES (gen_random_uuid(), '{audience,marketing}', 'accept_all', '2026.1', '127.0.0.0/24', sha256('wrk'), now());
SQL
bench_pgbench "pgbench single-row insert" "$BENCH_DIR/single-insert.sql"
for cfile in scripts/bench.d/${BENCH_ONLY:-*}.sh; do
  [ -e "$cfile" ] || continue
  # shellcheck source=/dev/null
  . "$cfile"
done
# Rendering cost: real pages against the same bytes replayed from memory.
for p in $BENCH_SAME_BYTES; do
  bench_wrk "same-bytes $p" "/__bench/same-bytes?path=$p"
done
bench_wrk "GET /fr/privacy" /fr/privacy
bench_ratio "GET /fr/privacy" "same-bytes /fr/privacy" 0.9

echo
echo "make bench: $BENCH_CONNS connections, ${BENCH_SECONDS}s per case, wrk and server sharing $(nproc) cores"
printf '%-52s %12s %10s %10s\n' "case" "req/s|TPS" "p95 ms" "p99 ms"
for l in "${LABELS[@]}"; do
  printf '%-52s %12s %10s %10s\n' "$l" "${RPS[$l]:--}" "${P95[$l]:--}" "${P99[$l]:--}"
done
echo
for r in "${RATIOS[@]}"; do print_ratio "$r"; done
# The server's peak resident memory over the whole run (every case above).
awk '/^VmHWM/ {printf "server peak RSS: %.1f MB (goal < 60 MB)\n", $2/1024}' "/proc/$server_pid/status" 2>/dev/null || true
js=$(gzip -9n <static/js/consent.js | wc -c)
echo "consent.js: $(wc -c <static/js/consent.js) B, gzip -9 $js B (goal <= 1024 B)"
[ -z "${RETENTION_NOTES:-}" ] || echo "$RETENTION_NOTES"
[ -z "${RIGHTS_NOTES:-}" ] || echo "$RIGHTS_NOTES"
