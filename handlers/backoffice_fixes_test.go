package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
)

// The DPO's review records the filter's purpose in the log: only a purpose
// the registry declares is accepted, and the export logs a real one.
func TestAccessLogPurposeIsValidated(t *testing.T) {
	s := newBOServer(t)
	b := s.browser(t)
	b.login(s.account(t, "dpo", true))
	for _, path := range []string{"/admin/dpo/access-log?purpose=no-such-purpose", "/admin/dpo/access-log/export?purpose=no-such-purpose"} {
		if res, _ := b.do(http.MethodGet, path, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, res.StatusCode)
		}
	}
	if n := s.count(t, "purpose = 'no-such-purpose'"); n != 0 {
		t.Errorf("%d events logged under an unknown purpose", n)
	}
	if res, _ := b.do(http.MethodGet, "/admin/dpo/access-log/export?purpose=contact", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", res.StatusCode)
	}
	if n := s.count(t, "action = 'export' AND purpose = 'access_log'"); n != 0 {
		t.Errorf("%d exports logged under the made-up purpose access_log", n)
	}
}

// Signing out ends the session even when the access log cannot be written.
func TestLogoutEndsTheSessionWhileTheLogIsDown(t *testing.T) {
	s := newBOServer(t)
	b := s.browser(t)
	b.login(s.account(t, "sales", true))
	if res, _ := b.do(http.MethodGet, "/admin", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", res.StatusCode)
	}
	stolen := map[string]string{}
	for k, v := range b.cookies {
		stolen[k] = v
	}
	testdbExec(t, s.urls.Owner, "REVOKE INSERT ON access_events FROM portal_app")
	res, _ := b.post("/admin/logout", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("logout with the log down: %d, want 303", res.StatusCode)
	}
	testdbExec(t, s.urls.Owner, "GRANT INSERT ON access_events TO portal_app")
	b.cookies = stolen // the session cookie as it was before logout
	if res, _ := b.do(http.MethodGet, "/admin", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the session outlived its logout: %d", res.StatusCode)
	}
}
