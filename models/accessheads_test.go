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

// headRows reads every chain's head row.
func headRows(t *testing.T, db *models.DB) map[int16][]byte {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), "SELECT chain, hash FROM access_chain_heads")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	heads := map[int16][]byte{}
	for rows.Next() {
		var c int16
		var h []byte
		if err := rows.Scan(&c, &h); err != nil {
			t.Fatal(err)
		}
		heads[c] = h
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return heads
}

// twoServers opens one test database twice, as two servers would: two
// pools, each with its own log writer and cached heads.
func twoServers(t *testing.T) (db, other *models.DB) {
	t.Helper()
	db, urls := testdb.Open(t)
	other, err := models.Open(context.Background(), urls.App, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	return db, other
}

// checkCachedHeads fails t unless each chain's head as db's writer cached
// it is the head row.
func checkCachedHeads(t *testing.T, db *models.DB) {
	t.Helper()
	heads := headRows(t, db)
	if len(heads) != models.Chains {
		t.Fatalf("%d head rows, want %d", len(heads), models.Chains)
	}
	for c, h := range heads {
		if got := db.CachedHead(c); string(got) != string(h) {
			t.Errorf("chain %d: cached head %x, head row %x", c, got, h)
		}
	}
}

// countEvents is how many events the log holds.
func countEvents(t *testing.T, db *models.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM access_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The writer links a batch itself from the head it last left, and links
// exactly as verification and Link do.
func TestWriterLinksAsVerificationDoes(t *testing.T) {
	head := sha256.Sum256([]byte("head"))
	var digests [][]byte
	for i := 0; i < 3; i++ {
		d := sha256.Sum256([]byte{byte(i)})
		digests = append(digests, d[:])
	}
	prevs, links := models.LinkChain(head[:], digests)
	prev := head[:]
	for i, d := range digests {
		want := sha256.Sum256(append(append([]byte{}, prev...), d...))
		if string(prevs[i]) != string(prev) || string(links[i]) != string(want[:]) {
			t.Fatalf("event %d: prev %x link %x, want %x %x", i, prevs[i], links[i], prev, want)
		}
		prev = want[:]
	}
}

// A chain's first append has no head to start from: it creates the head,
// and the writer keeps that head for the chain's next batch, which it links
// itself. Each chain's cached head is then the head row's.
func TestFirstAppendOfEachChainThenLinkedByTheWriter(t *testing.T) {
	db, urls := testdb.Open(t)
	for c := int16(0); c < models.Chains; c++ {
		if db.CachedHead(c) != nil {
			t.Fatalf("chain %d has a cached head before any append", c)
		}
	}
	logEvents(t, db, models.Chains, time.Now()) // one batch per chain: each a first append
	// From now on the writer links every batch itself: it no longer needs
	// the function that links under the head's lock.
	testdb.Exec(t, urls.Owner, `REVOKE EXECUTE ON FUNCTION portal_log_batch(smallint, timestamptz[], uuid[], text[], text[],
		text[], uuid[], uuid[], text[], text[], text[], boolean[], bytea[], uuid[], text[]) FROM PUBLIC`)
	logEvents(t, db, 2*models.Chains, time.Now())
	checkCachedHeads(t, db)
	if rep := verify(t, db); !rep.OK || rep.Checked != 3*models.Chains {
		t.Fatalf("after first appends and linked ones: %v", rep)
	}
}

// When another writer moved a chain's head (another server, or an event
// logged inside a change's transaction), the writer's cached head is stale:
// its linked statement writes nothing, and the batch is appended under the
// head's lock instead, from the head as it now is. Nothing is lost, nothing
// is linked twice.
func TestWriterRetriesWhenTheHeadMoved(t *testing.T) {
	db, other := twoServers(t)
	logEvents(t, db, models.Chains, time.Now()) // db caches every head
	stale := map[int16][]byte{}
	for c := int16(0); c < models.Chains; c++ {
		stale[c] = db.CachedHead(c)
	}
	logEvents(t, other, models.Chains, time.Now()) // moves every head behind db's back
	for c, h := range headRows(t, db) {
		if string(h) == string(stale[c]) {
			t.Fatalf("chain %d: the other writer did not move its head", c)
		}
	}
	logEvents(t, db, models.Chains, time.Now()) // every batch finds its head moved
	if n := countEvents(t, db); n != 3*models.Chains {
		t.Fatalf("%d events, want %d", n, 3*models.Chains)
	}
	if rep := verify(t, db); !rep.OK || rep.Checked != 3*models.Chains {
		t.Fatalf("after appends on moved heads: %v", rep)
	}
	checkCachedHeads(t, db)
}

// Two servers (two pools, each with its own cached heads) appending at
// once to the same chains leave every chain intact, every event once.
func TestTwoWritersOnOneChainVerify(t *testing.T) {
	db, other := twoServers(t)
	errs := make(chan error)
	for w := 0; w < 8; w++ {
		d := db
		if w%2 == 1 {
			d = other
		}
		go func() { errs <- appendEvents(d, 25, time.Now()) }()
	}
	for w := 0; w < 8; w++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := countEvents(t, db); n != 200 {
		t.Fatalf("%d events, want 200", n)
	}
	if rep := verify(t, db); !rep.OK || rep.Checked != 200 {
		t.Fatalf("after two writers: %v", rep)
	}
}
