package models_test

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/vault"
)

// BenchmarkFormSubmit is POST /contact without HTTP: 16 concurrent callers
// (make bench's connections) storing contact forms through the group
// commit, each with its own email (a new subject), two consent boxes and a
// receipt. It measures the database side of the form post: statement,
// triggers, commit.
func BenchmarkFormSubmit(b *testing.B) {
	db, _ := testdb.Open(b)
	reg := registry(b)
	v, _ := vault.NewEphemeral()
	forms := models.NewFormStore(db, v)
	p, ok := reg.Purpose("contact")
	if !ok {
		b.Fatal("no contact purpose")
	}
	var consents []models.ConsentChoice
	for _, c := range p.Form.Consents {
		// As make bench posts it: the required box ticked, the optional one not.
		consents = append(consents, models.ConsentChoice{Kind: c.Kind, Label: c.Label.FR, Granted: c.Required})
	}
	var n atomic.Int64
	ctx := context.Background()
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	// Posts per commit: each batch pays a fixed cost (its statement's
	// start, the ledger's trigger, the commit), so CPU per post follows it.
	commits := func() (n int64) {
		if err := db.Pool.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	before := commits()
	b.ResetTimer()
	defer func() {
		b.StopTimer()
		time.Sleep(1100 * time.Millisecond) // backends report their counts at most once a second
		b.ReportMetric(float64(b.N)/float64(commits()-before), "posts/commit")
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			email := "bench" + strconv.FormatInt(n.Add(1), 10) + "@example.org"
			in := models.FormSubmission{ID: uuid.New(), Purpose: p, PolicyVersion: reg.Version, Now: time.Now(),
				Fields: models.Fields{"last_name": "Bench", "first_name": "Mark", "email": email, "message": "Hello, I would like to know more about your courses."},
				Email:  email, Consents: consents, Lang: "fr",
				Receipt: &models.Email{To: email, Subject: "Receipt", Body: "We received your message.", Lang: "fr"}}
			if _, err := forms.Submit(ctx, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
