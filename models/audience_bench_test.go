package models_test

import (
	"context"
	"crypto/md5"
	"encoding/csv"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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

// p95 is the 95th percentile of d, in milliseconds (d is sorted).
func p95(d []time.Duration) float64 {
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	return float64(d[len(d)*95/100].Microseconds()) / 1000
}

// reportP95 adds the p95 and p50 of the iterations' durations.
func reportP95(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	b.ReportMetric(p95(d), "p95-ms")
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkAudience builds the audience of one box (n/10 people) among n
// subjects with five consent kinds each, 1% of them objectors (BENCH_SUBJECTS,
// default 1,000,000). Goal: p95 < 300 ms at n = 1,000,000.
//
//   - count: the audiences page's count. Each iteration also counts as many
//     entries of a plain indexed table of n rows (base-p95-ms, ratio): the
//     machine is shared, so the ratio is the figure to compare.
//   - export: the whole CSV (read, decrypt, write) of the n/10 people.
func BenchmarkAudience(b *testing.B) {
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
	purpose := "ai_challenge"
	if err := benchkit.FillConsents(ctx, owner, n, purpose, []string{"processing", "sms", "whatsapp", "automated_calls", "partner_transfer"}, time.Now()); err != nil {
		b.Fatal(err)
	}
	sealAudience(b, owner, v, purpose, n)
	for _, step := range []string{`CREATE TABLE bench_plain AS SELECT g FROM generate_series(1, ` + strconv.Itoa(n) + `) g`,
		`CREATE INDEX bench_plain_g ON bench_plain (g)`, `VACUUM ANALYZE bench_plain`, `GRANT SELECT ON bench_plain TO portal_app`} {
		if _, err := owner.Exec(ctx, step); err != nil {
			b.Fatal(err)
		}
	}
	au := models.NewAudienceStore(db, v, reg)
	a := sales(reg, time.Now())
	box := models.Audience{Purpose: purpose, Kind: "sms"}
	want := int64(n / 10)
	if os.Getenv("BENCH_EXPLAIN") == "1" {
		explainAudience(b, db, a.Scope, purpose)
	}

	b.Run("count", func(b *testing.B) {
		var d, base []time.Duration
		for b.Loop() {
			start := time.Now()
			got, err := au.Count(ctx, a, box)
			d = append(d, time.Since(start))
			if err != nil || got != want {
				b.Fatalf("audience of %d (%v), want %d", got, err, want)
			}
			// As many index entries as the audience's range holds (its
			// objectors included), from a table with nothing else.
			start = time.Now()
			var plain int64
			if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM bench_plain WHERE g <= $1`, n/10+n/100).Scan(&plain); err != nil {
				b.Fatal(err)
			}
			base = append(base, time.Since(start))
		}
		reportP95(b, d)
		bp := p95(base)
		b.ReportMetric(bp, "base-p95-ms")
		b.ReportMetric(p95(d)/bp, "ratio")
	})

	b.Run("export", func(b *testing.B) {
		var d []time.Duration
		for b.Loop() {
			start := time.Now()
			w := csv.NewWriter(io.Discard)
			got, err := au.Export(ctx, a, box, func(r models.AudienceRow) error {
				return w.Write([]string{r.RecordID.String(), models.NeutraliseCSV(r.Fields["email"]),
					models.NeutraliseCSV(r.Fields["phone"]), models.NeutraliseCSV(r.Fields["first_name"])})
			})
			w.Flush()
			d = append(d, time.Since(start))
			if err != nil || got != want {
				b.Fatalf("exported %d (%v), want %d", got, err, want)
			}
		}
		reportP95(b, d)
	})
}

// sealAudience gives the records of the audience (benchkit's subjects g with
// g % 10 == 0, records md5('r' || g)) real encrypted fields, so the export
// decrypts what a sign-up would have stored.
func sealAudience(b *testing.B, owner *pgxpool.Pool, v *vault.Vault, purpose string, n int) {
	ctx := context.Background()
	rows := make([][]any, 0, n/10)
	for g := 10; g <= n; g += 10 {
		id := uuid.UUID(md5.Sum([]byte("r" + strconv.Itoa(g))))
		sealed, err := models.SealFields(v, id, models.Fields{"email": "person" + strconv.Itoa(g) + "@example.org",
			"phone": "+336" + strconv.Itoa(10_000_000+g), "first_name": "Person"})
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, []any{id, sealed})
	}
	err := pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE bench_sealed (id uuid, fields bytea) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_sealed"}, []string{"id", "fields"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT set_config('portal.purposes', $1, true)`, purpose)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE records r SET fields = s.fields FROM bench_sealed s WHERE r.id = s.id`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `VACUUM ANALYZE records`); err != nil {
		b.Fatal(err)
	}
}

// beforeCountSQL is the count as it was before consent_state carried the
// objections (migration 00016): the objectors found by joining the
// objection list to the subjects' blind indexes. BENCH_EXPLAIN=1 times it
// on the same data, for the before/after figure.
const beforeCountSQL = `WITH objectors AS (
  SELECT subj.id FROM suppressions x JOIN subjects subj ON subj.email_index = x.email_index WHERE x.channel IN ('all', $3)
  UNION SELECT subj.id FROM suppressions x JOIN subjects subj ON subj.phone_index = x.phone_index WHERE x.channel IN ('all', $3))
SELECT count(*) FROM consent_state cs
 WHERE cs.purpose = $1 AND cs.kind = $2 AND cs.granted
   AND (NOT $4::boolean OR cs.source <> 'form')
   AND NOT EXISTS (SELECT 1 FROM objectors o WHERE o.id = cs.subject_id)`

// explainAudience logs the plans of the count and the export on the
// benchmark's data, as the application role in the sales scope, and the
// p95 of the count before migration 00016 on the same data.
func explainAudience(b *testing.B, db *models.DB, sc models.Scope, purpose string) {
	ctx := context.Background()
	args := []any{purpose, "sms", "sms", false}
	err := db.Scoped(ctx, sc, func(q models.Querier) error {
		for _, query := range []string{models.AudienceCountSQL, models.AudienceSQL} {
			rows, err := q.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
			if err != nil {
				return err
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				plan = append(plan, line)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			b.Logf("EXPLAIN ANALYZE\n%s", strings.Join(plan, "\n"))
		}
		var d []time.Duration
		for range 5 {
			start := time.Now()
			var n int64
			if err := q.QueryRow(ctx, beforeCountSQL, args...).Scan(&n); err != nil {
				return err
			}
			d = append(d, time.Since(start))
		}
		b.Logf("count before migration 00016 (join on subjects): slowest of 5 %.1f ms", p95(d))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
