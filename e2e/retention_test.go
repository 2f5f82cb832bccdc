package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
)

// The DPO places a legal hold on a record from the retention page, sees it
// listed with its reason, and lifts it.
func TestDPOPlacesAndLiftsAHold(t *testing.T) {
	s := serveSite(t, "localhost")
	db, reg, v := s.DB, s.Reg, s.Vault
	ctx := context.Background()
	quote, _ := reg.Purpose("quote")
	rec, err := models.NewRecordStore(db, v).Create(ctx, models.NewRecord{Purpose: quote, CreatedAt: time.Now().Add(-time.Hour),
		Fields: models.Fields{"email": "held@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := demo.Account(ctx, db, v, "dpo@example.com", "E2E dpo", "dpo", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pw := ns.Password
	code, _ := models.NewStaffStore(db, v).CurrentTOTPCode(ctx, ns.Staff.ID, time.Now())
	b := browser(t, false, 1280)
	err = chromedp.Do(b,
		chromedp.Navigate(s.URL+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), ns.Staff.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/dpo/retention"]`)),
		chromedp.WaitVisible(chromedp.CSS("#holds")),
		chromedp.SendKeys(chromedp.CSS("#hold-record"), rec.String()),
		chromedp.SendKeys(chromedp.CSS("#hold-reason"), "pending dispute"),
		chromedp.SetValue(chromedp.CSS("#hold-ends"), "2099-01-01"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/dpo/retention/holds"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "pending dispute") || !strings.Contains(page, rec.String()) || !strings.Contains(page, "1 Jan 2099") {
		t.Fatalf("the hold is not listed:\n%s", page)
	}
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`form[action$="/lift"] button`)),
		// The placing's status message is already on the page: wait for the
		// next page instead, whose holds list no longer has a lift button.
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/lift"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = chromedp.Run(b, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "No hold in force") {
		t.Errorf("the hold was not lifted:\n%s", page)
	}
}
