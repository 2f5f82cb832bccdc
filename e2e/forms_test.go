// Package e2e drives the real server in headless chromium.
package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/alegria/privacy-portal/models"
)

func formsStep(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatal(err)
	}
	if res == nil {
		return 0
	}
	return res.Status
}

func formsCount(t *testing.T, db *models.DB, query string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestContactFormWithoutJavaScript: a refused post comes back (422) with the
// message and every typed word; corrected, it is stored and confirmed.
func TestContactFormWithoutJavaScript(t *testing.T) {
	s := startSite(t)
	base, db := s.URL, s.DB
	ctx := browser(t, false, 1280)
	if st := formsStep(t, ctx, chromedp.Navigate(base+"/en/contact")); st != 200 {
		t.Fatalf("GET /contact: %d", st)
	}
	message := "Bonjour,\nje voudrais <b>une formation</b> en IA."
	if st := formsStep(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Martin"),
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Léa"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "lea@localhost"), // the browser accepts it; the server wants a domain with a dot
		chromedp.SendKeys(chromedp.CSS("#f-message"), message),
		chromedp.Click(chromedp.CSS("#f-consent_processing")),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
	); st != 422 {
		t.Fatalf("refused post: %d, want 422", st)
	}
	if got := eval[string](t, ctx, `document.querySelector('#e-email').textContent`); !strings.Contains(got, "email address") {
		t.Errorf("email message %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('#f-message').value`); got != message {
		t.Errorf("message after 422: %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('#f-first_name').value + (document.querySelector('#f-consent_processing').checked ? ' ticked' : '')`); got != "Léa ticked" {
		t.Errorf("first name and box after 422: %q", got)
	}
	if st := formsStep(t, ctx,
		chromedp.SetValue(chromedp.CSS("#f-email"), "lea@example.org"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
	); st != 200 {
		t.Fatalf("corrected post: %d", st)
	}
	if got := eval[string](t, ctx, `location.pathname + ' ' + document.querySelector('h1').textContent`); got != "/en/contact/sent Thank you" {
		t.Errorf("after sending: %q", got)
	}
	if n := formsCount(t, db, `SELECT count(*) FROM consents WHERE kind = 'processing' AND granted`); n != 1 {
		t.Errorf("%d processing consents", n)
	}
}

// TestAIChallengeBoxesWithoutJavaScript: each box is its own unticked
// choice, and the ledger records exactly what was ticked.
func TestAIChallengeBoxesWithoutJavaScript(t *testing.T) {
	s := startSite(t)
	base, db := s.URL, s.DB
	ctx := browser(t, false, 1280)
	formsStep(t, ctx, chromedp.Navigate(base+"/en/ai-challenge"))
	if got := eval[string](t, ctx, `String([...document.querySelectorAll('main input[type=checkbox]')].filter(b => b.checked).length) + '/' + document.querySelectorAll('main input[type=checkbox]').length`); got != "0/8" {
		t.Fatalf("ticked/total boxes %s, want 0/8", got)
	}
	if st := formsStep(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Sam"),
		chromedp.SendKeys(chromedp.CSS("#f-phone"), "06 12 34 56 78"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "sam@example.org"),
		chromedp.Click(chromedp.CSS("#f-consent_processing")),
		chromedp.Click(chromedp.CSS("#f-consent_automated_calls")),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
	); st != 200 {
		t.Fatalf("post: %d", st)
	}
	if got := eval[string](t, ctx, `location.pathname`); got != "/en/ai-challenge/sent" {
		t.Fatalf("after sending: %s", got)
	}
	if n := formsCount(t, db, `SELECT count(*) FROM consents WHERE granted AND kind IN ('processing', 'automated_calls')`); n != 2 {
		t.Errorf("%d granted rows for the two ticked boxes", n)
	}
	if n := formsCount(t, db, `SELECT count(*) FROM consents WHERE NOT granted`); n != 6 {
		t.Errorf("%d refused rows, want 6 (sms, whatsapp, offers_sms, offers_whatsapp, offers_automated_calls, partner_transfer)", n)
	}
}
