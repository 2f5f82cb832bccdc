package models_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

func submission(t *testing.T, reg *policy.Registry, key, email string, now time.Time) models.FormSubmission {
	t.Helper()
	p, _ := reg.Purpose(key)
	var consents []models.ConsentChoice
	for _, c := range p.Form.Consents {
		consents = append(consents, models.ConsentChoice{Kind: c.Kind, Label: c.Label.EN, Granted: c.Required})
	}
	return models.FormSubmission{
		ID: uuid.New(), Purpose: p, PolicyVersion: reg.Version, Now: now,
		Fields:   models.Fields{"email": email, "last_name": "Secretname", "message": "a secret message"},
		Email:    email,
		Consents: consents,
		Receipt:  &models.Email{To: email, Subject: "Receipt", Body: "We got it"},
	}
}

func TestSubmitLinksSubjectsAndEncrypts(t *testing.T) {
	db, urls := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	store := models.NewFormStore(db, v)
	ctx := context.Background()
	now := time.Now()

	a := submission(t, reg, "contact", "jeanne.secret@example.com", now)
	if _, err := store.Submit(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := submission(t, reg, "quote", "jeanne.secret@example.com", now)
	if _, err := store.Submit(ctx, b); err != nil {
		t.Fatal(err)
	}
	_, ra, err := store.RecordFields(ctx, "contact", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	fb, rb, err := store.RecordFields(ctx, "quote", b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ra.SubjectID == nil || rb.SubjectID == nil || *ra.SubjectID != *rb.SubjectID {
		t.Error("one person's records across purposes are not linked to one subject")
	}
	if fb["message"] != "a secret message" {
		t.Errorf("fields read back %v", fb)
	}
	d := testdb.Dump(t, urls.Owner)
	for _, secret := range []string{"jeanne.secret", "Secretname", "secret message", "We got it"} {
		if strings.Contains(d, secret) {
			t.Errorf("the database dump holds %q", secret)
		}
	}
	if got := strings.Count(d, `,form,`+reg.Version); got != 2 {
		t.Errorf("%d consent rows, want 2 (contact's two boxes; quote has none)", got)
	}
}

func TestObjectionListFlagsRecords(t *testing.T) {
	db, urls := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	store := models.NewFormStore(db, v)
	testdb.Exec(t, urls.Owner, `INSERT INTO suppressions (email_index, source) VALUES ($1, 'rights_request')`,
		v.BlindIndex(vault.KindEmail, "Objector@Example.com"))
	objected, err := store.Submit(context.Background(), submission(t, reg, "contact", "objector@example.com", time.Now()))
	if err != nil || !objected {
		t.Errorf("objector's record: objected=%v err=%v", objected, err)
	}
	objected, err = store.Submit(context.Background(), submission(t, reg, "contact", "other@example.com", time.Now()))
	if err != nil || objected {
		t.Errorf("other record: objected=%v err=%v", objected, err)
	}
	// An objection known by phone only flags the post that gives that phone,
	// whatever its email.
	testdb.Exec(t, urls.Owner, `INSERT INTO suppressions (phone_index, source) VALUES ($1, 'rights_request')`,
		v.BlindIndex(vault.KindPhone, "+33612345678"))
	byPhone := submission(t, reg, "contact", "phone.objector@example.com", time.Now())
	byPhone.Phone = "+33612345678"
	objected, err = store.Submit(context.Background(), byPhone)
	if err != nil || !objected {
		t.Errorf("record of a phone on the list: objected=%v err=%v", objected, err)
	}
}

func TestDoubleOptInAndCleanup(t *testing.T) {
	db, urls := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	store := models.NewFormStore(db, v)
	ctx := context.Background()
	p, _ := reg.Purpose("newsletter")
	old := time.Now().Add(-8 * 24 * time.Hour)

	stale := submission(t, reg, "newsletter", "stale@example.com", old)
	confirmed := submission(t, reg, "newsletter", "kept@example.com", old)
	fresh := submission(t, reg, "newsletter", "fresh@example.com", time.Now())
	for _, s := range []models.FormSubmission{stale, confirmed, fresh} {
		if _, err := store.Submit(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.ConfirmRecord(ctx, p, confirmed.ID, old.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := models.DeleteUnconfirmed(ctx, db, reg, time.Now())
	if err != nil || n != 1 {
		t.Fatalf("deleted %d (%v), want 1", n, err)
	}
	if _, _, err := store.RecordFields(ctx, "newsletter", stale.ID); err == nil {
		t.Error("the unconfirmed subscription was kept")
	}
	if _, rec, err := store.RecordFields(ctx, "newsletter", confirmed.ID); err != nil || rec.Status != "subscribed" {
		t.Errorf("confirmed subscription: %v %v", rec, err)
	}
	if _, rec, err := store.RecordFields(ctx, "newsletter", fresh.ID); err != nil || rec.Status != "pending" {
		t.Errorf("fresh subscription: %v %v", rec, err)
	}
	d := testdb.Dump(t, urls.Owner)
	for _, want := range []string{",email_confirmed,", ",unconfirmed_expired,"} {
		if !strings.Contains(d, want) {
			t.Errorf("consent ledger lacks a %s row", want)
		}
	}
}

func TestRightsRequestDueDate(t *testing.T) {
	db, _ := testdb.Open(t)
	v, _ := vault.NewEphemeral()
	store := models.NewRightsStore(db, v, rightsPurpose(t, registry(t)))
	ctx := context.Background()
	id := uuid.New()
	err := store.Submit(ctx, models.RightsRequestSubmission{ID: id, Right: "erasure", Email: "r@example.com",
		Fields: models.Fields{"email": "r@example.com", "right": "erasure"}, Confirm: models.Email{To: "r@example.com"}, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := store.Get(ctx, id)
	if err != nil || r.Status != models.RightsUnconfirmed || r.DueAt != nil {
		t.Fatalf("unconfirmed request %+v %v", r, err)
	}
	received := time.Date(2027, 1, 31, 15, 0, 0, 0, time.UTC)
	r, err = store.Confirm(ctx, id, received)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ReceivedAt.Equal(received) || !r.DueAt.Equal(time.Date(2027, 2, 28, 15, 0, 0, 0, time.UTC)) || r.Status != models.RightsReceived {
		t.Errorf("confirmed request received %v due %v status %s", r.ReceivedAt, r.DueAt, r.Status)
	}
	r, _ = store.Confirm(ctx, id, received.AddDate(0, 0, 3))
	if !r.ReceivedAt.Equal(received) {
		t.Error("a second confirmation moved the received date")
	}
	if r.Fields["right"] != "erasure" {
		t.Errorf("fields %v", r.Fields)
	}
}

func TestLinks(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	id := uuid.New()
	now := time.Now()
	q, _ := url.ParseQuery(models.SignLink(key, "newsletter", id, now.Add(models.LinkValidity)))
	tests := []struct {
		name string
		kind string
		mut  func(url.Values)
		at   time.Time
		want error
	}{
		{"valid", "newsletter", func(url.Values) {}, now, nil},
		{"other kind", "rights", func(url.Values) {}, now, models.ErrLinkInvalid},
		{"other id", "newsletter", func(v url.Values) { v.Set("id", uuid.NewString()) }, now, models.ErrLinkInvalid},
		{"later expiry", "newsletter", func(v url.Values) { v.Set("exp", "99999999999") }, now, models.ErrLinkInvalid},
		{"expired", "newsletter", func(url.Values) {}, now.Add(8 * 24 * time.Hour), models.ErrLinkExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, vv := range q {
				v[k] = append([]string(nil), vv...)
			}
			tt.mut(v)
			got, err := models.VerifyLink(key, tt.kind, v, tt.at)
			if err != tt.want || (err == nil && got != id) {
				t.Errorf("VerifyLink = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestOutboxSendsAndRetries(t *testing.T) {
	db, _ := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	ctx := context.Background()
	if _, err := models.NewFormStore(db, v).Submit(ctx, submission(t, reg, "contact", "o@example.com", time.Now())); err != nil {
		t.Fatal(err)
	}
	ob := models.NewOutbox(db, v)
	failing := func(context.Context, models.Email) error { return os.ErrDeadlineExceeded }
	if n, err := ob.SendPending(ctx, failing, 10, time.Now); n != 0 || err == nil {
		t.Errorf("failing send: %d %v", n, err)
	}
	var got []models.Email
	ok := func(_ context.Context, e models.Email) error { got = append(got, e); return nil }
	if n, _ := ob.SendPending(ctx, ok, 10, time.Now); n != 0 {
		t.Error("a failed message was retried before its backoff")
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }
	if n, err := ob.SendPending(ctx, ok, 10, later); n != 1 || err != nil || got[0].To != "o@example.com" {
		t.Errorf("send after backoff: %d %v %v", n, err, got)
	}
	list, err := ob.List(ctx, 10)
	if err != nil || len(list) != 1 || list[0].Status != "sent" || list[0].Attempts != 2 {
		t.Errorf("outbox list %+v %v", list, err)
	}
	// Sent an hour from now, kept a day after that, then purged.
	if n, err := ob.PurgeDelivered(ctx, time.Now().Add(2*time.Hour)); n != 0 || err != nil {
		t.Errorf("purged %d (%v) before a day had passed", n, err)
	}
	if n, err := ob.PurgeDelivered(ctx, time.Now().Add(26*time.Hour)); n != 1 || err != nil {
		t.Errorf("purged %d (%v) after a day, want the sent message", n, err)
	}
}

func TestKeyRotationKeepsRecordsReadable(t *testing.T) {
	db, urls := testdb.Open(t)
	reg := registry(t)
	dir := filepath.Join(t.TempDir(), "keys")
	v1, err := vault.OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before := submission(t, reg, "recruitment", "cv@example.com", time.Now())
	before.Files = []policy.Upload{{Name: "cv-jeanne.pdf", Data: []byte("%PDF-1.7 secret cv"), MIME: "application/pdf"}}
	if _, err := models.NewFormStore(db, v1).Submit(ctx, before); err != nil {
		t.Fatal(err)
	}
	rid := uuid.New()
	if err := models.NewRightsStore(db, v1, rightsPurpose(t, reg)).Submit(ctx, models.RightsRequestSubmission{ID: rid, Right: "access", Email: "cv@example.com",
		Fields: models.Fields{"right": "access"}, Confirm: models.Email{To: "cv@example.com"}, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	staff, err := demo.Account(ctx, db, v1, "rotation@example.com", "Rotation Test", "sales", time.Now())
	if err != nil {
		t.Fatal(err)
	}

	if err := vault.Rotate(dir, vault.Options{}); err != nil {
		t.Fatal(err)
	}
	v2, err := vault.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v2.PrimaryKeyID() == v1.PrimaryKeyID() {
		t.Fatal("rotation kept the primary key")
	}
	purposes := reg.PurposeKeys()
	c, err := models.Reencrypt(ctx, db, v2, purposes, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Records != 1 || c.Attachments != 1 || c.Outbox != 2 || c.RightsRequests != 1 || c.StaffSecrets != 1 {
		t.Errorf("re-encrypted %+v", c)
	}
	if _, err := models.NewStaffStore(db, v2).CurrentTOTPCode(ctx, staff.Staff.ID, time.Now()); err != nil {
		t.Errorf("staff TOTP secret after rotation: %v", err)
	}
	if c, _ := models.Reencrypt(ctx, db, v2, purposes, 500); c.Total() != 0 {
		t.Errorf("second pass re-encrypted %+v, want nothing", c)
	}
	store := models.NewFormStore(db, v2)
	if f, _, err := store.RecordFields(ctx, "recruitment", before.ID); err != nil || f["email"] != "cv@example.com" {
		t.Errorf("record after rotation: %v %v", f, err)
	}
	att, err := store.AttachmentsOf(ctx, "recruitment", before.ID)
	if err != nil || len(att) != 1 || att[0].Name != "cv-jeanne.pdf" || string(att[0].Data) != "%PDF-1.7 secret cv" {
		t.Errorf("attachment after rotation: %+v %v", att, err)
	}
	if _, err := models.NewRightsStore(db, v2, rightsPurpose(t, reg)).Get(ctx, rid); err != nil {
		t.Errorf("rights request after rotation: %v", err)
	}
	if list, err := models.NewOutbox(db, v2).List(ctx, 10); err != nil || len(list) != 2 {
		t.Errorf("outbox after rotation: %v", err)
	}
	if strings.Contains(testdb.Dump(t, urls.Owner), "secret cv") {
		t.Error("the dump holds the CV")
	}
}

func rightsPurpose(t *testing.T, reg *policy.Registry) *policy.Purpose {
	t.Helper()
	p, ok := reg.RightsPurpose()
	if !ok {
		t.Fatal("the registry has no purpose of kind rights_request")
	}
	return p
}

// Submissions arriving together are stored by one statement; two of the
// same person in one batch (which that statement cannot take) and a post
// retried within the batch are still each stored once, and the objector's
// answer reaches its own caller.
func TestConcurrentSubmissionsStoredOnce(t *testing.T) {
	db, urls := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	store := models.NewFormStore(db, v)
	testdb.Exec(t, urls.Owner, `INSERT INTO suppressions (email_index, source) VALUES ($1, 'rights_request')`,
		v.BlindIndex(vault.KindEmail, "person0@example.com"))
	const n = 24
	subs := make([]models.FormSubmission, n)
	for i := range subs {
		subs[i] = submission(t, reg, "contact", fmt.Sprintf("person%d@example.com", i%8), time.Now())
	}
	subs[n-1].ID = subs[n-2].ID // a retried post
	type answer struct {
		objected bool
		err      error
	}
	answers := make(chan answer, n)
	for _, s := range subs {
		go func() {
			o, err := store.Submit(context.Background(), s)
			answers <- answer{o, err}
		}()
	}
	objectors := 0
	for range n {
		a := <-answers
		if a.err != nil {
			t.Fatal(a.err)
		}
		if a.objected {
			objectors++
		}
	}
	if objectors != 3 { // person0: submissions 0, 8 and 16
		t.Errorf("%d answers say objected, want 3", objectors)
	}
	count := func(q string) int {
		var c int
		if err := db.Pool.QueryRow(context.Background(), q).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := count(`SELECT count(*) FROM subjects`); got != 8 {
		t.Errorf("%d subjects, want 8", got)
	}
	if got := count(`SELECT count(*) FROM outbox`); got != n-1 {
		t.Errorf("%d receipts, want %d (the retry sends none)", got, n-1)
	}
	if got := count(`SELECT count(*) FROM consents`); got != (n-1)*len(subs[0].Consents) {
		t.Errorf("%d consent rows, want %d", got, (n-1)*len(subs[0].Consents))
	}
	var records int
	if err := db.Scoped(context.Background(), models.Scope{Purposes: []string{"contact"}}, func(q models.Querier) error {
		return q.QueryRow(context.Background(), `SELECT count(*) FROM records`).Scan(&records)
	}); err != nil || records != n-1 {
		t.Errorf("%d records (%v), want %d", records, err, n-1)
	}
}

// A known person's later post adds the phone their subject lacked and keeps
// the one it has; a person whom another transaction creates while a post of
// theirs is being written (the post waits on that row, its batch fails once
// the other commits, and the post is written again alone) still has one
// subject, which the post's record names.
func TestSubmitKnownPersonAndConcurrentWriter(t *testing.T) {
	db, urls := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	store := models.NewFormStore(db, v)
	ctx := context.Background()
	phoneOf := func(email string) []byte {
		var idx []byte
		if err := db.Pool.QueryRow(ctx, `SELECT phone_index FROM subjects WHERE email_index = $1`,
			v.BlindIndex(vault.KindEmail, email)).Scan(&idx); err != nil {
			t.Fatal(err)
		}
		return idx
	}
	const email = "known@example.com"
	for i, phone := range []string{"", "+33612345678", "+33700000000"} {
		s := submission(t, reg, "contact", email, time.Now())
		s.Phone = phone
		if _, err := store.Submit(ctx, s); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		if got := phoneOf(email); i == 0 && got != nil {
			t.Errorf("post %d: a phone index without a phone", i)
		} else if i > 0 && !bytes.Equal(got, v.BlindIndex(vault.KindPhone, "+33612345678")) {
			t.Errorf("post %d: the subject's phone index is not the first phone given", i)
		}
	}

	// Another transaction creates the person and holds the row until the
	// post waits on it; once it commits, the post is stored against it.
	owner := testdb.OwnerAllPurposes(t, urls.Owner)
	tx, err := owner.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	const racer = "racer@example.com"
	var other uuid.UUID
	if err := tx.QueryRowContext(ctx, `INSERT INTO subjects (id, email_index) VALUES (gen_random_uuid(), $1) RETURNING id`,
		v.BlindIndex(vault.KindEmail, racer)).Scan(&other); err != nil {
		t.Fatal(err)
	}
	post := submission(t, reg, "contact", racer, time.Now())
	done := make(chan error, 1)
	go func() { _, err := store.Submit(ctx, post); done <- err }()
	for waiting := false; !waiting; time.Sleep(10 * time.Millisecond) {
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the post met a concurrent writer: %v", err)
	}
	_, rec, err := store.RecordFields(ctx, "contact", post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.SubjectID == nil || *rec.SubjectID != other {
		t.Errorf("the record's subject is %v, want the one the other transaction created (%v)", rec.SubjectID, other)
	}
	var subjects int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM subjects WHERE email_index = $1`, v.BlindIndex(vault.KindEmail, racer)).Scan(&subjects); err != nil || subjects != 1 {
		t.Errorf("%d subjects for one person (%v), want 1", subjects, err)
	}
}

// The batch statement runs on the plan PostgreSQL keeps for it: left to
// choose, it plans a custom one for each small batch (its row estimates
// beat the generic plan's), about a millisecond of planning per post when
// posts come one at a time.
func TestFormPostsUseTheGenericPlan(t *testing.T) {
	db, _ := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	store := models.NewFormStore(db, v)
	ctx := context.Background()
	for i := range 8 {
		if _, err := store.Submit(ctx, submission(t, reg, "contact", fmt.Sprintf("p%d@example.com", i), time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	var custom, generic int64
	for _, c := range db.Pool.AcquireAllIdle(ctx) {
		var cu, ge int64
		err := c.QueryRow(ctx, `SELECT coalesce(sum(custom_plans), 0), coalesce(sum(generic_plans), 0)
			FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO records%'`).Scan(&cu, &ge)
		c.Release()
		if err != nil {
			t.Fatal(err)
		}
		custom, generic = custom+cu, generic+ge
	}
	if custom != 0 || generic == 0 {
		t.Errorf("form statement: %d custom plans, %d generic, want only generic", custom, generic)
	}
}
