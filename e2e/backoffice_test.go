// Package e2e drives the real server in headless chromium.
package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
)

// Staff sign in with a TOTP code, browse as sales, open a record, and the
// DPO then finds that view in the access log.
func TestBackofficeLoginBrowseAndDPOLog(t *testing.T) {
	s := serveSite(t, "localhost")
	db, reg, v := s.DB, s.Reg, s.Vault
	base, _ := url.Parse(s.URL)

	ctx := context.Background()
	contact, _ := reg.Purpose("contact")
	rec, err := models.NewRecordStore(db, v).Create(ctx, models.NewRecord{Purpose: contact, CreatedAt: time.Now().Add(-time.Hour),
		Fields: models.Fields{"first_name": "Camille", "last_name": "Martin", "email": "camille.martin@example.com", "message": "Bonjour"}})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(bctx context.Context, role string) {
		t.Helper()
		ns, err := demo.Account(ctx, db, v, role+"@example.com", "E2E "+role, role, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		pw := ns.Password
		code, _ := models.NewStaffStore(db, v).CurrentTOTPCode(ctx, ns.Staff.ID, time.Now())
		err = chromedp.Do(bctx,
			chromedp.Navigate(base.String()+"/admin/login"),
			chromedp.SendKeys(chromedp.CSS("#email"), ns.Staff.Email),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.SendKeys(chromedp.CSS("#code"), code),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
		)
		if err != nil {
			t.Fatalf("sign in as %s: %v", role, err)
		}
	}

	sales := browser(t, false, 1280)
	signIn(sales, "sales")
	err = chromedp.Do(sales,
		chromedp.Navigate(base.String()+"/admin/records/contact"),
		chromedp.WaitVisible(chromedp.CSS("table.data-table")),
	)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := chromedp.Run(sales, chromedp.OuterHTML(chromedp.CSS("main")))
	if !strings.Contains(list, "c***@example.com") || strings.Contains(list, "camille.martin@example.com") {
		t.Fatal("the list does not show masked values only")
	}
	if err := chromedp.Do(sales, chromedp.Click(chromedp.CSS(`a[href$="`+rec.String()+`"]`)), chromedp.WaitVisible(chromedp.CSS("dl.facts"))); err != nil {
		t.Fatal(err)
	}
	detail, _ := chromedp.Run(sales, chromedp.Text(chromedp.CSS("dl.facts")))
	if !strings.Contains(detail, "camille.martin@example.com") {
		t.Fatalf("the record page does not show the record: %q", detail)
	}

	dpo := browser(t, false, 1280)
	signIn(dpo, "dpo")
	err = chromedp.Do(dpo,
		chromedp.Navigate(base.String()+"/admin/dpo/access-log?action=view"),
		chromedp.WaitVisible(chromedp.CSS("#events")),
	)
	if err != nil {
		t.Fatal(err)
	}
	log, _ := chromedp.Run(dpo, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(log, rec.String()) || !strings.Contains(log, "E2E sales") || !strings.Contains(log, "Intact") {
		t.Errorf("the DPO's log does not show the sales view of the record:\n%s", log)
	}
}
