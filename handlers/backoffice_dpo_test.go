package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/models"
)

// No log, no data, for the DPO too: the page of the log is read while its
// own log row is being committed, and is not shown if that row cannot be.
func TestAccessLogPageNeedsItsOwnLogRow(t *testing.T) {
	s := newBOServer(t)
	rec := s.record(t, "contact", models.Fields{"first_name": "Inès", "email": "ines@example.com", "message": "x"}, false, false)
	sales, dpo := s.browser(t), s.browser(t)
	sales.login(s.account(t, "sales", true))
	sales.do("GET", "/admin/records/contact/"+rec.String(), nil)
	dpo.login(s.account(t, "dpo", true))
	if res, body := dpo.do("GET", "/admin/dpo/access-log", nil); res.StatusCode != 200 || !strings.Contains(body, rec.String()) {
		t.Fatalf("with the log up: %d, record shown: %v", res.StatusCode, strings.Contains(body, rec.String()))
	}
	testdbExec(t, s.urls.Owner, "REVOKE INSERT ON access_events FROM portal_app")
	res, body := dpo.do("GET", "/admin/dpo/access-log", nil)
	if res.StatusCode != 503 || strings.Contains(body, rec.String()) {
		t.Errorf("with the log down: %d, record shown: %v", res.StatusCode, strings.Contains(body, rec.String()))
	}
}

// The panels (chain status, anomalies, chart) scan days of events: once
// they are a minute old a page starts their refresh in the background and
// shows the previous ones, which say when they were computed. No page waits
// for a refresh, even one the database holds up.
func TestAccessLogPanelsRefreshInTheBackground(t *testing.T) {
	s := newBOServer(t)
	dpo, sales := s.browser(t), s.browser(t)
	dpo.login(s.account(t, "dpo", true))
	computed := func(at time.Time) string {
		return `were computed on <time datetime="` + at.UTC().Format(time.RFC3339) + `">`
	}
	first := s.clk.Now()
	res, body := dpo.do("GET", "/admin/dpo/access-log", nil)
	if res.StatusCode != 200 || !strings.Contains(body, computed(first)) || !strings.Contains(body, "Nothing unusual.") {
		t.Fatalf("first page: %d, says when its panels were computed: %v", res.StatusCode, strings.Contains(body, computed(first)))
	}
	sales.login(s.account(t, "sales", true))
	sales.do("GET", "/admin/records/recruitment", nil) // denied: an anomaly once the panels are recomputed

	// The refresh reads the signed heads of the chains: hold them locked, so the
	// refresh cannot finish while the pages below are served.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.urls.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // committed below; a failed test only releases the lock
	if _, err := tx.Exec(ctx, "LOCK TABLE access_heads IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	s.clk.Add(2 * time.Minute)
	for range 3 {
		// Served aside, so that a page that waits for the refresh fails
		// the test rather than hanging it on the lock.
		served := make(chan string, 1)
		go func() {
			res, body := dpo.do("GET", "/admin/dpo/access-log", nil)
			if res.StatusCode != 200 {
				body = ""
			}
			served <- body
		}()
		select {
		case body = <-served:
		case <-time.After(5 * time.Second):
			_ = tx.Commit(ctx)
			t.Fatal("a page waited for the panels' refresh")
		}
		if !strings.Contains(body, computed(first)) || strings.Contains(body, "Denied attempts") {
			t.Fatalf("a page during the refresh does not show the previous panels: %q", body[:min(len(body), 200)])
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Released, the refresh finishes and a later page shows its panels.
	deadline := time.Now().Add(20 * time.Second)
	for strings.Contains(body, computed(first)) {
		if time.Now().After(deadline) {
			t.Fatal("the panels were never recomputed")
		}
		time.Sleep(50 * time.Millisecond)
		_, body = dpo.do("GET", "/admin/dpo/access-log", nil)
	}
	if !strings.Contains(body, "were computed on <time") || !strings.Contains(body, "Denied attempts") {
		t.Error("the recomputed anomalies miss the denied attempt")
	}
	if !strings.Contains(body, "They are recomputed in the background, at most once a minute.") {
		t.Error("the page does not say how often its panels are recomputed")
	}
	// And in French, the member's language.
	if res, _ := dpo.post("/admin/language", url.Values{"lang": {"fr"}, "next": {"/admin/dpo/access-log"}}); res.StatusCode != 303 {
		t.Fatalf("language: %d", res.StatusCode)
	}
	_, body = dpo.do("GET", "/admin/dpo/access-log", nil)
	if !strings.Contains(body, `ont été calculés le <time datetime="`) || !strings.Contains(body, "Ils sont recalculés en arrière-plan, au plus une fois par minute.") {
		t.Error("the French page does not say when its panels were computed")
	}
}

// The review runs on a copy of the session row and checks the session in
// the batch that reads its page, before its own event is sent: a session
// ended elsewhere shows no event and logs no read of the log, and the
// request starts over with a full load of the session.
func TestAccessLogOnASessionCopy(t *testing.T) {
	for _, c := range sessionEndings("sales") {
		t.Run(c.name, func(t *testing.T) {
			s := newBOServer(t)
			rec := s.record(t, "contact", models.Fields{"first_name": "Ada", "email": "ada@example.com", "message": "x"}, false, false)
			sales, dpo := s.browser(t), s.browser(t)
			sales.login(s.account(t, "sales", true))
			sales.do("GET", "/admin/records/contact/"+rec.String(), nil)
			a := s.account(t, "dpo", true)
			dpo.login(a)
			path := "/admin/dpo/access-log?action=view"
			endsOnItsCopy(t, s, dpo, a, c, path, rec.String(), "read_log")
		})
	}
}
