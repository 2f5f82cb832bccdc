package models_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// challenger signs up for the AI challenge with the given boxes ticked.
func challenger(t *testing.T, reg *policy.Registry, email, phone string, now time.Time, ticked ...string) models.FormSubmission {
	t.Helper()
	p, _ := reg.Purpose("ai_challenge")
	var consents []models.ConsentChoice
	for _, c := range p.Form.Consents {
		granted := c.Required
		for _, k := range ticked {
			granted = granted || k == c.Kind
		}
		consents = append(consents, models.ConsentChoice{Kind: c.Kind, Label: c.Label.EN, Granted: granted})
	}
	return models.FormSubmission{ID: uuid.New(), Purpose: p, PolicyVersion: reg.Version, Now: now,
		Fields: models.Fields{"email": email, "phone": phone, "first_name": "Ada"}, Email: email, Phone: phone, Consents: consents}
}

func sales(reg *policy.Registry, now time.Time) models.Actor {
	return models.Actor{StaffID: uuid.New(), Role: "sales", Scope: models.Scope{Purposes: reg.PurposesFor("sales")}, IP: "192.0.2.9", Now: now}
}

// listed returns the emails of an audience export.
func listed(t *testing.T, au *models.AudienceStore, a models.Actor, box models.Audience) []string {
	t.Helper()
	var out []string
	n, err := au.Export(context.Background(), a, box, func(r models.AudienceRow) error {
		out = append(out, r.Fields["email"])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(out)) {
		t.Errorf("export counted %d, handed over %d", n, len(out))
	}
	c, err := au.Count(context.Background(), a, box)
	if err != nil || c != n {
		t.Errorf("count %d (%v), export %d: the page and the file disagree", c, err, n)
	}
	return out
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestAudiencesFollowTheLedgerAndTheObjectionList(t *testing.T) {
	db, _ := testdb.Open(t)
	reg := registry(t)
	reg.Deployment.Partners = []policy.Partner{{Name: "CPF Partner SAS"}}
	v, _ := vault.NewEphemeral()
	forms := models.NewFormStore(db, v)
	prefs := models.NewPreferenceStore(db, v, reg)
	au := models.NewAudienceStore(db, v, reg)
	ctx := context.Background()
	now := time.Now()
	a := sales(reg, now)

	for _, s := range []models.FormSubmission{
		challenger(t, reg, "sms@example.com", "+33600000001", now, "sms", "partner_transfer"),
		challenger(t, reg, "objector@example.com", "+33600000002", now, "sms", "automated_calls", "partner_transfer"),
		challenger(t, reg, "caller@example.com", "+33600000003", now, "sms", "automated_calls"),
		challenger(t, reg, "none@example.com", "+33600000004", now),
	} {
		if _, err := forms.Submit(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	smsBox := models.Audience{Purpose: "ai_challenge", Kind: "sms"}
	callBox := models.Audience{Purpose: "ai_challenge", Kind: "automated_calls"}
	got := listed(t, au, a, smsBox)
	if len(got) != 3 || has(got, "none@example.com") {
		t.Fatalf("SMS audience %v, want the three who ticked the box", got)
	}

	// A withdrawal drops out at once.
	if err := prefs.Withdraw(ctx, prefs.PersonOf("sms@example.com"), "ai_challenge", "sms", "preferences", now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, au, a, smsBox); has(got, "sms@example.com") {
		t.Errorf("a withdrawn channel is still listed: %v", got)
	}
	if err := prefs.Withdraw(ctx, prefs.PersonOf("sms@example.com"), "ai_challenge", "sms", "preferences", now); !errors.Is(err, models.ErrNothingToWithdraw) {
		t.Errorf("withdrawing twice: %v, want ErrNothingToWithdraw", err)
	}

	// An opt-out said during a call removes that channel only.
	var objectorRecord, callerRecord uuid.UUID
	_, _ = au.Export(ctx, a, callBox, func(r models.AudienceRow) error {
		switch r.Fields["email"] {
		case "caller@example.com":
			callerRecord = r.RecordID
		case "objector@example.com":
			objectorRecord = r.RecordID
		}
		return nil
	})
	if err := models.NewRecordStore(db, v).OptOut(ctx, a, "ai_challenge", callerRecord, policy.ChannelAutomatedCalls, models.SuppressionFromCall); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, au, a, callBox); has(got, "caller@example.com") {
		t.Errorf("an opt-out during a call did not remove the person from automated calls: %v", got)
	}
	if got := listed(t, au, a, smsBox); !has(got, "caller@example.com") {
		t.Errorf("an opt-out from calls removed the person from SMS too: %v", got)
	}

	// An objector appears in no list, no export, no transmission.
	if err := prefs.Object(ctx, prefs.PersonOf("objector@example.com"), models.SuppressAll, now); err != nil {
		t.Fatal(err)
	}
	for _, box := range []models.Audience{smsBox, callBox} {
		if got := listed(t, au, a, box); has(got, "objector@example.com") {
			t.Errorf("objector listed in %v: %v", box, got)
		}
	}
	var sent []string
	n, err := au.PartnerExport(ctx, a, "ai_challenge", "CPF Partner SAS", func(r models.AudienceRow) error {
		sent = append(sent, r.Fields["email"])
		return nil
	})
	if err != nil || n != 1 || sent[0] != "sms@example.com" {
		t.Errorf("partner transmission %v (%d, %v), want only the one with a current partner consent who did not object", sent, n, err)
	}
	if _, err := au.PartnerExport(ctx, a, "ai_challenge", "Someone Else", func(models.AudienceRow) error { return nil }); !errors.Is(err, models.ErrNoPartner) {
		t.Errorf("a partner the registry does not declare: %v", err)
	}
	err = models.NewRecordStore(db, v).Export(ctx, a, "ai_challenge", true, func(r models.ExportRow) error {
		if r.ID == objectorRecord || r.Fields["email"] == "objector@example.com" {
			t.Error("the sales export holds the objector")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Signing up again after objecting: still out of every list.
	if _, err := forms.Submit(ctx, challenger(t, reg, "objector@example.com", "+33600000002", now.Add(time.Minute), "sms")); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, au, a, smsBox); has(got, "objector@example.com") {
		t.Errorf("a new sign-up lifted the objection: %v", got)
	}

	// Each list left a trace: criteria, count, recipient.
	logged, err := au.MarketingExports(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	var transfer *models.MarketingExport
	for i := range logged {
		if logged[i].Kind == "partner_transfer" && logged[i].Count == 1 {
			transfer = &logged[i]
		}
		if logged[i].StaffID != a.StaffID || logged[i].Criteria == "" {
			t.Errorf("export logged without its author or criteria: %+v", logged[i])
		}
	}
	if transfer == nil || transfer.Recipient != "CPF Partner SAS" {
		t.Errorf("the transmission is not logged with its recipient: %+v", logged)
	}
}

func TestConsentStateIsTheLatestLedgerRow(t *testing.T) {
	db, urls := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	forms := models.NewFormStore(db, v)
	prefs := models.NewPreferenceStore(db, v, reg)
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	if _, err := forms.Submit(ctx, challenger(t, reg, "ada@example.com", "+33600000009", now, "whatsapp")); err != nil {
		t.Fatal(err)
	}
	person := prefs.PersonOf("ada@example.com")
	state := func() map[string]bool {
		p, err := prefs.Of(ctx, person)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, s := range p.States {
			out[s.Kind] = s.Granted
		}
		return out
	}
	if s := state(); !s["whatsapp"] || s["sms"] {
		t.Fatalf("state after sign-up %v", s)
	}
	if err := prefs.Withdraw(ctx, person, "ai_challenge", "whatsapp", "preferences", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s := state(); s["whatsapp"] {
		t.Fatalf("state after withdrawal %v", s)
	}
	// The retention sweep deletes the withdrawal row (plain SQL, as the
	// owner): the state falls back to the row that remains.
	owner, err := pgx.Connect(ctx, urls.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, `DELETE FROM consents WHERE source = 'preferences'`); err != nil {
		t.Fatal(err)
	}
	if s := state(); !s["whatsapp"] {
		t.Errorf("state after the withdrawal row went %v", s)
	}
	if _, err := owner.Exec(ctx, `DELETE FROM consents WHERE kind = 'whatsapp'`); err != nil {
		t.Fatal(err)
	}
	if s := state(); len(s) == 0 || s["whatsapp"] {
		t.Errorf("state with no ledger row left %v", s)
	}
	// The application cannot write the state itself.
	if _, err := db.Pool.Exec(ctx, `UPDATE consent_state SET granted = true`); err == nil {
		t.Error("the application role can rewrite consent_state")
	}
}

func TestPreferencesLinkIsMailedOnlyToKnownAddresses(t *testing.T) {
	db, _ := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	prefs := models.NewPreferenceStore(db, v, reg)
	ctx := context.Background()
	now := time.Now()
	if _, err := models.NewFormStore(db, v).Submit(ctx, challenger(t, reg, "known@example.com", "+33600000010", now)); err != nil {
		t.Fatal(err)
	}
	outbox := models.NewOutbox(db, v)
	before, _ := outbox.List(ctx, 100)
	for _, email := range []string{"known@example.com", "stranger@example.com"} {
		if err := prefs.MailLink(ctx, prefs.PersonOf(email), models.Email{To: email, Subject: "link", Body: "b"}, now); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := outbox.List(ctx, 100)
	if len(after) != len(before)+1 || after[0].Email.To != "known@example.com" || after[0].Kind != "preferences_link" {
		t.Errorf("outbox after two link requests: %d → %d messages", len(before), len(after))
	}
}

func TestPreferencesLinks(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	person := models.Person([]byte{1, 2, 3, 4})
	q := models.SignPreferencesLink(key, person, now.Add(time.Hour))
	vals, _ := url.ParseQuery(q)
	if p, err := models.VerifyPreferencesLink(key, vals, now); err != nil || string(p) != string(person) {
		t.Errorf("a fresh link: %v", err)
	}
	if _, err := models.VerifyPreferencesLink(key, vals, now.Add(2*time.Hour)); !errors.Is(err, models.ErrLinkExpired) {
		t.Errorf("an expired link: %v", err)
	}
	vals.Set("p", "AQIDBQ")
	if _, err := models.VerifyPreferencesLink(key, vals, now); !errors.Is(err, models.ErrLinkInvalid) {
		t.Errorf("a link moved to another person: %v", err)
	}
}
