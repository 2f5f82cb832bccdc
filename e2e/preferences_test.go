package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/internal/mailer"
	"github.com/alegria/privacy-portal/internal/mailer/mailtest"
	"github.com/alegria/privacy-portal/models"
)

// signUp fills the AI challenge form, ticking the boxes of kinds.
func signUp(t *testing.T, ctx context.Context, s site, email string, kinds ...string) {
	t.Helper()
	navigate(t, ctx, s, "/ai-challenge")
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Ada"),
		chromedp.SendKeys(chromedp.CSS("#f-phone"), "06 12 34 56 78"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.Click(chromedp.CSS("#f-consent_processing")),
	}
	for _, k := range kinds {
		steps = append(steps, chromedp.Click(chromedp.CSS("#f-consent_"+k)))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("main button[type=submit]")))
	if st := formsStep(t, ctx, steps...); st != 200 {
		t.Fatalf("sign-up: %d", st)
	}
}

// mailedLink delivers the outbox through a real SMTP server and returns the
// preferences link of the last message to email.
func mailedLink(t *testing.T, s site, email string) string {
	t.Helper()
	srv := mailtest.Start(t)
	send, err := mailer.New(srv.URL("portal@alegria.example"))
	must(t, err)
	_, err = models.NewOutbox(s.DB, s.Vault).SendPending(context.Background(), send, 50, time.Now)
	must(t, err)
	re := regexp.MustCompile(regexp.QuoteMeta(s.URL) + `((?:/en|/fr)?/preferences\?[^\s"<]+)`)
	link := ""
	for _, m := range srv.Messages() {
		if m.To[0] == email {
			if l := re.FindStringSubmatch(m.Text); l != nil {
				link = l[1]
			}
		}
	}
	if link == "" {
		t.Fatalf("no email with a preferences link reached %s", email)
	}
	return link
}

// TestWithdrawObjectAndSignUpAgain: from the link in the email, the person
// withdraws one channel and objects to marketing, one click each; signing
// up again later does not lift the objection.
func TestWithdrawObjectAndSignUpAgain(t *testing.T) {
	s := startSite(t)
	ctx := browser(t, true, 1280)
	signUp(t, ctx, s, "ada@example.org", "sms", "offers_sms")
	link := mailedLink(t, s, "ada@example.org")

	navigate(t, ctx, s, link)
	if !present(t, ctx, `li[data-kind="ai_challenge.sms"] button`) || !present(t, ctx, `li[data-kind="ai_challenge.offers_sms"] button`) {
		t.Fatal("the page lacks a withdraw button for each ticked box")
	}
	submit(t, ctx, `li[data-kind="ai_challenge.sms"] button`)
	if got := eval[string](t, ctx, `document.querySelector('[role=status]').textContent`); !strings.Contains(got, "withdrawn") {
		t.Errorf("after withdrawing: %q", got)
	}
	if present(t, ctx, `li[data-kind="ai_challenge.sms"] button`) {
		t.Error("the withdrawn box still offers to withdraw")
	}
	if n := formsCount(t, s.DB, `SELECT count(*) FROM consent_state WHERE kind = 'sms' AND granted`); n != 0 {
		t.Error("the withdrawal did not take effect")
	}

	submit(t, ctx, `form[action*="/preferences/object?"] button`)
	if !present(t, ctx, "#objected") {
		t.Fatal("the page does not show the objection")
	}
	sales := models.Actor{StaffID: uuid.New(), Role: "sales", Scope: models.Scope{Purposes: s.Reg.PurposesFor("sales")}, Now: time.Now()}
	audiences := models.NewAudienceStore(s.DB, s.Vault, s.Reg)
	offers := models.Audience{Purpose: "ai_challenge", Kind: "offers_sms"}
	if n, err := audiences.Count(context.Background(), sales, offers); err != nil || n != 0 {
		t.Errorf("offers audience after the objection: %d %v", n, err)
	}

	// A new sign-up, boxes ticked again: the consent is current, the
	// objection still wins.
	signUp(t, ctx, s, "ada@example.org", "sms", "offers_sms")
	if n := formsCount(t, s.DB, `SELECT count(*) FROM consent_state WHERE kind = 'offers_sms' AND granted`); n != 1 {
		t.Fatalf("the new sign-up's box is not recorded (%d)", n)
	}
	for _, au := range []models.Audience{offers, {Purpose: "ai_challenge", Kind: "sms"}} {
		if n, err := audiences.Count(context.Background(), sales, au); err != nil || n != 0 {
			t.Errorf("%s audience after signing up again: %d %v", au.Kind, n, err)
		}
	}
	var flagged int
	must(t, s.DB.Scoped(context.Background(), models.Scope{Purposes: s.Reg.PurposeKeys()}, func(q models.Querier) error {
		return q.QueryRow(context.Background(), `SELECT count(*) FROM records WHERE objected`).Scan(&flagged)
	}))
	if flagged != 2 {
		t.Errorf("%d records flagged, want both sign-ups", flagged)
	}
}
