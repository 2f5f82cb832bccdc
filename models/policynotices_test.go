package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/internal/policyfixture"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// A material change is told once to every person with a record not yet
// expired, through the outbox, in batches that can stop and resume.
func TestPolicyNoticesOncePerPerson(t *testing.T) {
	ctx := context.Background()
	db, urls := testdb.Open(t)
	v, err := vault.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := policy.Load(policyfixture.TwoVersions(t))
	if err != nil {
		t.Fatal(err)
	}
	store := models.NewRecordStore(db, v)
	now := time.Now().UTC()
	add := func(purpose, email string, created time.Time, restricted bool) {
		t.Helper()
		p, _ := reg.Purpose(purpose)
		if _, err := store.Create(ctx, models.NewRecord{Purpose: p, CreatedAt: created, Restricted: restricted,
			Fields: models.Fields{"email": email, "first_name": "X", "last_name": "Y", "message": "m"}}); err != nil {
			t.Fatal(err)
		}
	}
	add("contact", "ana@example.org", now.AddDate(0, -1, 0), false)
	add("newsletter", "ana@example.org", now, false) // the same person twice
	add("contact", "ben@example.org", now, false)
	add("contact", "old@example.org", now.AddDate(-4, 0, 0), false)   // expired: no current relationship
	add("contact", "hidden@example.org", now.AddDate(0, -1, 0), true) // restricted (art. 18)

	notices := models.NewPolicyNotices(db, v, reg)
	compose := func(to, _ string) models.Email { return models.Email{To: to, Subject: "policy", Body: "changed"} }
	b, err := notices.NotifyBatch(ctx, reg.Version, 1, now, compose)
	if err != nil || b.Emailed != 1 {
		t.Fatalf("first batch of one: %+v, %v", b, err)
	}
	b, err = notices.NotifyBatch(ctx, reg.Version, 100, now, compose) // resumes
	if err != nil || b.Emailed != 1 {
		t.Fatalf("second batch: %+v, %v", b, err)
	}
	if b, err = notices.NotifyBatch(ctx, reg.Version, 100, now, compose); err != nil || b.Done() != 0 {
		t.Fatalf("third batch: %+v, %v", b, err)
	}

	msgs, err := models.NewOutbox(db, v).List(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range msgs {
		if m.Kind == "policy_notice" {
			to = append(to, m.Email.To)
		}
	}
	if got := strings.Join(to, ","); len(to) != 2 || !strings.Contains(got, "ana@example.org") || !strings.Contains(got, "ben@example.org") {
		t.Errorf("notices went to %v, want ana and ben once each", to)
	}
	if emailed, _, err := notices.Notified(ctx, reg.Version); err != nil || emailed != 2 {
		t.Errorf("notified: %d, %v", emailed, err)
	}
	var logged int
	conn := testdb.OwnerAllPurposes(t, urls.Owner)
	if err := conn.QueryRow(`SELECT count(*) FROM access_events WHERE action = 'policy_notice'`).Scan(&logged); err != nil || logged != 2 {
		t.Errorf("%d policy_notice events for two batches, %v", logged, err)
	}
	// Another version is told again.
	if b, err := notices.NotifyBatch(ctx, "2027.1", 100, now, compose); err != nil || b.Emailed != 2 {
		t.Errorf("a later version: %+v, %v", b, err)
	}
}
