package models_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/vault"
)

// benchSubjects is the size of the audience benchmarks' population
// (BENCH_SUBJECTS, default 1,000,000).
func benchSubjects(b *testing.B) int {
	if s := os.Getenv("BENCH_SUBJECTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1_000_000
}

// reportP95 adds the p95 and p50 of the iterations' durations.
func reportP95(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	if len(d) == 0 {
		return
	}
	b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkAudienceCount builds the audience of one box (n/10 people) among
// n subjects with five consent kinds each, 1% of them objectors. Goal: p95
// < 300 ms at n = 1,000,000.
func BenchmarkAudienceCount(b *testing.B) {
	db, urls := testdb.Open(b)
	reg := registry(&testing.T{})
	v, _ := vault.NewEphemeral()
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, urls.Owner)
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close()
	n := benchSubjects(b)
	if err := benchkit.FillConsents(ctx, owner, n, "ai_challenge", []string{"processing", "sms", "whatsapp", "automated_calls", "partner_transfer"}, time.Now()); err != nil {
		b.Fatal(err)
	}
	au := models.NewAudienceStore(db, v, reg)
	a := sales(reg, time.Now())
	box := models.Audience{Purpose: "ai_challenge", Kind: "sms"}
	var d []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		got, err := au.Count(ctx, a, box)
		d = append(d, time.Since(start))
		if err != nil || got != int64(n/10) {
			b.Fatalf("audience of %d (%v), want %d", got, err, n/10)
		}
	}
	reportP95(b, d)
}
