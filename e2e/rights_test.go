package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
)

// The DPO answers an access request in chromium: the queue, the request
// page with the person's record, the package sent by email.
func TestDPOAnswersAnAccessRequest(t *testing.T) {
	s := serveSite(t, "localhost")
	db, reg, v := s.DB, s.Reg, s.Vault
	base, _ := url.Parse(s.URL)
	ctx := context.Background()

	contact, _ := reg.Purpose("contact")
	if _, err := models.NewRecordStore(db, v).Create(ctx, models.NewRecord{Purpose: contact, CreatedAt: time.Now().Add(-time.Hour),
		Fields: models.Fields{"first_name": "Camille", "last_name": "Martin", "email": "camille.martin@example.com", "message": "Bonjour"}}); err != nil {
		t.Fatal(err)
	}
	pu, _ := reg.RightsPurpose()
	id := uuid.New()
	rights := models.NewRightsStore(db, v, pu)
	if err := rights.Submit(ctx, models.RightsRequestSubmission{ID: id, Right: "access", Email: "camille.martin@example.com",
		Fields: models.Fields{"email": "camille.martin@example.com", "right": "access"}, Now: time.Now(), PolicyVersion: reg.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := rights.Confirm(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}

	ns, err := demo.Account(ctx, db, v, "dpo@example.com", "E2E dpo", "dpo", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pw := ns.Password
	code, _ := models.NewStaffStore(db, v).CurrentTOTPCode(ctx, ns.Staff.ID, time.Now())
	dpo := browser(t, false, 1280)
	err = chromedp.Do(dpo,
		chromedp.Navigate(base.String()+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), ns.Staff.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/admin/dpo/rights"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.data-table")),
		chromedp.Click(chromedp.CSS(`a[href="/admin/dpo/rights/`+id.String()+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#records")),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := chromedp.Run(dpo, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "Bonjour") || !strings.Contains(page, "/contact)") {
		t.Fatalf("the request page does not show the person's record:\n%s", page)
	}
	err = chromedp.Do(dpo,
		chromedp.Click(chromedp.CSS(`form[action$="/package"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#status")),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(dpo, chromedp.Text(chromedp.CSS("#status")))
	if status != "Answered" {
		t.Errorf("status after sending the package: %q", status)
	}
	list, err := models.NewOutbox(db, v).List(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range list {
		if m.Kind == "rights_answer" && m.Email.To == "camille.martin@example.com" && strings.Contains(m.Email.Body, "/rights/download?") {
			found = true
		}
	}
	if !found {
		t.Error("no email with the download link to the person")
	}
}
