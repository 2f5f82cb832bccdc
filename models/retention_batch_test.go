package models_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
)

// loggedHashes is the erasure log one hash a row: a row holds one or more
// 32-byte hashes, concatenated (a batch of the sweep).
const loggedHashes = `(SELECT kind, substring(id_hash FROM k * 32 + 1 FOR 32) AS h
	FROM erasure_log, generate_series(0, length(id_hash) / 32 - 1) k)`

// The statement that deletes a batch writes the erasure log itself: each
// hash is HMAC-SHA256 of "records:<id>" under the erasure key, the same
// hash `portal retention replay` looks for (keys longer than SHA-256's
// block are hashed first, as RFC 2104 says).
func TestErasureLogHashesAreHMACs(t *testing.T) {
	for _, key := range [][]byte{erasureKey, []byte(fmt.Sprintf("%0100d", 7))} {
		t.Run(fmt.Sprintf("key of %d bytes", len(key)), func(t *testing.T) {
			e := newRetentionEnv(t)
			e.store = models.NewRetentionStore(e.db, e.v, key)
			ids := map[uuid.UUID]bool{}
			for i := range 3 {
				ids[e.create(t, "quote", day("2020-01-01T00:00:00Z"), fmt.Sprintf("h%d@example.com", i))] = true
			}
			e.sweep(t, e.reg, day("2026-01-01"), false)
			rows, err := e.owner.Query("SELECT h FROM " + loggedHashes + " l WHERE kind = 'records'")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			want := map[string]bool{}
			for id := range ids {
				m := hmac.New(sha256.New, key)
				m.Write([]byte("records:" + id.String()))
				want[string(m.Sum(nil))] = true
			}
			n := 0
			for rows.Next() {
				var h []byte
				if err := rows.Scan(&h); err != nil {
					t.Fatal(err)
				}
				if !want[string(h)] {
					t.Errorf("logged hash %x is no HMAC of a deleted id", h)
				}
				n++
			}
			if n != len(ids) {
				t.Errorf("%d hashes logged, want %d", n, len(ids))
			}
		})
	}
}

// Batches walk the due records oldest first and resume where the last one
// ended: records sharing an instant across a batch boundary all go, held
// records in between are skipped and counted, and those after them still go.
func TestBatchesResumeAcrossTiesAndHolds(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	e.store.SetBatch(2)
	var ids []uuid.UUID
	for i := range 9 {
		ids = append(ids, e.create(t, "quote", day("2020-01-01T00:00:00Z"), fmt.Sprintf("b%d@example.com", i)))
	}
	// Five share one instant (a tie across batches of two), then four a day apart.
	for i, id := range ids {
		at := day("2020-01-01T00:00:00Z")
		if i >= 5 {
			at = at.AddDate(0, 0, i)
		}
		e.exec(t, "UPDATE records SET last_contact_at = $2 WHERE id = $1", id, at)
	}
	dpo := models.Actor{StaffID: uuid.New(), Role: "dpo", Now: day("2026-01-01T00:00:00Z")}
	for _, i := range []int{1, 6} {
		if _, err := e.store.PlaceHold(ctx, e.reg, dpo, models.HoldTarget{RecordID: &ids[i]}, "dispute", day("2027-01-01")); err != nil {
			t.Fatal(err)
		}
	}
	rep := e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false)
	for i, id := range ids {
		if held := i == 1 || i == 6; e.exists(t, "records", id) != held {
			t.Errorf("record %d: kept %v, held %v", i, !held, held)
		}
	}
	if c := countOf(rep, "quote"); c.Deleted != 7 || c.Held != 2 || c.Due != 9 {
		t.Errorf("quote: %+v, want 9 due, 7 deleted, 2 held", c)
	}
}

