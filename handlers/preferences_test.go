package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/internal/mailer"
	"github.com/alegria/privacy-portal/internal/mailer/mailtest"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

var nonceRE = regexp.MustCompile(`nonce(="|-)[^"']+`)

var prefLinkRE = regexp.MustCompile(`https://portal\.example/en(/preferences\?[^\s"<]+)`)

// deliver sends the outbox through a real SMTP server and returns what it
// received.
func deliver(t *testing.T, s server) []mailtest.Message {
	t.Helper()
	srv := mailtest.Start(t)
	send, err := mailer.New(srv.URL("portal@alegria.example"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.NewOutbox(s.db, s.vault).SendPending(context.Background(), send, 50, time.Now); err != nil {
		t.Fatal(err)
	}
	return srv.Messages()
}

func challengePost(email string, boxes ...string) url.Values {
	v := url.Values{"first_name": {"Ada"}, "phone": {"06 12 34 56 78"}, "email": {email}, "consent_processing": {"yes"}}
	for _, b := range boxes {
		v.Set(policy.ConsentField(b), "yes")
	}
	return v
}

func TestPreferencesFromTheEmailLink(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := newServer(t, func(d *handlers.Deps) { d.Now = func() time.Time { return clock() } })
	v := newVisitor(t, s)
	v.get("/ai-challenge")
	if res, body := v.post("/ai-challenge", challengePost("ada@example.org", "sms", "whatsapp")); res.StatusCode != 303 {
		t.Fatalf("sign-up: %d %s", res.StatusCode, body)
	}
	msgs := deliver(t, s)
	if len(msgs) != 1 {
		t.Fatalf("%d emails delivered", len(msgs))
	}
	m := prefLinkRE.FindStringSubmatch(msgs[0].Text)
	if m == nil || !strings.Contains(msgs[0].HTML, `href="https://portal.example/en/preferences?`) {
		t.Fatalf("the receipt carries no preferences link: %q", msgs[0].Text)
	}
	link := m[1]

	res, page := v.get(link)
	if res.StatusCode != 200 || !strings.Contains(page, "Withdraw this consent") || !strings.Contains(page, `data-kind="ai_challenge.sms"`) {
		t.Fatalf("preferences page: %d", res.StatusCode)
	}
	q := link[len("/preferences?"):]
	granted := func(kind string) int {
		return ownerCount(t, s, `SELECT count(*) FROM consent_state WHERE kind = $1 AND granted`, kind)
	}
	if granted("sms") != 1 || granted("whatsapp") != 1 {
		t.Fatal("the sign-up's boxes are not current")
	}
	if res, _ := v.post("/preferences/withdraw?"+q, url.Values{"purpose": {"ai_challenge"}, "kind": {"sms"}, "_csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("withdrawal without a form token: %d", res.StatusCode)
	}
	res, _ = v.post("/preferences/withdraw?"+q, url.Values{"purpose": {"ai_challenge"}, "kind": {"sms"}})
	if res.StatusCode != 303 || granted("sms") != 0 || granted("whatsapp") != 1 {
		t.Fatalf("withdrawing SMS: %d, sms=%d whatsapp=%d", res.StatusCode, granted("sms"), granted("whatsapp"))
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM consents WHERE kind = 'sms' AND NOT granted AND source = 'preferences'`); n != 1 {
		t.Errorf("%d withdrawal rows in the ledger", n)
	}
	_, page = v.get(res.Header.Get("Location"))
	if !strings.Contains(page, "Your consent is withdrawn") {
		t.Error("the page does not say the consent is withdrawn")
	}

	if res, _ := v.post("/preferences/object?"+q, url.Values{}); res.StatusCode != 303 {
		t.Fatalf("objecting: %d", res.StatusCode)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM suppressions WHERE channel = 'all' AND source = 'preferences'`); n != 1 {
		t.Errorf("%d objections recorded", n)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM records WHERE objected`); n != 1 {
		t.Error("the person's record is not flagged")
	}
	if _, page := v.get(link); !strings.Contains(page, `id="objected"`) {
		t.Error("the page does not show the objection")
	}

	if res, _ := v.get(link[:len(link)-2] + "xx"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("tampered link: %d", res.StatusCode)
	}
	clock = func() time.Time { return now.Add(models.PreferencesLinkValidity + time.Hour) }
	if res, body := v.get(link); res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("expired link: %d", res.StatusCode)
	}
}

// The page never tells whether an address is known: same status, same
// page, similar time; only a known address gets an email.
func TestPreferencesLinkRequestTellsNothing(t *testing.T) {
	s := newServer(t, nil)
	v := newVisitor(t, s)
	v.get("/ai-challenge")
	v.post("/ai-challenge", challengePost("known@example.org"))
	before := ownerCount(t, s, `SELECT count(*) FROM outbox`)
	answer := map[string]string{}
	for _, email := range []string{"known@example.org", "stranger@example.org"} {
		v.get("/preferences")
		start := time.Now()
		res, body := v.post("/preferences/link", url.Values{"email": {email}})
		if took := time.Since(start); res.StatusCode != 200 || took < 50*time.Millisecond {
			t.Errorf("%s: %d in %v", email, res.StatusCode, took)
		}
		answer[email] = choiceKeyRE.ReplaceAllString(nonceRE.ReplaceAllString(csrfRE.ReplaceAllString(body, ""), ""), "") // the banner's key is per response
	}
	if answer["known@example.org"] != answer["stranger@example.org"] {
		t.Error("the answer differs for a known and an unknown address")
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM outbox WHERE kind = 'preferences_link'`); n != 1 || ownerCount(t, s, `SELECT count(*) FROM outbox`) != before+1 {
		t.Errorf("%d link emails queued, want one (for the known address)", n)
	}
	if res, body := v.post("/preferences/link", url.Values{"email": {"not an address"}}); res.StatusCode != 422 || !strings.Contains(body, "valid email") {
		t.Errorf("bad address: %d", res.StatusCode)
	}
}

// RFC 8058: the mail client POSTs to the List-Unsubscribe URL with no
// cookie and no form token; the signed URL is enough, and it works at once.
func TestOneClickUnsubscribe(t *testing.T) {
	var secrets *vault.Secrets
	s := newServer(t, func(d *handlers.Deps) { secrets = d.Secrets })
	v := newVisitor(t, s)
	v.get("/ai-challenge")
	v.post("/ai-challenge", challengePost("ada@example.org", "offers_sms"))
	person := models.PersonOf(s.vault, "ada@example.org")
	unsub := models.UnsubscribeURL("https://portal.example", secrets.Key("email-link"), person, "ai_challenge", "offers_sms", time.Now())
	if err := models.NewOutbox(s.db, s.vault).Add(context.Background(), "marketing",
		models.Email{To: "ada@example.org", Subject: "Offers", Body: "Our offers.", Unsubscribe: unsub}, time.Now()); err != nil {
		t.Fatal(err)
	}
	var header, post string
	for _, m := range deliver(t, s) {
		if m.Header.Get("Subject") == "Offers" {
			header, post = m.Header.Get("List-Unsubscribe"), m.Header.Get("List-Unsubscribe-Post")
		}
	}
	if post != "List-Unsubscribe=One-Click" || !strings.HasPrefix(header, "<https://portal.example/preferences/unsubscribe?") {
		t.Fatalf("headers %q / %q", header, post)
	}
	target := s.URL + strings.TrimPrefix(strings.Trim(header, "<>"), "https://portal.example")
	if res, err := http.Get(target); err != nil || res.StatusCode == http.StatusOK {
		t.Errorf("a GET (a link scanner) must change nothing: %v %v", res.StatusCode, err)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM consent_state WHERE kind = 'offers_sms' AND granted`); n != 1 {
		t.Fatal("the consent was not current before the click")
	}
	res, err := http.Post(target, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("one-click POST: %v %v", res.StatusCode, err)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM consent_state WHERE kind = 'offers_sms' AND granted`); n != 0 {
		t.Error("the one-click unsubscribe did not withdraw the consent")
	}
	res, _ = http.Post(strings.Replace(target, "sig=", "sig=x", 1), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("unsigned one-click: %d", res.StatusCode)
	}
}

// Staff: the record page shows the consent state per channel and the
// objection; an audience holds only current consents and no objector, and
// its export is logged with criteria and count; a call opt-out drops the
// person from automated calls at once.
func TestStaffUseOnlyWhatWasGiven(t *testing.T) {
	s := newBOServer(t)
	ctx := context.Background()
	forms := models.NewFormStore(s.db, s.v)
	pu, _ := s.reg.Purpose("ai_challenge")
	ids := map[string]uuid.UUID{}
	for _, email := range []string{"keen@example.org", "objector@example.org", "quiet@example.org"} {
		var consents []models.ConsentChoice
		for _, c := range pu.Form.Consents {
			consents = append(consents, models.ConsentChoice{Kind: c.Kind, Label: c.Label.EN,
				Granted: c.Required || (email != "quiet@example.org" && (c.Kind == "sms" || c.Kind == "automated_calls"))})
		}
		ids[email] = uuid.New()
		if _, err := forms.Submit(ctx, models.FormSubmission{ID: ids[email], Purpose: pu, PolicyVersion: s.reg.Version, Now: s.clk.Now(),
			Fields: models.Fields{"email": email, "phone": "+3361234567" + string(rune('0'+len(ids))), "first_name": "P"},
			Email:  email, Phone: "+3361234567" + string(rune('0'+len(ids))), Consents: consents}); err != nil {
			t.Fatal(err)
		}
	}
	prefs := models.NewPreferenceStore(s.db, s.v, s.reg)
	if err := prefs.Object(ctx, prefs.PersonOf("objector@example.org"), models.SuppressAll, s.clk.Now()); err != nil {
		t.Fatal(err)
	}

	b := s.browser(t)
	b.login(s.account(t, "sales", true))
	_, page := b.do("GET", "/admin/records/ai_challenge/"+ids["objector@example.org"].String(), nil)
	if !strings.Contains(page, `id="consent-state"`) || !strings.Contains(page, `id="objected"`) {
		t.Error("the record page does not show the consent state and the objection")
	}
	_, page = b.do("GET", "/admin/records/ai_challenge/"+ids["keen@example.org"].String(), nil)
	if !strings.Contains(page, "given") || strings.Contains(page, `id="objected"`) {
		t.Error("the record page of a consenting person is wrong")
	}

	csvOf := func(path string) [][]string {
		res, body := b.do("GET", path, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	emails := func(rows [][]string) string {
		var out []string
		for _, r := range rows[1:] {
			out = append(out, strings.Join(r, " "))
		}
		return strings.Join(out, "\n")
	}
	if _, page := b.do("GET", "/admin/audiences?box=ai_challenge.sms", nil); !strings.Contains(page, `<p class="mt-4" id="audience-count">1 people`) {
		t.Errorf("audience count page: %s", regexp.MustCompile(`id="audience-count">[^<]*`).FindString(page))
	}
	list := emails(csvOf("/admin/audiences/export?box=ai_challenge.sms"))
	if !strings.Contains(list, "keen@example.org") || strings.Contains(list, "objector@") || strings.Contains(list, "quiet@") {
		t.Errorf("SMS audience:\n%s", list)
	}
	if n := s.count(t, "action = 'export' AND purpose = 'ai_challenge'"); n != 1 {
		t.Errorf("%d export events", n)
	}
	var criteria string
	var rowCount int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT criteria, row_count FROM marketing_exports ORDER BY id DESC LIMIT 1`).Scan(&criteria, &rowCount); err != nil ||
		rowCount != 1 || !strings.Contains(criteria, "consent=sms") {
		t.Errorf("logged export: %q %d %v", criteria, rowCount, err)
	}
	// The existing export leaves the objector out for sales.
	if list := emails(csvOf("/admin/records/ai_challenge/export")); strings.Contains(list, "objector@") {
		t.Error("the records export holds the objector")
	}
	// An opt-out said during a call drops automated calls at once.
	if list := emails(csvOf("/admin/audiences/export?box=ai_challenge.automated_calls")); !strings.Contains(list, "keen@") {
		t.Fatal("automated calls audience lacks the consenting person")
	}
	if res, _ := b.post("/admin/records/ai_challenge/"+ids["keen@example.org"].String()+"/call-opt-out", nil); res.StatusCode != 303 {
		t.Fatalf("call opt-out: %d", res.StatusCode)
	}
	if list := emails(csvOf("/admin/audiences/export?box=ai_challenge.automated_calls")); strings.Contains(list, "keen@") {
		t.Error("a call opt-out left the person in the automated calls audience")
	}
	if list := emails(csvOf("/admin/audiences/export?box=ai_challenge.sms")); !strings.Contains(list, "keen@") {
		t.Error("a call opt-out removed the person from SMS too")
	}
	if n := ownerCountBO(t, s, `SELECT count(*) FROM suppressions WHERE channel = 'automated_calls' AND source = 'call'`); n != 1 {
		t.Errorf("%d call opt-outs recorded", n)
	}
}

func ownerCountBO(t *testing.T, s *boServer, q string) int {
	t.Helper()
	var n int
	if err := s.db.Pool.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
