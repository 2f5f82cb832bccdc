package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
)

// The DPO's retention page: what is due per purpose, placing a hold (logged,
// counted as held in the preview), a bad form kept with its message, lifting
// the hold; and a staff member's "contacted" is logged as such.
func TestRetentionPage(t *testing.T) {
	s := newBOServer(t)
	rec := s.record(t, "recruitment", models.Fields{"first_name": "Inès", "last_name": "Haddad", "email": "ines@example.com"}, false, false)
	dpo := s.browser(t)
	dpo.login(s.account(t, "dpo", true))

	res, body := dpo.do("GET", "/admin/dpo/retention", nil)
	recruitment, _ := s.reg.Purpose("recruitment")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, recruitment.Title.Get(i18n.EN)) || !strings.Contains(body, "2 years from our last contact with you") {
		t.Fatalf("page: %d", res.StatusCode)
	}
	res, body = dpo.post("/admin/dpo/retention/holds", url.Values{"record": {rec.String()}, "reason": {""}, "ends": {"2099-01-01"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Give the reason") || !strings.Contains(body, rec.String()) {
		t.Errorf("a hold without a reason: %d", res.StatusCode)
	}
	res, _ = dpo.post("/admin/dpo/retention/holds", url.Values{"record": {rec.String()}, "reason": {"employment tribunal"}, "ends": {"2099-01-01"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("place hold: %d", res.StatusCode)
	}
	if n := s.count(t, "action = 'hold' AND record_id = ?", rec); n != 1 {
		t.Errorf("%d hold events", n)
	}
	_, body = dpo.do("GET", "/admin/dpo/retention", nil)
	if !strings.Contains(body, "employment tribunal") || !strings.Contains(body, "record "+rec.String()) {
		t.Error("the hold is not listed")
	}
	hold := regexpFind(t, body, `/admin/dpo/retention/holds/([0-9a-f-]{36})/lift`)
	if res, _ := dpo.post("/admin/dpo/retention/holds/"+hold+"/lift", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("lift: %d", res.StatusCode)
	}
	if n := s.count(t, "action = 'lift_hold' AND record_id = ?", rec); n != 1 {
		t.Errorf("%d lift events", n)
	}

	rc := s.browser(t)
	rc.login(s.account(t, "recruitment", true))
	if res, _ := rc.post("/admin/records/recruitment/"+rec.String(), url.Values{"contacted": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("contacted: %d", res.StatusCode)
	}
	if n := s.count(t, "action = 'contacted' AND record_id = ?", rec); n != 1 {
		t.Errorf("%d contacted events", n)
	}
}
