package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/vault"
)

// The record view reads a person's objections by either of their blind
// indexes, each channel's first one; a record with no person has none; a
// restricted record shows its files to a scope that sees restricted records
// and nothing at all to one that does not; files stored at the same instant
// keep one order.
func TestRecordViewShapes(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	now := time.Now().Truncate(time.Microsecond)
	sup := models.NewSuppressionStore(e.db, e.v)
	object := func(s models.Suppression) {
		t.Helper()
		if err := sup.Record(ctx, e.reg, s); err != nil {
			t.Fatal(err)
		}
	}
	dpo := models.Actor{StaffID: uuid.New(), Role: "dpo", Now: now,
		Scope: models.Scope{Purposes: []string{"recruitment", "contact"}, SeesRestricted: true}}
	view := func(a models.Actor, purpose string, id uuid.UUID) models.RecordDetail {
		t.Helper()
		d, err := e.records.View(ctx, a, purpose, id)
		if err != nil {
			t.Fatalf("view %s %s: %v", purpose, id, err)
		}
		return d
	}

	// A person known by email and phone, objecting by one and the other.
	rec := e.create(t, "contact", now, "ada@example.com")
	e.exec(t, `UPDATE subjects SET phone_index = $2 FROM records r WHERE r.id = $1 AND subjects.id = r.subject_id`,
		rec, e.v.BlindIndex(vault.KindPhone, "+33612345678"))
	object(models.Suppression{Phone: "+33612345678", Channel: "sms", Source: models.SuppressionFromStaff, At: now.Add(-3 * time.Hour)})
	object(models.Suppression{Email: "ada@example.com", Channel: "sms", Source: models.SuppressionFromStaff, At: now.Add(-time.Hour)})
	object(models.Suppression{Phone: "+33612345678", Source: models.SuppressionFromRights, At: now.Add(-30 * time.Minute)})
	object(models.Suppression{Phone: "+33699999999", Channel: "email", Source: models.SuppressionFromStaff, At: now.Add(-5 * time.Hour)})
	d := view(dpo, "contact", rec)
	if sp := d.Consents.Suppressed; len(sp) != 2 || !sp["sms"].Equal(now.Add(-3*time.Hour)) ||
		!sp[models.SuppressAll].Equal(now.Add(-30*time.Minute)) {
		t.Errorf("objections by email and phone: %v", sp)
	}
	if d.Record.SubjectID == nil || !d.Record.Objected || d.Fields["email"] != "ada@example.com" {
		t.Errorf("record: %+v", d.Record)
	}

	// A record with no person: no consent, no objection, whatever the list holds.
	anon, err := e.records.Create(ctx, models.NewRecord{Purpose: e.purpose(t, "contact"), CreatedAt: now,
		Fields: models.Fields{"message": "no address"}})
	if err != nil {
		t.Fatal(err)
	}
	d = view(dpo, "contact", anon)
	if d.Record.SubjectID != nil || len(d.Consents.States) != 0 || d.Consents.Suppressed == nil ||
		len(d.Consents.Suppressed) != 0 || len(d.Attachments) != 0 || d.Fields["message"] != "no address" {
		t.Errorf("a record with no person: %+v", d)
	}

	// A restricted record with three files, two stored at the same instant.
	restricted, err := e.records.Create(ctx, models.NewRecord{Purpose: e.purpose(t, "recruitment"), CreatedAt: now,
		Restricted: true, Fields: models.Fields{"email": "grace@example.com"},
		Attachment: &models.NewAttachment{Filename: "cv.pdf", MIME: "application/pdf", Content: []byte("%PDF-1.4")}})
	if err != nil {
		t.Fatal(err)
	}
	at := now.Add(-time.Hour)
	ids := []uuid.UUID{uuid.MustParse("ffffffff-0000-4000-8000-000000000000"), uuid.MustParse("00000000-0000-4000-8000-000000000001")}
	for i, id := range ids {
		name, err := e.v.Encrypt([]byte("lettre "+string(rune('A'+i))), models.AttachmentAAD(id, "filename"))
		if err != nil {
			t.Fatal(err)
		}
		e.exec(t, `INSERT INTO attachments (id, record_id, purpose, filename, mime, size, sha256, content, created_at)
			VALUES ($1, $2, 'recruitment', $3, 'text/plain', $4, '\x00', '\x00', $5)`, id, restricted, name, 10+i, at)
	}
	e.exec(t, `INSERT INTO consents (subject_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
		SELECT r.subject_id, k.purpose, k.kind, true, 'form', 'v', '\x00', $2
		  FROM records r, (VALUES ('recruitment', 'email'), ('contact', 'sms'), ('contact', 'email')) AS k(purpose, kind)
		 WHERE r.id = $1`, restricted, now)
	d = view(dpo, "recruitment", restricted)
	if f := d.Attachments; len(f) != 3 || f[0].ID != ids[1] || f[0].Filename != "lettre B" || f[0].Size != 11 ||
		f[1].ID != ids[0] || f[1].Filename != "lettre A" || f[2].Filename != "cv.pdf" || f[2].MIME != "application/pdf" {
		t.Errorf("files of a restricted record: %+v", f)
	}
	if st := d.Consents.States; len(st) != 3 || st[0].Purpose != "contact" || st[0].Kind != "email" ||
		st[1].Kind != "sms" || st[2].Purpose != "recruitment" || !st[2].Granted || st[2].Source != "form" || !st[2].At.Equal(now) {
		t.Errorf("consent states, by purpose then kind: %+v", st)
	}
	if !d.Record.Restricted || len(d.Consents.Suppressed) != 0 {
		t.Errorf("restricted record: %+v", d)
	}
	sales := dpo
	sales.Role, sales.Scope = "sales", models.Scope{Purposes: []string{"recruitment", "contact"}}
	if _, err := e.records.View(ctx, sales, "recruitment", restricted); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("restricted record for a scope that does not see it: %v, want ErrNotFound", err)
	}
	// The same scope still sees the unrestricted record and its objections.
	if d := view(sales, "contact", rec); len(d.Consents.Suppressed) != 2 {
		t.Errorf("objections for sales: %v", d.Consents.Suppressed)
	}
}

