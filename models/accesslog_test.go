package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func logEvents(t *testing.T, db *models.DB, n int, at time.Time) {
	t.Helper()
	if err := appendEvents(db, n, at); err != nil {
		t.Fatal(err)
	}
}

// appendEvents logs n views; safe to call from any goroutine.
func appendEvents(db *models.DB, n int, at time.Time) error {
	staff := uuid.Must(uuid.NewV7())
	l := models.NewAccessLog(db, nil, testKey)
	for i := 0; i < n; i++ {
		rec := uuid.Must(uuid.NewV7())
		err := l.Log(context.Background(), models.AccessEvent{At: at.Add(time.Duration(i) * time.Second), StaffID: &staff,
			Role: "sales", Action: models.ActionView, Purpose: "contact", RecordID: &rec, IP: "192.0.2.1",
			UserAgent: "test", Outcome: models.OutcomeOK})
		if err != nil {
			return err
		}
	}
	return nil
}

func verify(t *testing.T, db *models.DB) models.ChainReport {
	t.Helper()
	rep, err := models.NewAccessLog(db, nil, testKey).Verify(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// The access log is append-only for the application and hash-chained, so
// even the owner cannot edit, delete or reorder rows unnoticed.
func TestAccessLogChainCatchesTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper string
	}{
		{"update", "UPDATE access_events SET outcome = 'denied' WHERE id = (SELECT min(id) + 7 FROM access_events)"},
		{"update with recomputed hash", `UPDATE access_events SET ip = '10.0.0.1', hash = sha256(prev_hash || digest)
			WHERE id = (SELECT min(id) + 9 FROM access_events)`},
		{"delete", "DELETE FROM access_events WHERE id = (SELECT min(id) + 12 FROM access_events)"},
		{"reorder", `WITH a AS (SELECT id, chain FROM access_events WHERE chain = (SELECT chain FROM access_events GROUP BY chain HAVING count(*) > 3 LIMIT 1) ORDER BY id LIMIT 2)
			UPDATE access_events e SET id = CASE WHEN e.id = (SELECT min(id) FROM a) THEN -(SELECT max(id) FROM a) ELSE -(SELECT min(id) FROM a) END
			WHERE e.id IN (SELECT id FROM a); UPDATE access_events SET id = -id WHERE id < 0`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, urls := testdb.Open(t)
			// Enough events for a chain to hold more than three (reorder).
			n := 4*models.Chains + 8
			logEvents(t, db, n, time.Now())
			if rep := verify(t, db); !rep.OK || rep.Checked != int64(n) {
				t.Fatalf("fresh log: %v", rep)
			}
			testdb.Exec(t, urls.Owner, c.tamper)
			rep := verify(t, db)
			if rep.OK {
				t.Fatalf("tampering (%s) not detected: %v", c.name, rep)
			}
			if rep.ID == 0 || rep.Reason == "" || !strings.Contains(rep.String(), "BROKEN") {
				t.Errorf("report does not name the broken link: %v", rep)
			}
		})
	}
}

func TestAccessLogIsAppendOnlyForTheApp(t *testing.T) {
	db, _ := testdb.Open(t)
	logEvents(t, db, 3, time.Now())
	for _, q := range []string{"UPDATE access_events SET outcome = 'x'", "DELETE FROM access_events", "TRUNCATE access_events"} {
		if err := db.Gorm.Exec(q).Error; err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as portal_app: %v, want permission denied", q, err)
		}
	}
}

