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
// with other events (the access writer's batch), naming the person and restriction
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
	id, token := e.signedIn(t, "sales-check@example.com", "sales", now)
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
	// Seen less than a minute ago: the check only reads (a read that
	// wrote would flush WAL at its end).
	if _, err := e.records.View(ctx, actor("sales", now.Add(30*time.Second)), "contact", rec); err != nil {
		t.Fatalf("live session, seen 30 s ago: %v", err)
	}
	if n := e.count(t, "SELECT count(*) FROM sessions WHERE last_seen_at = $1", now); n != 1 {
		t.Error("the idle deadline moved twice within a minute")
	}
	if views() != 2 {
		t.Fatal("the second view was not logged")
	}
	for _, c := range endedSessions("sales", "training", now) {
		if c.setup != "" {
			e.exec(t, c.setup, id)
		}
		if _, err := e.records.View(ctx, actor(c.role, c.at), "contact", rec); !errors.Is(err, models.ErrSessionEnded) {
			t.Errorf("%s: %v, want ErrSessionEnded", c.name, err)
		}
	}
	if views() != 2 {
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

// The record view reads the record, its files, where its person stands
// (each box's latest answer) and their objections (the first date of each)
// in one statement: each comes back whole and in order, a record with none
// of them reads empty, and row-level security hides a record (and so its
// files) out of the actor's scope.
func TestRecordViewReadsFilesConsentsAndObjections(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	now := time.Now().Truncate(time.Microsecond)
	rec, err := e.records.Create(ctx, models.NewRecord{Purpose: e.purpose(t, "recruitment"), CreatedAt: now,
		Fields:     models.Fields{"email": "ada@example.com", "message": "hello"},
		Attachment: &models.NewAttachment{Filename: "cv.pdf", MIME: "application/pdf", Content: []byte("%PDF-1.4")}})
	if err != nil {
		t.Fatal(err)
	}
	// A second file, stored earlier: listed first.
	early := uuid.New()
	name, err := e.v.Encrypt([]byte("lettre «été».txt"), models.AttachmentAAD(early, "filename"))
	if err != nil {
		t.Fatal(err)
	}
	e.exec(t, `INSERT INTO attachments (id, record_id, purpose, filename, mime, size, sha256, content, created_at)
		VALUES ($1, $2, 'recruitment', $3, 'text/plain', 7, '\x00', '\x00', $4)`, early, rec, name, now.Add(-time.Hour))
	e.exec(t, `INSERT INTO consents (subject_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
		SELECT r.subject_id, k.purpose, k.kind, k.granted, 'preferences', 'v', '\x00', $2::timestamptz + k.delta
		  FROM records r, (VALUES ('contact', 'newsletter', true, interval '0'), ('ai_challenge', 'sms', true, interval '-1 hour'),
		                          ('ai_challenge', 'sms', false, interval '1 minute')) AS k(purpose, kind, granted, delta)
		 WHERE r.id = $1`, rec, now)
	sup := models.NewSuppressionStore(e.db, e.v)
	for _, s := range []models.Suppression{
		{Email: "ada@example.com", Channel: "sms", Source: models.SuppressionFromStaff, At: now.Add(-2 * time.Hour)},
		{Email: "ada@example.com", Channel: "sms", Source: models.SuppressionFromStaff, At: now},
		{Email: "ada@example.com", Channel: models.SuppressAll, Source: models.SuppressionFromRights, At: now},
		{Email: "grace@example.com", Channel: "email", Source: models.SuppressionFromStaff, At: now},
	} {
		if err := sup.Record(ctx, e.reg, s); err != nil {
			t.Fatal(err)
		}
	}
	a := models.Actor{StaffID: uuid.New(), Role: "dpo", Now: now,
		Scope: models.Scope{Purposes: []string{"recruitment", "contact"}, SeesRestricted: true}}
	d, err := e.records.View(ctx, a, "recruitment", rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Attachments) != 2 || d.Attachments[0].ID != early || d.Attachments[0].Filename != "lettre «été».txt" ||
		d.Attachments[0].MIME != "text/plain" || d.Attachments[0].Size != 7 || d.Attachments[1].Filename != "cv.pdf" ||
		d.Attachments[1].Size != 8 {
		t.Errorf("attachments: %+v", d.Attachments)
	}
	st := d.Consents.States
	if len(st) != 2 || st[0].Purpose != "ai_challenge" || st[0].Kind != "sms" || st[0].Granted ||
		st[1].Purpose != "contact" || st[1].Kind != "newsletter" || !st[1].Granted || st[1].Source != "preferences" ||
		!st[1].At.Equal(now) {
		t.Errorf("consent states: %+v", st)
	}
	sp := d.Consents.Suppressed
	if len(sp) != 2 || !sp["sms"].Equal(now.Add(-2*time.Hour)) || !sp[models.SuppressAll].Equal(now) {
		t.Errorf("objections: %v", sp)
	}

	// A record of a person with no file, no consent and no objection.
	bare := e.create(t, "contact", now, "linus@example.com")
	d, err = e.records.View(ctx, a, "contact", bare)
	if err != nil {
		t.Fatal(err)
	}
	if d.Fields["email"] != "linus@example.com" || len(d.Attachments) != 0 || len(d.Consents.States) != 0 ||
		d.Consents.Suppressed == nil || len(d.Consents.Suppressed) != 0 {
		t.Errorf("a bare record: %+v", d)
	}

	// Out of scope (another purpose; restricted, for a role that does not
	// see restricted records): not found, and logged as a denial.
	e.exec(t, "UPDATE records SET restricted = true WHERE id = $1", bare)
	for _, c := range []struct {
		scope   models.Scope
		purpose string
		id      uuid.UUID
	}{
		{models.Scope{Purposes: []string{"contact"}}, "recruitment", rec},
		{models.Scope{Purposes: []string{"contact"}}, "contact", bare},
		{models.Scope{Purposes: []string{"training"}, SeesRestricted: true}, "contact", bare},
	} {
		a.Scope = c.scope
		if _, err := e.records.View(ctx, a, c.purpose, c.id); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("scope %v, %s record: %v, want ErrNotFound", c.scope, c.purpose, err)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM access_events WHERE action = 'denied'"); n != 3 {
		t.Errorf("%d denials, want 3", n)
	}
}

// endedSession is a session that no longer holds at a request's time:
// setup (SQL run as the owner, $1 the member's id) ends it, or the request
// comes as role, or at at.
type endedSession struct {
	name, setup, role string
	at                time.Time
}

// endedSessions are the ways a session of role ends by now: another role
// (other), idleness, deactivation, logout.
func endedSessions(role, other string, now time.Time) []endedSession {
	return []endedSession{
		{"another role", "", other, now},
		{"idle too long", "", role, now.Add(models.SessionIdle + time.Minute)},
		{"deactivated", "UPDATE staff SET active = false WHERE id = $1", role, now},
		{"logged out", "DELETE FROM sessions WHERE staff_id = $1", role, now},
	}
}

// signedIn is a member of role (email) with a live session, last seen two
// minutes before now: its id and the session's token.
func (e *retentionEnv) signedIn(t *testing.T, email, role string, now time.Time) (uuid.UUID, string) {
	t.Helper()
	ns, err := demo.Account(context.Background(), e.db, e.v, email, role, role, now)
	if err != nil {
		t.Fatal(err)
	}
	id := ns.Staff.ID
	e.exec(t, "UPDATE staff SET must_change_password = false WHERE id = $1", id)
	token := models.NewSessionToken()
	if err := models.NewSessionStore(e.db).Create(context.Background(), token, id, []byte(`{}`), now.Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	return id, token
}