// PostgreSQL sets up every node of a plan on each execution, run or not:
// the record view's reads keep theirs few. The record and its person are
// the only join, its arrays are bare index scans (no aggregate to build, no
// sort to begin, no bitmap to fill: the objections are one probe by email
// and one by phone), and the session check reads sessions and staff once.
func TestRecordViewPlansStaySmall(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	plan := func(sql string, args ...any) string {
		t.Helper()
		var lines string
		err := e.db.Scoped(ctx, models.Scope{Purposes: []string{"contact"}}, func(q models.Querier) error {
			// With the settings the view's first statement makes.
			if _, err := q.Exec(ctx, models.RecordViewScopeSQL, "contact", "off"); err != nil {
				return err
			}
			var err error
			lines, err = genericPlan(ctx, q, sql, args...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return lines
	}
	view := plan(models.RecordViewSQL, uuid.New(), "contact")
	for _, node := range []string{"Aggregate", "Sort", "Materialize", "Hash", "Bitmap", "Append"} {
		if strings.Contains(view, node) {
			t.Errorf("record view plan has a %s node:\n%s", node, view)
		}
	}
	if n := strings.Count(view, "Nested Loop"); n != 1 {
		t.Errorf("record view plan: %d nested loops, want 1 (the record and its person):\n%s", n, view)
	}
	for _, index := range []string{"suppressions_email", "suppressions_phone"} {
		if n := strings.Count(view, "Index Scan using "+index+" "); n != 1 {
			t.Errorf("record view plan probes %s %d times, want 1:\n%s", index, n, view)
		}
	}
	now := time.Now()
	check := plan(models.SessionCheckSQL, []byte{1}, uuid.New(), "sales", now, now.Add(-time.Hour), "contact", "off")
	if n := strings.Count(check, " on sessions "); n != 1 {
		t.Errorf("session check plan reads sessions %d times, want 1:\n%s", n, check)
	}
	if n := strings.Count(check, " on staff "); n != 1 {
		t.Errorf("session check plan reads staff %d times, want 1:\n%s", n, check)
	}
}

// The view's settings (its scope, index probes only) hold for its own
// transaction only: the connection the pool hands out next carries none of
// them, whether the view checked a session or not, found its record or not.
func TestRecordViewSettingsEndWithItsTransaction(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	now := time.Now()
	// One connection: the next user is the connection the view ran on.
	db, err := models.Open(ctx, e.urls.App, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	records := models.NewRecordStore(db, e.v)
	rec := e.create(t, "contact", now, "ada@example.com")
	id, token := e.signedIn(t, "sales-settings@example.com", "sales", now)
	scope := models.Scope{Purposes: []string{"contact"}, SeesRestricted: true}
	for _, c := range []struct {
		name    string
		session *models.SessionCheck
		id      uuid.UUID
		want    error
	}{
		{"session checked", models.NewSessionCheck(token, id, "sales", now), rec, nil},
		{"no session", nil, rec, nil},
		{"not found", nil, uuid.New(), models.ErrNotFound},
		{"session ended", models.NewSessionCheck(token, id, "training", now), rec, models.ErrSessionEnded},
	} {
		a := models.Actor{StaffID: id, Role: "sales", Scope: scope, Now: now, Session: c.session}
		if _, err := records.View(ctx, a, "contact", c.id); !errors.Is(err, c.want) {
			t.Fatalf("%s: %v, want %v", c.name, err, c.want)
		}
		var bitmaps, purposes, restricted string
		err := db.Pool.QueryRow(ctx, `SELECT current_setting('enable_bitmapscan'),
			coalesce(current_setting('portal.purposes', true), ''), coalesce(current_setting('portal.restricted', true), '')`).
			Scan(&bitmaps, &purposes, &restricted)
		if err != nil {
			t.Fatal(err)
		}
		if bitmaps != "on" || purposes != "" || restricted != "" {
			t.Errorf("%s: the next user of the connection sees enable_bitmapscan=%q portal.purposes=%q portal.restricted=%q",
				c.name, bitmaps, purposes, restricted)
		}
	}
}

// genericPlan is EXPLAIN's plan of sql on the generic plan, the one a
// prepared statement settles on, inside q's transaction.
func genericPlan(ctx context.Context, q models.Querier, sql string, args ...any) (string, error) {
	if _, err := q.Exec(ctx, "SET LOCAL plan_cache_mode = force_generic_plan"); err != nil {
		return "", err
	}
	rows, err := q.Query(ctx, "EXPLAIN (COSTS OFF) "+sql, args...)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}
