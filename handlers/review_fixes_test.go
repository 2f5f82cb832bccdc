package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A url-encoded post to the upload form is the client's odd request, not a
// server error.
func TestApplyWithoutMultipartIsNot500(t *testing.T) {
	s := newServer(t, nil)
	pu, _ := s.reg.Purpose("recruitment")
	v := newVisitor(t, s)
	v.get("/apply")
	res, _ := v.post("/apply", validPost(pu))
	if res.StatusCode >= 500 {
		t.Fatalf("url-encoded post to /apply: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("POST", s.URL+"/apply", nil)
	raw, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	if raw.StatusCode >= 500 {
		t.Errorf("empty post to /apply: %d", raw.StatusCode)
	}
}

func TestOverlongNoteIs422(t *testing.T) {
	s := newBOServer(t)
	id := s.record(t, "recruitment", map[string]string{"first_name": "Ana", "email": "ana@example.com"}, false, false)
	b := s.browser(t)
	b.login(s.account(t, "recruitment", true))
	res, body := b.post("/admin/records/recruitment/"+id.String(), url.Values{"set_note": {"1"}, "note": {strings.Repeat("n", 3000)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "too long") {
		t.Errorf("3000-character note: %d", res.StatusCode)
	}
}

// The admin sees no personal data; re-roling or deactivating their own
// account would let them grant themselves a role that does.
func TestAdminCannotChangeOwnAccount(t *testing.T) {
	s := newBOServer(t)
	admin := s.account(t, "admin", true)
	b := s.browser(t)
	b.login(admin)
	for path, form := range map[string]url.Values{
		"/admin/staff/" + admin.ID.String() + "/role":   {"role": {"dpo"}},
		"/admin/staff/" + admin.ID.String() + "/active": {"active": {"false"}},
	} {
		if res, _ := b.post(path, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s on own account: %d, want 403", path, res.StatusCode)
		}
	}
	if n := s.count(t, "role = 'admin' AND action = 'denied'"); n < 2 {
		t.Errorf("%d logged denials, want the two refusals", n)
	}
}

// A password change ends the account's other sessions (one a thief may hold)
// and keeps the one that made it.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	s := newBOServer(t)
	a := s.account(t, "sales", true)
	thief, owner := s.browser(t), s.browser(t)
	thief.login(a)
	owner.login(a)
	res, _ := owner.post("/admin/password", url.Values{"current": {a.Password}, "new": {"another long enough password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d", res.StatusCode)
	}
	if res, _ := owner.do("GET", "/admin", nil); res.StatusCode != http.StatusOK {
		t.Errorf("owner after the change: %d, want 200", res.StatusCode)
	}
	if res, _ := thief.do("GET", "/admin", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("other session after the change: %d, want a redirect to sign-in", res.StatusCode)
	}
}

// Requests without a session are refused and logged, but one address cannot
// flood the access log with them.
func TestAnonymousDenialsAreLoggedWithinABudget(t *testing.T) {
	s := newBOServer(t)
	b := s.browser(t)
	for range 60 {
		if res, _ := b.do("GET", "/admin/records/contact", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("anonymous request: %d, want a redirect to sign-in", res.StatusCode)
		}
	}
	n := s.count(t, "action = 'denied' AND staff_id IS NULL")
	if n == 0 || n > 35 {
		t.Errorf("%d anonymous denials logged for 60 requests, want some, at most the budget", n)
	}
}
