# Cookie consent.
# POST /consent appends a durable ledger row per choice (group commit), against
# pgbench doing one single-row insert per transaction at the same concurrency.
# GET / with the banner open, against the same bytes served from memory.
# (Sourced by scripts/bench.sh: bench_wrk, bench_pgbench, bench_ratio, $BENCH_DIR;
# the pgbench baseline is measured there.)
_consent_dir=$(dirname "${BASH_SOURCE[0]}")

# The Lua script posts as a same-origin browser would (Origin = the site).
sed "s|@ORIGIN@|$BENCH_URL|" "$_consent_dir/consent-post.lua" >"$BENCH_DIR/consent-post.lua"

bench_wrk "POST /consent (ledger insert)" /consent "$BENCH_DIR/consent-post.lua"
bench_ratio "POST /consent (ledger insert)" "pgbench single-row insert" 1.0

BENCH_SAME_BYTES+=" /fr/"
bench_wrk "GET /fr/ (banner)" /fr/
bench_ratio "GET /fr/ (banner)" "same-bytes /fr/" 0.9
