# Public forms: POST /contact (validate, encrypt, subject + record + consent rows +
# outbox receipt in one transaction) against a pgbench single-row insert.
# Sourced by scripts/bench.sh, which provides bench_wrk, bench_pgbench and
# bench_ratio. The server must run with PORTAL_FORM_RATE=0 (no per-IP limit).
here=$(dirname "${BASH_SOURCE[0]}")
bench_wrk "POST /fr/contact" /fr/contact "$here/40-contact.lua"
bench_ratio "POST /fr/contact" "pgbench single-row insert" 0.5
