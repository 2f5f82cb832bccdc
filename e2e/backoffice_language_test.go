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

// A staff member switches the back-office to the other language from any
// page and stays on that page; the choice holds on the next page.
func TestBackOfficeLanguageSwitch(t *testing.T) {
	s := serveSite(t, "localhost")
	ctx := context.Background()
	ns, err := demo.Account(ctx, s.DB, s.Vault, "switch@example.com", "E2E switch", "sales", time.Now())
	must(t, err)
	code, err := models.NewStaffStore(s.DB, s.Vault).CurrentTOTPCode(ctx, ns.Staff.ID, time.Now())
	must(t, err)
	b := browser(t, false, 1280)
	must(t, chromedp.Do(b,
		chromedp.Navigate(s.URL+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), ns.Staff.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), ns.Password),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
		chromedp.Navigate(s.URL+"/admin/records/contact"),
		chromedp.WaitVisible(chromedp.CSS("table.data-table")),
	))
	lang, err := chromedp.Run(b, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	must(t, err)
	other, heading := "fr", "Vos finalités"
	if lang.Value == "fr" {
		other, heading = "en", "Your purposes"
	}
	must(t, chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`form[action="/admin/language"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="`+other+`"] table.data-table`)),
	))
	loc, err := chromedp.Run(b, chromedp.Location())
	must(t, err)
	if !strings.HasSuffix(loc, "/admin/records/contact") {
		t.Errorf("after switching language the member is at %s, not on the same page", loc)
	}
	must(t, chromedp.Do(b,
		chromedp.Navigate(s.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="`+other+`"] main h2`)),
	))
	home, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("main")))
	must(t, err)
	if !strings.Contains(home, heading) {
		t.Errorf("the home page does not follow the chosen language (%s):\n%s", other, home)
	}
}
