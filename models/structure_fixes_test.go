package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/vault"
)

// A rights request's timeline is append-only: deleting the request (as the
// application does with unconfirmed ones) must leave its events in place.
func TestRightsTimelineSurvivesItsRequest(t *testing.T) {
	db, urls := testdb.Open(t)
	ctx := context.Background()
	id := uuid.New()
	err := db.Scoped(ctx, models.Scope{Purposes: []string{"rights"}}, func(q models.Querier) error {
		if _, err := q.Exec(ctx, `INSERT INTO rights_requests (id, purpose, "right", fields, status, created_at)
			VALUES ($1, 'rights', 'access', '\x00', 'unconfirmed', now())`, id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO rights_request_events (request_id, kind, actor) VALUES ($1, 'submitted', 'requester')`, id); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `DELETE FROM rights_requests WHERE id = $1`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := testdb.OwnerAllPurposes(t, urls.Owner).QueryRow(`SELECT count(*) FROM rights_request_events WHERE kind = 'submitted'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d timeline events after the request was deleted, want 1", n)
	}
}

// Every signed head is checked, not only the newest: a superuser who
// rewrites the chain below an older head and deletes the newer heads is
// caught; deleting a head from the middle breaks the heads' own chain.
func TestEverySignedHeadIsVerified(t *testing.T) {
	ctx := context.Background()
	sign := func(t *testing.T, db *models.DB) {
		t.Helper()
		if _, err := models.NewAccessLog(db, nil, testKey).SignHeads(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("newest heads deleted, chain rewritten above the others", func(t *testing.T) {
		db, urls := testdb.Open(t)
		hourAgo := time.Now().Add(-time.Hour)
		logEvents(t, db, 40, hourAgo)
		sign(t, db)
		logEvents(t, db, 40, hourAgo.Add(time.Minute))
		sign(t, db)
		c := busiestChain(t, db)
		var older int64 // the first remaining head
		if err := db.Pool.QueryRow(ctx, `SELECT min(upto_id) FROM access_heads WHERE chain = $1`, c).Scan(&older); err != nil {
			t.Fatal(err)
		}
		var events []models.AccessEvent
		for _, e := range chainRows(t, db, c) {
			if e.ID > older {
				events = append(events, e)
			}
		}
		rewriteChain(t, db, urls.Owner, events)
		testdb.Exec(t, urls.Owner, `DELETE FROM access_heads WHERE chain = $1 AND upto_id > $2`, c, older)
		l := models.NewAccessLog(db, nil, testKey).RequireSigned(time.Now().Add(-models.HeadGrace))
		rep, err := l.Verify(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || !strings.Contains(rep.Reason, "under no signed head") {
			t.Errorf("a rewrite above the remaining heads, newest heads deleted, verified: %s", rep)
		}
	})
	t.Run("a head deleted from the middle", func(t *testing.T) {
		db, urls := testdb.Open(t)
		for range 3 {
			logEvents(t, db, 64, time.Now())
			sign(t, db)
		}
		// Events land on chains by hash, so pick a chain that got a head in
		// every round: its second head is a middle one.
		testdb.Exec(t, urls.Owner, `DELETE FROM access_heads WHERE id = (
			SELECT id FROM access_heads WHERE chain = (
				SELECT chain FROM access_heads GROUP BY chain HAVING count(*) >= 3 ORDER BY chain LIMIT 1)
			ORDER BY upto_id LIMIT 1 OFFSET 1)`)
		if rep := verify(t, db); rep.OK || !strings.Contains(rep.Reason, "a head was deleted") {
			t.Errorf("a missing middle head went unseen: %s", rep)
		}
	})
	t.Run("heads signed again and again verify", func(t *testing.T) {
		db, _ := testdb.Open(t)
		for range 3 {
			logEvents(t, db, 16, time.Now())
			sign(t, db)
			sign(t, db) // nothing new: no head
		}
		if rep := verify(t, db); !rep.OK {
			t.Errorf("an untouched log: %s", rep)
		}
	})
}

// An administrator's change to an account is logged in the transaction that
// makes it, naming the account changed, and is part of the hash chain.
func TestStaffChangesAreLoggedWithTheirTarget(t *testing.T) {
	db, urls := testdb.Open(t)
	ctx := context.Background()
	v, _ := vault.NewEphemeral()
	staff := models.NewStaffStore(db, v).WithInvitationKey(make([]byte, 32))
	admin := models.Actor{StaffID: uuid.New(), Role: "admin", IP: "192.0.2.7", Now: time.Now()}
	ns, err := staff.Create(ctx, &admin, "target@example.com", "Target", "sales", models.AccountMail{})
	if err != nil {
		t.Fatal(err)
	}
	if err := staff.SetRole(ctx, admin, ns.Staff.ID, "training", nil); err != nil {
		t.Fatal(err)
	}
	if err := staff.SetActive(ctx, admin, ns.Staff.ID, false); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM access_events WHERE action = 'staff_admin'
		AND staff_id = $1 AND target_staff_id = $2`, admin.StaffID, ns.Staff.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d staff-admin events naming the account, want 3", n)
	}
	if rep := verify(t, db); !rep.OK {
		t.Errorf("chain with target ids: %s", rep)
	}
	// No log, no change: with the log refused, the change does not happen.
	testdb.Exec(t, urls.Owner, `REVOKE INSERT ON access_events FROM portal_app`)
	if err := staff.SetActive(ctx, admin, ns.Staff.ID, true); err == nil {
		t.Fatal("the change went through without its log row")
	}
	s, err := staff.ByID(ctx, ns.Staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Active {
		t.Error("the account was reactivated although the change could not be logged")
	}
}

// An export hands each row over as it is read (no cap, nothing held in
// memory): the caller can stop it after the first row (still logged), and a
// full export sees every row.
func TestExportStreamsRows(t *testing.T) {
	db, _ := testdb.Open(t)
	ctx := context.Background()
	v, _ := vault.NewEphemeral()
	reg := registry(t)
	contact, _ := reg.Purpose("contact")
	records := models.NewRecordStore(db, v)
	for i := range 5 {
		if _, err := records.Create(ctx, models.NewRecord{Purpose: contact, CreatedAt: time.Now().Add(-time.Duration(i) * time.Hour),
			Fields: models.Fields{"email": "p" + string(rune('a'+i)) + "@example.com", "first_name": "P"}}); err != nil {
			t.Fatal(err)
		}
	}
	a := models.Actor{StaffID: uuid.New(), Role: "sales", Scope: models.Scope{Purposes: []string{"contact"}}, Now: time.Now()}
	stop := errors.New("enough")
	calls := 0
	err := records.Export(ctx, a, "contact", true, func(models.ExportRow) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("stopping after the first row: %v after %d rows", err, calls)
	}
	var got []models.ExportRow
	if err := records.Export(ctx, a, "contact", true, func(r models.ExportRow) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[0].Fields["first_name"] != "P" {
		t.Errorf("full export: %d rows %v", len(got), got)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM access_events WHERE action = 'export' AND purpose = 'contact'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d export events, want 2 (an export cut short has handed rows over: it is logged too)", n)
	}
}
