package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
)

// The record view's event is appended after its read, in a batch shared
// with other events (portal_log_batch), naming the person and restriction
// of the row read: the events it writes must verify, whatever they carry.
func TestRecordViewEventsVerify(t *testing.T) {
	e := newRetentionEnv(t)
	now := time.Now()
	plain := e.create(t, "contact", now, "ada@example.com")
	restricted := e.create(t, "contact", now, "grace@example.com")
	e.exec(t, "UPDATE records SET restricted = true WHERE id = $1", restricted)
	dpo := models.Actor{StaffID: uuid.New(), Role: "dpo", IP: "2001:db8::1",
		UserAgent: "Navigateur «Été» \xff" + strings.Repeat("é", 200), // invalid UTF-8, too long: clipped as Go clips
		Scope:     models.Scope{Purposes: []string{"contact"}, SeesRestricted: true}, Now: now.Add(123456 * time.Nanosecond)}
	for i, id := range []uuid.UUID{plain, restricted} {
		ctx := context.Background()
		if i == 0 {
			ctx = models.WithRequestID(ctx, "req-é-1")
		}
		d, err := e.records.View(ctx, dpo, "contact", id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Fields["email"] == "" {
			t.Fatal("no fields read")
		}
	}
	if n := e.count(t, `SELECT count(*) FROM access_events e JOIN records r ON r.id = e.record_id
		WHERE e.action = 'view' AND e.subject_id = r.subject_id AND e.restricted = r.restricted`); n != 2 {
		t.Errorf("%d view events name their record's subject and restriction, want 2", n)
	}
	if n := e.count(t, "SELECT count(*) FROM access_events WHERE request_id = 'req-é-1' AND record_id = $1", plain); n != 1 {
		t.Errorf("%d events carry the request id, want 1", n)
	}
	// A miss logs a denial, never a view.
	if _, err := e.records.View(context.Background(), dpo, "contact", uuid.New()); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("missing record: %v", err)
	}
	if n := e.count(t, "SELECT count(*) FROM access_events WHERE action = 'view'"); n != 2 {
		t.Errorf("%d view events after a miss, want 2", n)
	}
	if n := e.count(t, "SELECT count(*) FROM access_events WHERE action = 'denied'"); n != 1 {
		t.Errorf("%d denials after a miss, want 1", n)
	}
	rep, err := models.NewAccessLog(e.db, nil, testKey).Verify(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Checked != 3 {
		t.Errorf("chains: %s", rep)
	}
}

// A view let through on a copy of the session row checks the session in
// its own transaction: a session ended meanwhile (logout elsewhere,
// deactivation, a new role, idleness) reads and logs nothing.
func TestRecordViewChecksTheSessionInItsTransaction(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	now := time.Now()
	rec := e.create(t, "contact", now, "ada@example.com")
	ns, err := demo.Account(ctx, e.db, e.v, "sales-check@example.com", "Sales", "sales", now)
	if err != nil {
		t.Fatal(err)
	}
	id := ns.Staff.ID
	e.exec(t, "UPDATE staff SET must_change_password = false WHERE id = $1", id)
	sessions := models.NewSessionStore(e.db)
	token := models.NewSessionToken()
	if err := sessions.Create(ctx, token, id, []byte(`{}`), now.Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	actor := func(role string, at time.Time) models.Actor {
		return models.Actor{StaffID: id, Role: role, Scope: models.Scope{Purposes: []string{"contact"}}, Now: at,
			Session: models.NewSessionCheck(token, id, role, at)}
	}
	views := func() int { return e.count(t, "SELECT count(*) FROM access_events WHERE action = 'view'") }
	if _, err := e.records.View(ctx, actor("sales", now), "contact", rec); err != nil {
		t.Fatalf("live session: %v", err)
	}
	if views() != 1 {
		t.Fatal("the view was not logged")
	}
	if n := e.count(t, "SELECT count(*) FROM sessions WHERE last_seen_at = $1", now); n != 1 {
		t.Error("the idle deadline did not slide (last seen two minutes ago)")
	}
	for _, c := range []struct {
		name  string
		setup string
		role  string
		at    time.Time
	}{
		{"another role", "", "training", now},
		{"idle too long", "", "sales", now.Add(models.SessionIdle + time.Minute)},
		{"deactivated", "UPDATE staff SET active = false WHERE id = $1", "sales", now},
		{"logged out", "DELETE FROM sessions WHERE staff_id = $1", "sales", now},
	} {
		if c.setup != "" {
			e.exec(t, c.setup, id)
		}
		if _, err := e.records.View(ctx, actor(c.role, c.at), "contact", rec); !errors.Is(err, models.ErrSessionEnded) {
			t.Errorf("%s: %v, want ErrSessionEnded", c.name, err)
		}
	}
	if views() != 1 {
		t.Errorf("%d view events: an ended session logged a view", views())
	}
}

// Concurrent views share their log's commits: their events are appended
// in batches (several events per transaction), linked in order on one
// chain, while changes keep logging in their own transactions on the same
// chains. Every chain still verifies, and no view goes unlogged.
func TestConcurrentViewsShareTheirLogCommit(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	now := time.Now()
	rec := e.create(t, "contact", now, "ada@example.com")
	contact := e.purpose(t, "contact")
	a := models.Actor{StaffID: uuid.New(), Role: "sales", Scope: models.Scope{Purposes: []string{"contact"}}, Now: now}
	const workers, each = 16, 20
	errs := make(chan error)
	for w := range workers {
		go func() {
			for i := range each {
				var err error
				if w%4 == 0 && i%5 == 0 { // a change: logged in its own transaction
					_, err = e.records.Update(ctx, a, contact, rec, models.RecordChange{Note: new("seen")})
				} else {
					var d models.RecordDetail
					if d, err = e.records.View(ctx, a, "contact", rec); err == nil && d.Fields["email"] != "ada@example.com" {
						err = errors.New("a view read no fields")
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	updates := 4 * (each / 5)
	if n := e.count(t, "SELECT count(*) FROM access_events WHERE action = 'view' AND record_id = $1", rec); n != workers*each-updates {
		t.Errorf("%d views logged, want %d", n, workers*each-updates)
	}
	// Events written by one transaction carry its id (xmin).
	if n := e.count(t, `SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM access_events
		WHERE action = 'view' GROUP BY xmin::text) t`); n < 2 {
		t.Errorf("at most %d view per transaction: views did not share their commits", n)
	}
	rep, err := models.NewAccessLog(e.db, nil, testKey).Verify(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Checked != workers*each {
		t.Errorf("chains: %s", rep)
	}
}
