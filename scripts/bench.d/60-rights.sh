# The DPO's rights desk, sourced by scripts/bench.sh: finding one person among
# 1,000,000 records through the blind index and building their access package
# (the case read and logged, then the HTML/JSON/CSV ZIP). A Go benchmark on a
# fresh database of this cluster (the package is a POST that answers the
# request, so wrk cannot repeat it): goal p95 < 200 ms.
label="rights: find 1 person in 1M records + build package"
echo "rights desk: filling 1,000,000 records and timing the package (Go benchmark)…"
out=$(BENCH_RECORDS=${BENCH_RECORDS:-1000000} go test ./models/ -run '^$' -bench BenchmarkRightsPackage -benchtime 200x 2>&1) || {
  echo "$out" >&2
  return 1 2>/dev/null || exit 1
}
ns=$(awk '/^BenchmarkRightsPackage/ {print $3}' <<<"$out")
RPS[$label]=$(awk -v ns="$ns" 'BEGIN {printf "%.1f", 1e9 / ns}')
P95[$label]=$(awk '/^BenchmarkRightsPackage/ {for (i = 1; i <= NF; i++) if ($i == "p95-ms") print $(i-1)}' <<<"$out")
LABELS+=("$label")
awk -v p="${P95[$label]}" 'BEGIN {printf "rights desk package p95 %.1f ms (goal < 200 ms: %s)\n", p, (p < 200) ? "met" : "NOT MET"}'
