package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/models"
)

// The record view runs on a copy of the session row and checks the session
// in the transaction that reads the record: a session ended elsewhere (by
// another server, an administrator, the database) shows nothing and logs
// no view, and the request starts over with a full load of the session.
func TestRecordViewOnASessionCopy(t *testing.T) {
	for _, c := range sessionEndings("recruitment") {
		t.Run(c.name, func(t *testing.T) {
			s := newBOServer(t)
			rec := s.record(t, "contact", models.Fields{"first_name": "Ada", "email": "ada@example.com", "message": "x"}, false, false)
			b := s.browser(t)
			a := s.account(t, "sales", true)
			b.login(a)
			path := "/admin/records/contact/" + rec.String()
			endsOnItsCopy(t, s, b, a, c, path, "ada@example.com", "view")
		})
	}
}

// sessionEnding is a way a session ends elsewhere while a page runs on its
// copy, and what the request gets once it starts over.
type sessionEnding struct {
	name, change string // change: SQL run as the owner, %s the member's id
	then         int    // status after the start over
	location     string // where it sends
}

// sessionEndings are the ways a session ends elsewhere; other is a role
// that may not open the page.
func sessionEndings(other string) []sessionEnding {
	return []sessionEnding{
		{"logged out elsewhere", "DELETE FROM sessions WHERE staff_id = '%s'", 303, "/admin/login"},
		{"deactivated", "UPDATE staff SET active = false WHERE id = '%s'", 303, "/admin/login"},
		{"given another role", "UPDATE staff SET role = '" + other + "' WHERE id = '%s'", 403, ""},
	}
}

// endsOnItsCopy opens path twice as a, signed in on b (a full load, then a
// page on the session's copy), both showing marker; ends the session as c
// does; then checks that the page shows nothing and starts the request over
// (303 to itself) with only the two earlier pages logged as action, and that
// the start over gets c's answer.
func endsOnItsCopy(t *testing.T, s *boServer, b *browser, a account, c sessionEnding, path, marker, action string) {
	t.Helper()
	for i := 0; i < 2; i++ { // a full load, then the copy
		if res, body := b.do("GET", path, nil); res.StatusCode != 200 || !strings.Contains(body, marker) {
			t.Fatalf("page %d: %d", i, res.StatusCode)
		}
	}
	testdbExec(t, s.urls.Owner, fmt.Sprintf(c.change, a.ID))
	res, body := b.do("GET", path, nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != path || strings.Contains(body, marker) {
		t.Fatalf("after the change: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if n := s.count(t, "action = ?", action); n != 2 {
		t.Errorf("%d pages logged as %s, want 2", n, action)
	}
	res, _ = b.do("GET", path, nil)
	if res.StatusCode != c.then || res.Header.Get("Location") != c.location {
		t.Errorf("started over: %d to %q, want %d to %q", res.StatusCode, res.Header.Get("Location"), c.then, c.location)
	}
}