func TestPruneKeepsACheckpoint(t *testing.T) {
	db, urls := testdb.Open(t)
	old := time.Now().Add(-400 * 24 * time.Hour)
	logEvents(t, db, 30, old)
	logEvents(t, db, 20, time.Now())
	owner, err := pgxpool.New(context.Background(), urls.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	n, err := models.NewAccessLog(nil, nil, testKey).Prune(context.Background(), owner, time.Now().Add(-models.AccessLogRetention))
	if err != nil || n != 30 {
		t.Fatalf("pruned %d (%v), want 30", n, err)
	}
	if rep := verify(t, db); !rep.OK || rep.Checked != 20 {
		t.Fatalf("after pruning: %v", rep)
	}
	logEvents(t, db, 5, time.Now())
	if rep := verify(t, db); !rep.OK {
		t.Fatalf("appending after pruning: %v", rep)
	}
	testdb.Exec(t, urls.Owner, "UPDATE access_checkpoints SET pruned = pruned + 1")
	if rep := verify(t, db); rep.OK {
		t.Error("a forged checkpoint was accepted")
	}
}

// Concurrent appends keep every chain valid.
func TestConcurrentAppendsChainCorrectly(t *testing.T) {
	db, _ := testdb.Open(t)
	// Workers report back: only the test goroutine may stop the test.
	errs := make(chan error)
	for w := 0; w < 8; w++ {
		go func() { errs <- appendEvents(db, 25, time.Now()) }()
	}
	for w := 0; w < 8; w++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if rep := verify(t, db); !rep.OK || rep.Checked != 200 {
		t.Fatalf("after concurrent appends: %v", rep)
	}
}

// Appends read the previous hash from each chain's head row, a copy of
// the newest link. A chain without one (a log written before heads were
// kept, or a lost row) starts from its newest event; a head set to a wrong
// hash cannot hide anything: the next event's link fails verification.
func TestChainHeadsAreACopyOfTheNewestLink(t *testing.T) {
	db, urls := testdb.Open(t)
	logEvents(t, db, 2*models.Chains, time.Now())
	testdb.Exec(t, urls.Owner, "DELETE FROM access_chain_heads")
	logEvents(t, db, 2*models.Chains, time.Now())
	if rep := verify(t, db); !rep.OK || rep.Checked != 4*models.Chains {
		t.Fatalf("appends after the heads were lost: %v", rep)
	}
	var heads int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM access_chain_heads").Scan(&heads); err != nil || heads != models.Chains {
		t.Fatalf("%d heads (%v), want one per chain (%d)", heads, err, models.Chains)
	}
	testdb.Exec(t, urls.Owner, "UPDATE access_chain_heads SET hash = sha256(hash)")
	logEvents(t, db, 1, time.Now())
	if rep := verify(t, db); rep.OK || !strings.Contains(rep.Reason, "previous hash") {
		t.Fatalf("an append after a forged head verified: %v", rep)
	}
}

