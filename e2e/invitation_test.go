package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
)

// An administrator creates a DPO account in the browser and is shown no
// credential; the new member opens the emailed link, scans a QR code the
// server drew (allowed by the CSP: it loads), types the key's code, and
// signs in with what they chose.
func TestStaffInvitationInBrowser(t *testing.T) {
	s := serveSite(t, "localhost")
	ctx := context.Background()
	adm, err := demo.Account(ctx, s.DB, s.Vault, "admin@example.com", "E2E admin", "admin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	code, _ := models.NewStaffStore(s.DB, s.Vault).CurrentTOTPCode(ctx, adm.Staff.ID, time.Now())
	admin := browser(t, false, 1280)
	var page string
	err = chromedp.Do(admin,
		chromedp.Navigate(s.URL+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), adm.Staff.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), adm.Password),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
		chromedp.Navigate(s.URL+"/admin/staff"),
		chromedp.SendKeys(chromedp.CSS("#new-email"), "new.dpo@example.com"),
		chromedp.SendKeys(chromedp.CSS("#new-name"), "New DPO"),
		chromedp.SetValue(chromedp.CSS("#new-role"), "dpo"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/staff"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = chromedp.Run(admin, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "Invitation emailed to new.dpo@example.com") || strings.Contains(page, "otpauth") {
		t.Errorf("the administrator's page: %q", page)
	}
	msgs, err := models.NewOutbox(s.DB, s.Vault).List(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var link string
	for _, m := range msgs {
		if m.Email.To == "new.dpo@example.com" {
			link = regexp.MustCompile(`http\S+/admin/welcome/\S+`).FindString(m.Email.Body)
		}
	}
	if link == "" {
		t.Fatal("no invitation link mailed")
	}

	owner := browser(t, false, 1280)
	err = chromedp.Do(owner,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#totp-secret")),
	)
	if err != nil {
		t.Fatal(err)
	}
	qrWidth, err := chromedp.Run(owner, chromedp.Evaluate[int](`document.querySelector("main img").naturalWidth`))
	secret, _ := chromedp.Run(owner, chromedp.Text(chromedp.CSS("#totp-secret")))
	if err != nil || qrWidth == 0 {
		t.Fatalf("welcome page: %v, QR code width %d", err, qrWidth)
	}
	first, _ := totp.GenerateCode(strings.TrimSpace(secret), time.Now())
	err = chromedp.Do(owner,
		chromedp.SendKeys(chromedp.CSS("#password"), "my own long passphrase"),
		chromedp.SendKeys(chromedp.CSS("#code"), first),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/login"].btn`)),
	)
	done, _ := chromedp.Run(owner, chromedp.Text(chromedp.CSS("main")))
	if err != nil || !strings.Contains(done, "Your account is ready") {
		t.Fatalf("enrolment: %v %q", err, done)
	}
	next, _ := totp.GenerateCode(strings.TrimSpace(secret), time.Now().Add(30*time.Second))
	err = chromedp.Do(owner,
		chromedp.Navigate(s.URL+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), "new.dpo@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "my own long passphrase"),
		chromedp.SendKeys(chromedp.CSS("#code"), next),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
	)
	if err != nil {
		t.Errorf("sign-in with the chosen credentials: %v", err)
	}
}