// The one statement of a batch deletes a subject only once it has nothing
// left: another purpose's record keeps it, and that record's consents stay.
func TestBatchKeepsSubjectWithOtherRecords(t *testing.T) {
	e := newRetentionEnv(t)
	old := e.create(t, "quote", day("2020-01-01T00:00:00Z"), "both@example.com")
	recent := e.create(t, "contact", day("2025-12-01T00:00:00Z"), "both@example.com")
	var subj uuid.UUID
	if err := e.owner.QueryRow("SELECT subject_id FROM records WHERE id = $1", old).Scan(&subj); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash)
		VALUES ($1, $2, 'quote', 'prospecting', true, 'form', 'v', '\x00'), ($1, $3, 'contact', 'prospecting', true, 'form', 'v', '\x00')`,
		subj, old, recent)
	e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false)
	if e.exists(t, "records", old) || !e.exists(t, "records", recent) {
		t.Fatal("the sweep did not delete exactly the expired record")
	}
	if !e.exists(t, "subjects", subj) {
		t.Error("a subject with a record left was deleted")
	}
	if n := e.count(t, "SELECT count(*) FROM consents WHERE record_id = $1", old); n != 0 {
		t.Errorf("%d consents of the deleted record left", n)
	}
	if n := e.count(t, "SELECT count(*) FROM consents WHERE record_id = $1 AND subject_id = $2", recent, subj); n != 1 {
		t.Errorf("%d consents of the remaining record, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM consent_state WHERE subject_id = $1 AND purpose = 'contact'", subj); n != 1 {
		t.Errorf("the remaining record's consent state: %d rows, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM consent_state WHERE subject_id = $1 AND purpose = 'quote'", subj); n != 0 {
		t.Errorf("the deleted record's consent state: %d rows, want 0", n)
	}
}

// Rights requests and objections expire as records do: one statement per
// batch deletes them, logs each id as the keyed hash replay looks for, and
// deletes the person left with nothing, not one with a request left.
func TestRequestsAndObjectionsExpireInBatches(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	e.store.SetBatch(2)
	alone, kept := uuid.New(), uuid.New()
	e.exec(t, "INSERT INTO subjects (id) VALUES ($1), ($2)", alone, kept)
	request := func(subj uuid.UUID, at string) uuid.UUID {
		id := uuid.New()
		e.exec(t, `INSERT INTO rights_requests (id, purpose, "right", fields, status, email_confirmed_at, created_at, subject_id)
			VALUES ($1, 'rights', 'access', '\x00', 'done', $2, $2, $3)`, id, at, subj)
		return id
	}
	var old []uuid.UUID
	for i := range 5 {
		subj := alone
		if i == 2 {
			subj = kept
		}
		old = append(old, request(subj, "2024-01-15T10:00:00Z"))
	}
	recent := request(kept, "2025-12-01T10:00:00Z")
	var objections []int64
	for i := range 3 {
		var id int64
		if err := e.owner.QueryRow(`INSERT INTO suppressions (email_index, source, created_at)
			VALUES ($1, 'staff', '2022-01-01T00:00:00Z') RETURNING id`, []byte{byte(i), 7}).Scan(&id); err != nil {
			t.Fatal(err)
		}
		objections = append(objections, id)
	}

	rep := e.sweep(t, e.reg, day("2026-01-02T00:00:00Z"), false)
	rp, _ := e.reg.RightsPurpose()
	if c := countOf(rep, rp.Key); c.Deleted != 5 {
		t.Errorf("rights requests: %+v, want 5 deleted", c)
	}
	if c := countOf(rep, "objection"); c.Deleted != 3 {
		t.Errorf("objections: %+v, want 3 deleted", c)
	}
	for _, id := range old {
		if e.exists(t, "rights_requests", id) {
			t.Errorf("request %s kept past its period", id)
		}
	}
	if !e.exists(t, "rights_requests", recent) || !e.exists(t, "subjects", kept) {
		t.Error("a recent request or its person was deleted")
	}
	if e.exists(t, "subjects", alone) {
		t.Error("a person left with nothing was kept")
	}
	logged := func(kind, id string) bool {
		m := hmac.New(sha256.New, erasureKey)
		m.Write([]byte(kind + ":" + id))
		return e.count(t, "SELECT count(*) FROM "+loggedHashes+" l WHERE kind = $1 AND h = $2", kind, m.Sum(nil)) == 1
	}
	for _, id := range old {
		if !logged(models.DataRightsRequests, id.String()) {
			t.Errorf("request %s not in the erasure log", id)
		}
	}
	for _, id := range objections {
		if !logged(models.DataSuppressions, strconv.FormatInt(id, 10)) {
			t.Errorf("objection %d not in the erasure log", id)
		}
	}

	// A restored backup brings a request and an objection back: replay
	// deletes them again.
	e.exec(t, `INSERT INTO rights_requests (id, purpose, "right", fields, status, created_at)
		VALUES ($1, 'rights', 'access', '\x00', 'done', '2024-01-15T10:00:00Z')`, old[0])
	e.exec(t, `INSERT INTO suppressions (id, email_index, source, created_at) VALUES ($1, '\x09', 'staff', '2022-01-01T00:00:00Z')`, objections[0])
	got, err := e.store.Replay(ctx, e.reg, time.Time{})
	if err != nil || got.RightsRequests != 1 || got.Suppressions != 1 {
		t.Errorf("replay: %+v %v, want 1 request and 1 objection", got, err)
	}
	if e.exists(t, "rights_requests", old[0]) || e.exists(t, "suppressions", objections[0]) {
		t.Error("replay left a restored request or objection")
	}
}
