package models_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
)

// BenchmarkAccessLogAppend is the access event of every back-office read
// without the read: 16 concurrent callers (make bench's connections)
// appending views through the group commit, each waiting for the commit
// that holds its event. It measures the log's write: linking, statement,
// indexes, commit.
func BenchmarkAccessLogAppend(b *testing.B) {
	db, _ := testdb.Open(b)
	l := models.NewAccessLog(db, nil, testKey)
	staff := uuid.Must(uuid.NewV7())
	ctx := context.Background()
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec, subject := uuid.New(), uuid.New()
			if err := l.Log(ctx, models.AccessEvent{At: time.Now(), StaffID: &staff, Role: "sales",
				Action: models.ActionView, Purpose: "contact", RecordID: &rec, SubjectID: &subject,
				IP: "192.0.2.1", UserAgent: "bench", Outcome: models.OutcomeOK}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if rep, err := l.Verify(ctx, 0); err != nil || !rep.OK {
		b.Fatalf("after the benchmark: %v %v", rep, err)
	}
}
