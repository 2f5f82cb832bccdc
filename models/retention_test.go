package models_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

var erasureKey = []byte("0123456789abcdef0123456789abcdef")

type retentionEnv struct {
	db      *models.DB
	urls    testdb.URLs
	v       *vault.Vault
	reg     *policy.Registry
	store   *models.RetentionStore
	records *models.RecordStore
	owner   *sql.DB
}

func newRetentionEnv(t *testing.T) *retentionEnv {
	t.Helper()
	db, urls := testdb.Open(t)
	v, err := vault.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	return &retentionEnv{db: db, urls: urls, v: v, reg: registry(t), store: models.NewRetentionStore(db, v, erasureKey),
		records: models.NewRecordStore(db, v), owner: testdb.OwnerAllPurposes(t, urls.Owner)}
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
	}
	return t
}

func (e *retentionEnv) purpose(t *testing.T, key string) *policy.Purpose {
	t.Helper()
	p, ok := e.reg.Purpose(key)
	if !ok {
		t.Fatalf("no purpose %q", key)
	}
	return p
}

func (e *retentionEnv) create(t *testing.T, key string, created time.Time, email string) uuid.UUID {
	t.Helper()
	id, err := e.records.Create(context.Background(), models.NewRecord{Purpose: e.purpose(t, key),
		Fields: models.Fields{"email": email, "message": "hello from " + email}, CreatedAt: created})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *retentionEnv) exists(t *testing.T, table string, id any) bool {
	t.Helper()
	var n int
	if err := e.owner.QueryRow("SELECT count(*) FROM "+table+" WHERE id = $1", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// exec runs a statement as the owner with every purpose in scope.
func (e *retentionEnv) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := e.owner.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (e *retentionEnv) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.owner.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *retentionEnv) sweep(t *testing.T, reg *policy.Registry, asOf time.Time, dry bool) models.RetentionReport {
	t.Helper()
	rep, err := e.store.Sweep(context.Background(), reg, models.SweepOptions{AsOf: asOf, DryRun: dry, Trigger: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func countOf(rep models.RetentionReport, key string) models.RetentionCount {
	for _, c := range rep.Counts {
		if c.Key == key {
			return c
		}
	}
	return models.RetentionCount{}
}

// Every rule of the policy, with an injected clock: a record is kept up to
// the instant its period ends, and goes at that instant; calendar months end
// on the last day of a shorter month (never later), and 29 February plus a
// year is 28 February.
func TestRetentionRulesFromTheRegistry(t *testing.T) {
	e := newRetentionEnv(t)
	reg := e.reg
	// Month ends and leap years on a one-month and a one-year rule.
	quote := e.purpose(t, "quote")
	training := e.purpose(t, "training")
	quote.Retention.Years, quote.Retention.Months = 0, 1
	training.Retention.Years = 1

	cases := []struct {
		name         string
		purpose      string
		created      string
		before, upon string // the last instant kept, the first instant due
	}{
		{"contact: 3 years from the last contact", "contact", "2023-03-01T10:00:00Z", "2026-03-01T09:59:59Z", "2026-03-01T10:00:00Z"},
		{"quote (1 month here): 31 January ends on 28 February", "quote", "2027-01-31T08:00:00Z", "2027-02-28T07:59:59Z", "2027-02-28T08:00:00Z"},
		{"training (1 year here): 29 February ends on 28 February", "training", "2024-02-29T12:00:00Z", "2025-02-28T11:59:59Z", "2025-02-28T12:00:00Z"},
		{"newsletter: 3 years", "newsletter", "2022-05-10T00:00:00Z", "2025-05-09T23:59:59Z", "2025-05-10T00:00:00Z"},
		{"appointment: 3 years", "appointment", "2021-12-31T23:00:00Z", "2024-12-31T22:59:59Z", "2024-12-31T23:00:00Z"},
		{"recruitment: 2 years", "recruitment", "2024-02-29T09:00:00Z", "2026-02-28T08:59:59Z", "2026-02-28T09:00:00Z"},
		{"ai challenge without an end date: 3 years from the last interaction", "ai_challenge", "2023-06-30T00:00:00Z", "2026-06-29T23:59:59Z", "2026-06-30T00:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.sweep(t, reg, day(c.before), true)
			id := e.create(t, c.purpose, day(c.created), "rule@example.com")
			if got := countOf(e.sweep(t, reg, day(c.before), true), c.purpose).Due - countOf(before, c.purpose).Due; got != 0 {
				t.Errorf("due %d before the end", got)
			}
			rep := e.sweep(t, reg, day(c.upon), false)
			if countOf(rep, c.purpose).Deleted < 1 || e.exists(t, "records", id) {
				t.Errorf("not deleted when its period ended: %+v", countOf(rep, c.purpose))
			}
		})
	}

	t.Run("recruitment: at once when marked unsuccessful", func(t *testing.T) {
		now := day("2026-01-10T10:00:00Z")
		p := e.purpose(t, "recruitment")
		id, err := e.records.Create(context.Background(), models.NewRecord{Purpose: p, Fields: models.Fields{"email": "u@example.com"},
			CreatedAt: now, Status: "unsuccessful"})
		if err != nil {
			t.Fatal(err)
		}
		e.sweep(t, reg, now, false)
		if e.exists(t, "records", id) {
			t.Error("an unsuccessful application survived the sweep")
		}
	})

	t.Run("ai challenge: 3 years from the end of the challenge set by staff", func(t *testing.T) {
		p := e.purpose(t, "ai_challenge")
		id := e.create(t, p.Key, day("2025-01-10T00:00:00Z"), "ai@example.com")
		a := models.Actor{StaffID: uuid.New(), Role: "dpo", Now: time.Now()}
		if err := e.store.SetEventEnd(context.Background(), a, p, day("2025-09-30T00:00:00Z")); err != nil {
			t.Fatal(err)
		}
		e.sweep(t, reg, day("2028-09-29T23:00:00Z"), false)
		if !e.exists(t, "records", id) {
			t.Fatal("deleted before 3 years from the end of the challenge")
		}
		e.sweep(t, reg, day("2028-09-30T00:00:00Z"), false)
		if e.exists(t, "records", id) {
			t.Error("kept past 3 years from the end of the challenge")
		}
	})

	t.Run("contact: at withdrawal of the consent it rests on", func(t *testing.T) {
		id := e.create(t, "contact", day("2026-01-01T00:00:00Z"), "withdraw@example.com")
		var subj uuid.UUID
		if err := e.owner.QueryRow("SELECT subject_id FROM records WHERE id = $1", id).Scan(&subj); err != nil {
			t.Fatal(err)
		}
		testdb.Exec(t, e.urls.Owner, `INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
			VALUES ($1, $2, 'contact', 'processing', true, 'form', 'v', '\x00', '2026-01-01'),
			       ($1, NULL, 'contact', 'processing', false, 'withdrawal', 'v', '\x00', '2026-02-01')`, subj, id)
		e.sweep(t, reg, day("2026-02-02T00:00:00Z"), false)
		if e.exists(t, "records", id) {
			t.Error("a record whose consent was withdrawn was kept")
		}
	})

	t.Run("rights requests: 1 year from the request", func(t *testing.T) {
		id := uuid.New()
		e.exec(t, `INSERT INTO rights_requests (id, purpose, "right", fields, status, email_confirmed_at, created_at)
			VALUES ($1, 'rights', 'access', '\x00', 'done', '2025-01-15', '2025-01-15T10:00:00Z')`, id)
		e.sweep(t, reg, day("2026-01-15T09:59:00Z"), false)
		if !e.exists(t, "rights_requests", id) {
			t.Fatal("deleted before a year")
		}
		e.sweep(t, reg, day("2026-01-15T10:00:00Z"), false)
		if e.exists(t, "rights_requests", id) {
			t.Error("kept past a year")
		}
	})

	t.Run("objections: 3 years from the objection", func(t *testing.T) {
		testdb.Exec(t, e.urls.Owner, `INSERT INTO suppressions (email_index, source, created_at) VALUES ('\x01', 'staff', '2023-04-01T00:00:00Z')`)
		if n := countOf(e.sweep(t, reg, day("2026-03-31T23:00:00Z"), false), "objection").Deleted; n != 0 {
			t.Fatalf("deleted %d objections before 3 years", n)
		}
		if n := countOf(e.sweep(t, reg, day("2026-04-01T00:00:00Z"), false), "objection").Deleted; n != 1 {
			t.Errorf("deleted %d objections after 3 years, want 1", n)
		}
	})

	t.Run("connection data 13 months, sent emails, unconfirmed sign-ups, access log: counted", func(t *testing.T) {
		testdb.Exec(t, e.urls.Owner, `INSERT INTO cookie_consents (consent_id, categories, action, policy_version, ua_hash, created_at)
			VALUES (gen_random_uuid(), '{}', 'reject_all', 'v', '\x00', now() - interval '13 months 1 day')`)
		testdb.Exec(t, e.urls.Owner, `INSERT INTO outbox (id, kind, message, status, sent_at) VALUES ($1, 'receipt', '\x00', 'sent', now() - interval '2 days')`, uuid.New())
		nl := e.purpose(t, "newsletter")
		if _, err := e.records.Create(context.Background(), models.NewRecord{Purpose: nl, Fields: models.Fields{"email": "p@example.com"},
			CreatedAt: time.Now().Add(-8 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		dry := e.sweep(t, reg, time.Now(), true)
		for _, k := range []string{models.DataCookieProofs, models.DataSentEmails, models.DataUnconfirmed} {
			if countOf(dry, k).Due != 1 {
				t.Errorf("%s: due %d, want 1", k, countOf(dry, k).Due)
			}
		}
		rep, err := e.store.Sweep(context.Background(), reg, models.SweepOptions{AsOf: time.Now(), Trigger: "test",
			Outbox: models.NewOutbox(e.db, e.v), CookieData: models.NewCookieLedger(e.db)})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{models.DataCookieProofs, models.DataSentEmails, models.DataUnconfirmed} {
			if countOf(rep, k).Deleted != 1 {
				t.Errorf("%s: deleted %d, want 1", k, countOf(rep, k).Deleted)
			}
		}
		if n := e.count(t, "SELECT count(*) FROM cookie_consents"); n != 0 {
			t.Errorf("%d cookie proofs older than 13 months kept", n)
		}
	})
}

// "Last contact" moves when staff record a contact, never on a read: a
// contact record kept 3 years from its last contact outlives its creation.
func TestContactedExtendsRetention(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	p := e.purpose(t, "contact")
	id := e.create(t, "contact", day("2023-01-01T00:00:00Z"), "c@example.com")
	a := models.Actor{StaffID: uuid.New(), Role: "sales", Scope: models.Scope{Purposes: []string{"contact"}}, Now: day("2025-06-01T00:00:00Z")}
	if _, err := e.records.View(ctx, a, "contact", id); err != nil {
		t.Fatal(err)
	}
	if e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false); e.exists(t, "records", id) {
		t.Fatal("a read moved the last contact")
	}
	id = e.create(t, "contact", day("2023-01-01T00:00:00Z"), "c2@example.com")
	if _, err := e.records.Update(ctx, a, p, id, models.RecordChange{MarkContacted: true}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT count(*) FROM access_events WHERE action = 'contacted' AND record_id = $1", id); n != 1 {
		t.Errorf("%d 'contacted' events, want 1", n)
	}
	e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false)
	if !e.exists(t, "records", id) {
		t.Fatal("deleted 3 years after creation although contacted since")
	}
	e.sweep(t, e.reg, day("2028-06-01T00:00:00Z"), false)
	if e.exists(t, "records", id) {
		t.Error("kept past 3 years from the last contact")
	}
	// A status change is a contact too.
	id = e.create(t, "contact", day("2023-01-01T00:00:00Z"), "c3@example.com")
	if _, err := e.records.Update(ctx, a, p, id, models.RecordChange{Status: "qualified"}); err != nil {
		t.Fatal(err)
	}
	if e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false); !e.exists(t, "records", id) {
		t.Error("a status change did not move the last contact")
	}
}

// A legal hold keeps what it names past its period (counted as held) and
// its placing and lifting are logged.
func TestLegalHoldProtects(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	id := e.create(t, "quote", day("2020-01-01T00:00:00Z"), "held@example.com")
	other := e.create(t, "contact", day("2020-01-01T00:00:00Z"), "person@example.com")
	dpo := models.Actor{StaffID: uuid.New(), Role: "dpo", Now: day("2026-01-01T00:00:00Z")}
	if _, err := e.store.PlaceHold(ctx, e.reg, dpo, models.HoldTarget{RecordID: &id}, "", day("2027-01-01")); !errors.Is(err, models.ErrHoldReason) {
		t.Errorf("a hold without a reason: %v", err)
	}
	hold, err := e.store.PlaceHold(ctx, e.reg, dpo, models.HoldTarget{RecordID: &id}, "pending dispute", day("2027-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.PlaceHold(ctx, e.reg, dpo, models.HoldTarget{Email: "person@example.com"}, "claim", day("2027-01-01")); err != nil {
		t.Fatal(err)
	}
	rep := e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false)
	if !e.exists(t, "records", id) || !e.exists(t, "records", other) {
		t.Fatal("held data was deleted")
	}
	if countOf(rep, "quote").Held != 1 || countOf(rep, "contact").Held != 1 {
		t.Errorf("held counts: quote %+v contact %+v", countOf(rep, "quote"), countOf(rep, "contact"))
	}
	if err := e.store.LiftHold(ctx, dpo, hold); err != nil {
		t.Fatal(err)
	}
	e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false)
	if e.exists(t, "records", id) {
		t.Error("still kept once the hold was lifted")
	}
	// The person's hold ends: their data goes at the next run.
	e.sweep(t, e.reg, day("2027-01-02T00:00:00Z"), false)
	if e.exists(t, "records", other) {
		t.Error("kept past the hold's end")
	}
	if n := e.count(t, "SELECT count(*) FROM access_events WHERE action IN ('hold', 'lift_hold')"); n != 3 {
		t.Errorf("%d hold events logged, want 3", n)
	}
}

// The rule is read at each run: shortening a period in the registry
// applies to the data already stored.
func TestRegistryEditShortensRetention(t *testing.T) {
	e := newRetentionEnv(t)
	id := e.create(t, "quote", day("2025-06-01T00:00:00Z"), "q@example.com")
	asOf := day("2026-01-01T00:00:00Z")
	if e.sweep(t, e.reg, asOf, false); !e.exists(t, "records", id) {
		t.Fatal("deleted before its year")
	}
	edited := registry(t)
	p, _ := edited.Purpose("quote")
	p.Retention.Years, p.Retention.Months = 0, 6
	if e.sweep(t, edited, asOf, false); e.exists(t, "records", id) {
		t.Error("a shortened period did not apply to a stored record")
	}
}

// Two servers sweeping at once delete each record once.
func TestTwoSweepersDeleteEachRecordOnce(t *testing.T) {
	e := newRetentionEnv(t)
	const n = 120
	for i := range n {
		e.create(t, "quote", day("2020-01-01T00:00:00Z"), "many"+string(rune('a'+i%26))+"@example.com")
	}
	e.store.SetBatch(7)
	second := models.NewRetentionStore(e.db, e.v, erasureKey)
	second.SetBatch(5)
	var wg sync.WaitGroup
	var mu sync.Mutex
	deleted := int64(0)
	for _, s := range []*models.RetentionStore{e.store, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := s.Sweep(context.Background(), e.reg, models.SweepOptions{AsOf: day("2026-01-01"), Trigger: "test"})
			if errors.Is(err, models.ErrSweepRunning) {
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			deleted += countOf(rep, "quote").Deleted
			mu.Unlock()
		}()
	}
	wg.Wait()
	if deleted != n {
		t.Errorf("deleted %d, want %d", deleted, n)
	}
	if got := e.count(t, "SELECT count(DISTINCT h) FROM "+loggedHashes+" l WHERE kind = 'records'"); got != n {
		t.Errorf("%d distinct erasures logged, want %d", got, n)
	}
	if got := e.count(t, "SELECT count(*) FROM "+loggedHashes+" l"); got != n {
		t.Errorf("%d erasure hashes, want %d (each record once)", got, n)
	}
}

// A deleted record's files and consents go with it, and its subject once
// it has nothing left.
func TestDeletedRecordTakesFilesAndConsents(t *testing.T) {
	e := newRetentionEnv(t)
	p := e.purpose(t, "recruitment")
	id, err := e.records.Create(context.Background(), models.NewRecord{Purpose: p, Fields: models.Fields{"email": "cv@example.com"},
		CreatedAt: day("2020-01-01T00:00:00Z"), Attachment: &models.NewAttachment{Filename: "cv.pdf", MIME: "application/pdf", Content: []byte("%PDF-1.4")}})
	if err != nil {
		t.Fatal(err)
	}
	var subj uuid.UUID
	if err := e.owner.QueryRow("SELECT subject_id FROM records WHERE id = $1", id).Scan(&subj); err != nil {
		t.Fatal(err)
	}
	testdb.Exec(t, e.urls.Owner, `INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash)
		VALUES ($1, $2, 'recruitment', 'processing', true, 'form', 'v', '\x00'), (NULL, $2, 'recruitment', 'processing', true, 'form', 'v', '\x00')`, subj, id)
	e.sweep(t, e.reg, day("2026-01-01"), false)
	for q, want := range map[string]int{
		"SELECT count(*) FROM records WHERE id = $1":            0,
		"SELECT count(*) FROM attachments WHERE record_id = $1": 0,
		"SELECT count(*) FROM consents WHERE record_id = $1":    0,
	} {
		if got := e.count(t, q, id); got != want {
			t.Errorf("%s: %d", q, got)
		}
	}
	if e.exists(t, "subjects", subj) {
		t.Error("a subject left without records was kept")
	}
}

// Anonymisation keeps only a count per purpose, month and status: no field
// of the person survives anywhere in a dump.
func TestAnonymiseKeepsOnlyStatistics(t *testing.T) {
	e := newRetentionEnv(t)
	reg := registry(t)
	p, _ := reg.Purpose("training")
	p.Retention.Action = "anonymise"
	id := e.create(t, "training", day("2020-03-15T00:00:00Z"), "anon@example.com")
	var subj uuid.UUID
	var blind []byte
	if err := e.owner.QueryRow("SELECT r.subject_id, s.email_index FROM records r JOIN subjects s ON s.id = r.subject_id WHERE r.id = $1", id).Scan(&subj, &blind); err != nil {
		t.Fatal(err)
	}
	rep := e.sweep(t, reg, day("2026-01-01"), false)
	if countOf(rep, "training").Anonymised != 1 {
		t.Fatalf("anonymised: %+v", countOf(rep, "training"))
	}
	dump := testdb.Dump(t, e.urls.Owner)
	for _, s := range []string{id.String(), subj.String(), hex.EncodeToString(blind), "anon@example.com"} {
		if strings.Contains(dump, s) {
			t.Errorf("the dump still holds %q", s)
		}
	}
	var purpose, status string
	var month time.Time
	var n int
	if err := e.owner.QueryRow("SELECT purpose, month, status, count FROM retention_stats").Scan(&purpose, &month, &status, &n); err != nil {
		t.Fatal(err)
	}
	if purpose != "training" || month.Format("2006-01") != "2020-03" || status != "new" || n != 1 {
		t.Errorf("stats: %s %s %s %d", purpose, month, status, n)
	}
	if got := e.count(t, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'retention_stats'`); got != 4 {
		t.Errorf("retention_stats has %d columns: only purpose, month, status, count may survive", got)
	}
}

// Every run leaves a hash-chained row; editing or deleting one is caught.
func TestRetentionRunsChainAndReplay(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	id := e.create(t, "quote", day("2020-01-01T00:00:00Z"), "r@example.com")
	var row []any
	var created, lastContact, expires time.Time
	var fields []byte
	var subj uuid.UUID
	if err := e.owner.QueryRow("SELECT fields, created_at, last_contact_at, expires_at, subject_id FROM records WHERE id = $1", id).
		Scan(&fields, &created, &lastContact, &expires, &subj); err != nil {
		t.Fatal(err)
	}
	row = []any{id, fields, created, lastContact, expires}
	for range 3 {
		e.sweep(t, e.reg, day("2026-01-01"), false)
	}
	if rep, err := e.store.Verify(ctx); err != nil || !rep.OK || rep.Checked != 3 {
		t.Fatalf("verify: %v %v", rep, err)
	}
	// A restored backup brings the record back: replay deletes it again.
	e.exec(t, `INSERT INTO records (id, purpose, status, fields, created_at, last_contact_at, expires_at)
		VALUES ($1, 'quote', 'new', $2, $3, $4, $5)`, row...)
	rp, err := e.store.Replay(ctx, e.reg, time.Time{})
	if err != nil || rp.Records != 1 || e.exists(t, "records", id) {
		t.Errorf("replay: %+v %v", rp, err)
	}
	testdb.Exec(t, e.urls.Owner, `UPDATE retention_runs SET counts = '[]' WHERE id = 2`)
	if rep, _ := e.store.Verify(ctx); rep.OK || rep.BadID != 2 {
		t.Errorf("an edited run was not caught: %v", rep)
	}
	testdb.Exec(t, e.urls.Owner, `DELETE FROM retention_runs WHERE id = 2`)
	if rep, _ := e.store.Verify(ctx); rep.OK || rep.BadID != 3 {
		t.Errorf("a deleted run was not caught: %v", rep)
	}
}
