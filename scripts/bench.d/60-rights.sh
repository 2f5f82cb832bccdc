# The DPO's rights desk, sourced by scripts/bench.sh: finding one person among
# 1,000,000 records through the blind index and building their access package
# (the case read and logged, then the HTML/JSON/CSV ZIP). A Go benchmark on a
# fresh database of this cluster (the package is a POST that answers the
# request, so wrk cannot repeat it): goal p95 < 200 ms. Its baseline, timed in
# the same loop: one scoped transaction selecting the person's records by
# blind index (the least any search for a person costs on this machine now).
label="rights: find 1 person in 1M records + build package"
base="rights baseline: 1 select by blind index in 1M"
echo "rights desk: filling ${BENCH_RECORDS:-1000000} records and timing the package (Go benchmark)…"
out=$(BENCH_RECORDS=${BENCH_RECORDS:-1000000} go test ./models/ -run '^$' -bench BenchmarkRightsPackage -benchtime 200x 2>&1) || {
  echo "$out" >&2
  return 1 2>/dev/null || exit 1
}
metric() { awk -v m="$1" '/^BenchmarkRightsPackage/ {for (i = 1; i <= NF; i++) if ($i == m) print $(i-1)}' <<<"$out"; }
ns=$(awk '/^BenchmarkRightsPackage/ {print $3}' <<<"$out")
RPS[$label]=$(awk -v ns="$ns" 'BEGIN {printf "%.1f", 1e9 / ns}')
P95[$label]=$(metric p95-ms)
P95[$base]=$(metric baseline-p95-ms)
LABELS+=("$label" "$base")
RIGHTS_NOTES=$(awk -v p="${P95[$label]}" -v b="${P95[$base]}" -v r="$(metric p95-ratio)" 'BEGIN {
  printf "rights desk package p95 %.1f ms (goal < 200 ms: %s), baseline p95 %.1f ms in the same loop: %.2fx the baseline\n",
    p, (p < 200) ? "met" : "NOT MET", b, r }')
echo "$RIGHTS_NOTES"
