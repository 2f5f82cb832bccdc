package handlers_test

import (
	"strings"
	"testing"

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
