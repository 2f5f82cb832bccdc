package models_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
)

// chainRows reads one chain in order, as a superuser rewriting it would.
func chainRows(t *testing.T, db *models.DB, chain int16) []models.AccessEvent {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT id, at, staff_id, role, action, purpose, record_id, subject_id,
		ip, user_agent, outcome, restricted FROM access_events WHERE chain = $1 ORDER BY id`, chain)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []models.AccessEvent
	for rows.Next() {
		e := models.AccessEvent{Chain: chain}
		if err := rows.Scan(&e.ID, &e.At, &e.StaffID, &e.Role, &e.Action, &e.Purpose, &e.RecordID, &e.SubjectID,
			&e.IP, &e.UserAgent, &e.Outcome, &e.Restricted); err != nil {
			t.Fatal(err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out
}

// busiestChain is a chain with at least two events.
func busiestChain(t *testing.T, db *models.DB) int16 {
	t.Helper()
	var c int16
	if err := db.Pool.QueryRow(context.Background(),
		`SELECT chain FROM access_events GROUP BY chain ORDER BY count(*) DESC LIMIT 1`).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// rewriteChain forges the first of events (a stretch of one chain, in order)
// and recomputes every digest and hash after it, as a superuser would.
func rewriteChain(t *testing.T, db *models.DB, ownerURL string, events []models.AccessEvent) {
	t.Helper()
	var prev []byte // the link the rewritten stretch hangs from
	if err := db.Pool.QueryRow(context.Background(), `SELECT prev_hash FROM access_events WHERE id = $1`, events[0].ID).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		if i == 0 {
			e.UserAgent = "forged"
		}
		d := models.DigestOf(e)
		sum := sha256.Sum256(append(append([]byte{}, prev...), d...))
		testdb.Exec(t, ownerURL, `UPDATE access_events SET user_agent = $1, digest = $2, prev_hash = $3, hash = $4 WHERE id = $5`,
			e.UserAgent, d, prev, sum[:], e.ID)
		prev = sum[:]
	}
}

// A superuser who rewrites an event and recomputes every digest and hash
// after it leaves a chain whose links all hold; only the signed head, made
// with a key the database never sees, shows the rewrite. Cutting the tail
// is caught the same way.
func TestSignedHeadsCatchRewrittenChains(t *testing.T) {
	ctx := context.Background()
	t.Run("rewrite with every hash recomputed", func(t *testing.T) {
		db, urls := testdb.Open(t)
		logEvents(t, db, 40, time.Now())
		if _, err := models.NewAccessLog(db, nil, testKey).SignHeads(ctx); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, db); !rep.OK {
			t.Fatalf("before tampering: %s", rep)
		}
		rewriteChain(t, db, urls.Owner, chainRows(t, db, busiestChain(t, db)))
		rep := verify(t, db)
		if rep.OK || !strings.Contains(rep.Reason, "signed head") {
			t.Errorf("a fully recomputed rewrite verified: %s", rep)
		}
		// Every link of the rewrite holds: without its heads the chain
		// verifies, unless events must be covered by signed heads
		// (RequireSigned, as `portal auditlog verify` does).
		testdb.Exec(t, urls.Owner, `DELETE FROM access_heads`)
		if rep := verify(t, db); !rep.OK {
			t.Errorf("the rewrite was not link-consistent, so this test proves nothing: %s", rep)
		}
	})
	t.Run("tail cut", func(t *testing.T) {
		db, urls := testdb.Open(t)
		logEvents(t, db, 40, time.Now())
		if _, err := models.NewAccessLog(db, nil, testKey).SignHeads(ctx); err != nil {
			t.Fatal(err)
		}
		c := busiestChain(t, db)
		testdb.Exec(t, urls.Owner, `DELETE FROM access_events WHERE id = (SELECT max(id) FROM access_events WHERE chain = $1)`, c)
		rep := verify(t, db)
		if rep.OK || !strings.Contains(rep.Reason, "signed head missing") {
			t.Errorf("a cut tail verified: %s", rep)
		}
	})
	t.Run("forged head", func(t *testing.T) {
		db, urls := testdb.Open(t)
		logEvents(t, db, 10, time.Now())
		testdb.Exec(t, urls.Owner, `INSERT INTO access_heads (chain, upto_id, hash, signature)
			SELECT chain, id, hash, '\x00' FROM access_events ORDER BY id DESC LIMIT 1`)
		if rep := verify(t, db); rep.OK {
			t.Error("a head with a forged signature was accepted")
		}
	})
}
