package handlers_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/alegria/privacy-portal/models"
)

// An administrator who creates a DPO account is never shown its
// credentials: the new member gets a signed, single-use link by email, sets
// their own password and enrols their own authenticator. The creation is
// logged naming the account and notified to the DPO.
func TestAdminCannotBecomeDPO(t *testing.T) {
	s := newBOServer(t)
	admin := s.browser(t)
	admin.login(s.account(t, "admin", true))
	res, body := admin.post("/admin/staff", url.Values{"email": {"new.dpo@example.com"}, "name": {"New DPO"}, "role": {"dpo"}})
	if res.StatusCode != 201 {
		t.Fatalf("create: %d", res.StatusCode)
	}
	for _, leak := range []string{"otpauth://", "password:", "/admin/welcome/"} {
		if strings.Contains(strings.ToLower(body), strings.ToLower(leak)) {
			t.Errorf("the administrator's page shows %q", leak)
		}
	}
	if !strings.Contains(body, "the DPO has been told") {
		t.Error("the page does not say the DPO was told")
	}
	var id string
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT id::text FROM staff WHERE email = 'new.dpo@example.com'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if s.count(t, "action = 'staff_admin' AND target_staff_id = $1", id) != 1 {
		t.Error("the creation is not logged with its target")
	}
	msgs, err := models.NewOutbox(s.db, s.v).List(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var invitation string
	toDPO := false
	for _, m := range msgs {
		switch m.Email.To {
		case "new.dpo@example.com":
			invitation = m.Email.Body
		case s.reg.DPO.Email:
			toDPO = strings.Contains(m.Email.Body, "new.dpo@example.com")
		}
	}
	if !toDPO {
		t.Error("the DPO was not notified")
	}
	link := regexp.MustCompile(`https?://\S+/admin/welcome/(\S+)`).FindStringSubmatch(invitation)
	if link == nil {
		t.Fatalf("no link in the invitation: %q", invitation)
	}
	path := "/admin/welcome/" + link[1]

	// An administrator signing in with no password gets nowhere.
	if res, _ := s.browser(t).post("/admin/login", url.Values{"email": {"new.dpo@example.com"}, "password": {""}, "code": {"000000"}}); res.StatusCode != 401 {
		t.Errorf("sign-in before enrolment: %d", res.StatusCode)
	}

	owner := s.browser(t)
	res, body = owner.do("GET", path, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("welcome page: %d, QR code shown: %v", res.StatusCode, strings.Contains(body, "data:image/png"))
	}
	secret := html.UnescapeString(regexpFind(t, body, `id="totp-secret"[^>]*>([A-Z2-7]+)<`))
	// A wrong code keeps the page and the secret, with a message.
	res, body = owner.post(path, url.Values{"password": {"my own long passphrase"}, "secret": {secret}, "code": {"000000"}})
	if res.StatusCode != 422 || !strings.Contains(body, secret) {
		t.Errorf("wrong first code: %d", res.StatusCode)
	}
	first, _ := totp.GenerateCode(secret, s.clk.Now())
	if res, body = owner.post(path, url.Values{"password": {"my own long passphrase"}, "secret": {secret}, "code": {first}}); res.StatusCode != 200 || !strings.Contains(body, "Your account is ready") {
		t.Fatalf("enrol: %d", res.StatusCode)
	}
	if res, _ := owner.do("GET", path, nil); res.StatusCode != 404 {
		t.Errorf("the link works twice: %d", res.StatusCode)
	}
	s.clk.Add(30 * time.Second)
	code, _ := totp.GenerateCode(secret, s.clk.Now())
	if res, _ := s.browser(t).post("/admin/login", url.Values{"email": {"new.dpo@example.com"}, "password": {"my own long passphrase"}, "code": {code}}); res.StatusCode != 303 {
		t.Errorf("sign-in with the credentials the owner chose: %d", res.StatusCode)
	}
}

// Re-roling an account into one that sees personal data tells the DPO.
func TestReRoleNotifiesDPO(t *testing.T) {
	s := newBOServer(t)
	admin := s.browser(t)
	admin.login(s.account(t, "admin", true))
	target := s.account(t, "sales", true)
	before := s.count(t, "action = 'staff_admin' AND target_staff_id = $1", target.ID)
	if res, _ := admin.post("/admin/staff/"+target.ID.String()+"/role", url.Values{"role": {"recruitment"}}); res.StatusCode != 303 {
		t.Fatalf("re-role: %d", res.StatusCode)
	}
	msgs, err := models.NewOutbox(s.db, s.v).List(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Email.To != s.reg.DPO.Email || !strings.Contains(msgs[0].Email.Body, target.Email) {
		t.Errorf("DPO notice: %+v", msgs)
	}
	if s.count(t, "action = 'staff_admin' AND target_staff_id = $1", target.ID) != before+1 {
		t.Error("the re-role is not logged with its target")
	}
}