// A member's events, page after page: the first page (read through the
// member's index) and the next (through the cursor) together give every
// matching event once, newest first, and nobody else's.
func TestReviewFiltersOneMemberAcrossPages(t *testing.T) {
	db, _ := testdb.Open(t)
	ctx := context.Background()
	l := models.NewAccessLog(db, nil, testKey)
	ada, bob := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	at := time.Now().Add(-time.Hour)
	var want []int // the order Ada's views were logged in
	recs := make([]uuid.UUID, 12)
	for i := range 12 {
		who, action := &bob, models.ActionView
		switch {
		case i%3 == 0:
			who = &ada
			want = append(want, i)
		case i%3 == 1:
			who, action = &ada, models.ActionList
		}
		recs[i] = uuid.Must(uuid.NewV7())
		if err := l.Log(ctx, models.AccessEvent{At: at.Add(time.Duration(i) * time.Second), StaffID: who, Role: "sales",
			Action: action, Purpose: "contact", RecordID: &recs[i], IP: "192.0.2.1", UserAgent: "ua " + strconv.Itoa(i), Outcome: models.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
	}
	dpo := models.Actor{Role: "dpo"}
	f := models.AccessFilter{StaffID: &ada, Action: models.ActionView, Limit: 3}
	first, err := l.Review(ctx, dpo, f)
	if err != nil {
		t.Fatal(err)
	}
	f.Before = first.Next
	second, err := l.Review(ctx, dpo, f)
	if err != nil {
		t.Fatal(err)
	}
	if first.Next == 0 || second.Next != 0 || len(first.Rows) != 3 || len(second.Rows) != 1 {
		t.Fatalf("pages of %d and %d rows, cursors %d and %d; want 3 then 1", len(first.Rows), len(second.Rows), first.Next, second.Next)
	}
	rows := append(first.Rows, second.Rows...)
	for i, r := range rows {
		logged := want[len(want)-1-i]
		if r.StaffID == nil || *r.StaffID != ada || r.Action != models.ActionView || r.RecordID == nil || *r.RecordID != recs[logged] {
			t.Errorf("row %d: %v %s %v, want Ada's view logged %dth", i, r.StaffID, r.Action, r.RecordID, logged)
		}
		if i > 0 && r.ID >= rows[i-1].ID {
			t.Errorf("row %d (id %d) is not older than the row before (id %d)", i, r.ID, rows[i-1].ID)
		}
	}
}

// One member's first page has the same plan whatever the member: it runs on
// the statement's generic plan instead of being planned again on every
// page, and the setting that allows it ends with the page's statement. A
// page whose best plan depends on its values (a rare action) keeps its
// custom plans.
func TestReviewPlansAMembersFirstPageOnce(t *testing.T) {
	db, _ := testdb.Open(t)
	ctx := context.Background()
	l := models.NewAccessLog(db, nil, testKey)
	ada := uuid.Must(uuid.NewV7())
	for i := range 4 {
		action := models.ActionView
		if i%2 == 1 {
			action = models.ActionErase
		}
		if err := l.Log(ctx, models.AccessEvent{At: time.Now(), StaffID: &ada, Role: "sales", Action: action,
			Purpose: "contact", Outcome: models.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
	}
	dpo := models.Actor{Role: "dpo"}
	const pages = 8 // more than the five custom plans PostgreSQL tries before it may choose
	for _, action := range []string{models.ActionView, models.ActionErase} {
		for range pages {
			page, err := l.Review(ctx, dpo, models.AccessFilter{StaffID: &ada, Action: action})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Rows) != 2 || page.Rows[0].Action != action || page.Rows[1].Action != action {
				t.Fatalf("%s: %d rows", action, len(page.Rows))
			}
		}
	}
	plans := map[string][2]int64{} // per action filtered on: generic, custom
	for sql, p := range reviewPlans(t, db) {
		key := models.ActionView
		if strings.Contains(sql, "<> 'view'") {
			key = models.ActionErase
		}
		plans[key] = [2]int64{plans[key][0] + p[0], plans[key][1] + p[1]}
	}
	if p := plans[models.ActionView]; p[0] != pages || p[1] != 0 {
		t.Errorf("a member's views: %d generic and %d custom plans, want %d generic", p[0], p[1], pages)
	}
	if p := plans[models.ActionErase]; p[1] < 5 {
		t.Errorf("a member's erasures: %d generic and %d custom plans, want custom plans", p[0], p[1])
	}
}

// A member's page reads their events through the member's index and their
// name once (a sub-select run before the rows), not by joining staff for
// each row; a page of anyone's events joins staff for each row's member.
func TestReviewReadsAMembersNameOnce(t *testing.T) {
	db, _ := testdb.Open(t)
	ctx := context.Background()
	ada := uuid.Must(uuid.NewV7())
	plan := func(f models.AccessFilter) string {
		t.Helper()
		sql, args := f.ReviewSQL(51)
		var lines string
		err := db.Tx(ctx, func(q models.Querier) error {
			// The generic plan, the one the member's first page runs on.
			var err error
			lines, err = genericPlan(ctx, q, sql, args...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return lines
	}
	for name, f := range map[string]models.AccessFilter{
		"first page":       {StaffID: &ada, Action: models.ActionView},
		"next page":        {StaffID: &ada, Action: models.ActionView, Before: 1000},
		"any action":       {StaffID: &ada},
		"with other terms": {StaffID: &ada, Role: "sales", Purpose: "contact"},
	} {
		p := plan(f)
		if strings.Count(p, " on staff ") != 1 || !strings.Contains(p, "InitPlan") || strings.Contains(p, "Join") || strings.Contains(p, "Nested Loop") {
			t.Errorf("%s: the plan does not read the member's name once:\n%s", name, p)
		}
	}
	if p := plan(models.AccessFilter{Role: "sales"}); !strings.Contains(p, "Join") {
		t.Errorf("anyone's page does not join staff:\n%s", p)
	}
}

// reviewPlans counts the generic and custom plans of each of the review's
// page statements over db's idle connections, and fails the test if one of
// them was left with another plan_cache_mode than the default.
func reviewPlans(t *testing.T, db *models.DB) map[string][2]int64 {
	t.Helper()
	ctx := context.Background()
	plans := map[string][2]int64{}
	for _, c := range db.Pool.AcquireAllIdle(ctx) {
		var mode string
		if err := c.QueryRow(ctx, "SHOW plan_cache_mode").Scan(&mode); err != nil || mode != "auto" {
			t.Errorf("a connection was left with plan_cache_mode %q (%v)", mode, err)
		}
		rows, err := c.Query(ctx, `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
			WHERE statement LIKE 'SELECT e.id, e.at,%'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var sql string
			var g, cu int64
			if err := rows.Scan(&sql, &g, &cu); err != nil {
				t.Fatal(err)
			}
			p := plans[sql]
			plans[sql] = [2]int64{p[0] + g, p[1] + cu}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		c.Release()
	}
	return plans
}

// The log's rows are read straight from their binary form; what the export
// reads is what was logged, and what pgx's Scan reads from the text form:
// every column, ids present and absent, a restricted read, a request id.
// The review's page reads the same of what it shows (not the user agent,
// the request id or the account changed), on a member's page (whose name is
// read once) as on any other.
func TestReviewRowsReadEveryColumn(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := models.WithRequestID(context.Background(), "req-7")
	l := models.NewAccessLog(e.db, e.v, testKey)
	ns, err := demo.Account(ctx, e.db, e.v, "ada@example.com", "Ada <Lovelace>", "sales", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ada, rec, subject, target := ns.Staff.ID, uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	at := time.Date(1999, 12, 31, 23, 59, 58, 123456000, time.UTC) // before PostgreSQL's epoch: negative on the wire
	logged := []models.AccessEvent{
		{At: at, StaffID: &ada, Role: "sales", Action: models.ActionView, Purpose: "contact", RecordID: &rec, SubjectID: &subject,
			IP: "192.0.2.1", UserAgent: "ua <1>", Outcome: models.OutcomeOK, Restricted: true},
		{At: at.Add(time.Hour), StaffID: &ada, Role: "admin", Action: models.ActionStaffAdmin, IP: "2001:db8::1",
			Outcome: models.OutcomeDenied, TargetStaffID: &target},
	}
	for _, e := range logged {
		if err := l.Log(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	f := models.AccessFilter{StaffID: &ada}
	got, err := l.ExportRows(ctx, f, 10)
	if err != nil {
		t.Fatal(err)
	}
	text, err := l.ExportRowsAsText(ctx, f, 10)
	if err != nil {
		t.Fatal(err)
	}
	member, err := l.ReviewRows(ctx, f, 10)
	if err != nil {
		t.Fatal(err)
	}
	anyone, err := l.ReviewRows(ctx, models.AccessFilter{Role: ""}, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Ada's account was logged as made before (the log holds more than
	// hers): the two newest events are these.
	if len(got) != 3 || len(text) != 3 || len(member) != 3 || len(anyone) < 3 {
		t.Fatalf("%d, %d, %d and %d rows, want 3", len(got), len(text), len(member), len(anyone))
	}
	got = got[:2]
	id := func(u *uuid.UUID) string {
		if u == nil {
			return "none"
		}
		return u.String()
	}
	for i, r := range got {
		e, s := logged[len(logged)-1-i], text[i]
		if !r.At.Equal(e.At) || !r.At.Equal(s.At) {
			t.Errorf("row %d: at %v (text %v), want %v", i, r.At, s.At, e.At)
		}
		want := []string{id(e.StaffID), e.Role, e.Action, e.Purpose, id(e.RecordID), id(e.SubjectID), e.IP, e.UserAgent, e.Outcome,
			strconv.FormatBool(e.Restricted), id(e.TargetStaffID), "req-7", "Ada <Lovelace>"}
		for _, row := range []models.AccessRow{r, s} {
			have := []string{id(row.StaffID), row.Role, row.Action, row.Purpose, id(row.RecordID), id(row.SubjectID), row.IP, row.UserAgent,
				row.Outcome, strconv.FormatBool(row.Restricted), id(row.TargetStaffID), row.RequestID, row.StaffName}
			if strings.Join(have, "|") != strings.Join(want, "|") {
				t.Errorf("row %d:\n got %v\nwant %v", i, have, want)
			}
		}
		if r.ID != s.ID || r.ID == 0 {
			t.Errorf("row %d: id %d (text %d)", i, r.ID, s.ID)
		}
		// The page's rows: what it shows, and nothing it does not.
		shown := r
		shown.UserAgent, shown.TargetStaffID, shown.RequestID = "", nil, ""
		for name, page := range map[string][]models.AccessRow{"a member's page": member, "any page": anyone} {
			p := page[i]
			if p.ID != shown.ID || !p.At.Equal(shown.At) || id(p.StaffID) != id(shown.StaffID) || p.StaffName != shown.StaffName ||
				p.Role != shown.Role || p.Action != shown.Action || p.Purpose != shown.Purpose || id(p.RecordID) != id(shown.RecordID) ||
				id(p.SubjectID) != id(shown.SubjectID) || p.IP != shown.IP || p.Outcome != shown.Outcome || p.Restricted != shown.Restricted ||
				p.UserAgent != "" || p.TargetStaffID != nil || p.RequestID != "" {
				t.Errorf("%s, row %d:\n got %+v\nwant %+v", name, i, p, shown)
			}
		}
	}
}

// A review let through on a copy of the session row checks the session in
// the batch that reads its page, before its own event is sent: a session
// ended meanwhile (logged out elsewhere, deactivated, given another role,
// idle) reads nothing and leaves no read_log row for a page never shown.
// Both shapes of page are checked: one member's first page (sent with its
// plan setting) and any other filter.
func TestReviewChecksTheSessionBeforeItsEvent(t *testing.T) {
	e := newRetentionEnv(t)
	ctx := context.Background()
	now := time.Now()
	id, token := e.signedIn(t, "dpo-check@example.com", "dpo", now)
	l := models.NewAccessLog(e.db, e.v, testKey)
	ada := uuid.Must(uuid.NewV7())
	for i := range 3 {
		if err := l.Log(ctx, models.AccessEvent{At: now.Add(time.Duration(i) * time.Second), StaffID: &ada, Role: "sales",
			Action: models.ActionView, Purpose: "contact", Outcome: models.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
	}
	actor := func(role string, at time.Time) models.Actor {
		return models.Actor{StaffID: id, Role: role, Scope: models.Scope{Purposes: []string{"contact"}, SeesRestricted: true},
			Now: at, Session: models.NewSessionCheck(token, id, role, at)}
	}
	filters := map[string]models.AccessFilter{
		"a member's first page": {StaffID: &ada, Action: models.ActionView},
		"any other filter":      {Role: "sales", Purpose: "contact"},
	}
	reads := func() int {
		return e.count(t, "SELECT count(*) FROM access_events WHERE action = 'read_log' AND staff_id = $1", id)
	}
	want := 0
	for name, f := range filters {
		page, err := l.Review(ctx, actor("dpo", now), f)
		if err != nil {
			t.Fatalf("%s, live session: %v", name, err)
		}
		want++
		if len(page.Rows) != 3 || reads() != want {
			t.Fatalf("%s, live session: %d rows, %d read_log events, want 3 and %d", name, len(page.Rows), reads(), want)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM sessions WHERE last_seen_at = $1", now); n != 1 {
		t.Error("the idle deadline did not slide (last seen two minutes ago)")
	}
	// The member's first page still runs on its generic plan, set by the
	// check's statement, and the setting ends with the page's batch.
	const pages = 8 // more than the five custom plans PostgreSQL tries before it may choose
	for range pages {
		if _, err := l.Review(ctx, actor("dpo", now), filters["a member's first page"]); err != nil {
			t.Fatal(err)
		}
		want++
	}
	for sql, p := range reviewPlans(t, e.db) {
		if strings.Contains(sql, "e.staff_id >=") && (p[0] != pages+1 || p[1] != 0) {
			t.Errorf("a member's first page: %d generic and %d custom plans, want %d generic", p[0], p[1], pages+1)
		}
	}
	for _, c := range endedSessions("dpo", "sales", now) {
		if c.setup != "" {
			e.exec(t, c.setup, id)
		}
		for name, f := range filters {
			if page, err := l.Review(ctx, actor(c.role, c.at), f); !errors.Is(err, models.ErrSessionEnded) || len(page.Rows) != 0 {
				t.Errorf("%s, %s: %d rows, %v; want ErrSessionEnded", c.name, name, len(page.Rows), err)
			}
		}
	}
	if reads() != want {
		t.Errorf("%d read_log events: an ended session logged a read", reads())
	}
	if rep := verify(t, e.db); !rep.OK {
		t.Errorf("chains: %s", rep)
	}
}
