package models_test

import (
	"context"
	"errors"
	"net/url"
	"strconv"
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

// audienceWorld is what the audience tests draw on: a fresh database, the
// registry with one partner declared, the stores, and a sales user.
type audienceWorld struct {
	db    *models.DB
	urls  testdb.URLs
	reg   *policy.Registry
	v     *vault.Vault
	forms *models.FormStore
	prefs *models.PreferenceStore
	au    *models.AudienceStore
	sales models.Actor
}

func newAudienceWorld(t *testing.T, now time.Time) audienceWorld {
	t.Helper()
	db, urls := testdb.Open(t)
	reg := registry(t)
	reg.Deployment.Partners = []policy.Partner{{Name: "CPF Partner SAS"}}
	v, _ := vault.NewEphemeral()
	return audienceWorld{db: db, urls: urls, reg: reg, v: v, forms: models.NewFormStore(db, v),
		prefs: models.NewPreferenceStore(db, v, reg), au: models.NewAudienceStore(db, v, reg), sales: sales(reg, now)}
}

func TestAudiencesFollowTheLedgerAndTheObjectionList(t *testing.T) {
	now := time.Now()
	w := newAudienceWorld(t, now)
	db, reg, v, forms, prefs, au, a := w.db, w.reg, w.v, w.forms, w.prefs, w.au, w.sales
	ctx := context.Background()

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

// Audiences read the objections copied into consent_state; the copy
// follows the objection list whichever way a person and an objection meet:
// an objection older than the person's first sign-up (an erased person who
// comes back: a new subject), a phone given later that had opted out, an
// objection to one channel covering every box of that channel, and an
// objection the retention sweep drops.
func TestObjectionsReachTheConsentStateEveryWay(t *testing.T) {
	now := time.Now()
	w := newAudienceWorld(t, now)
	urls, reg, forms, au, a := w.urls, w.reg, w.forms, w.au, w.sales
	sup := models.NewSuppressionStore(w.db, w.v)
	ctx := context.Background()
	sms := models.Audience{Purpose: "ai_challenge", Kind: "sms"}
	offers := models.Audience{Purpose: "ai_challenge", Kind: "offers_sms"}
	calls := models.Audience{Purpose: "ai_challenge", Kind: "automated_calls"}
	submit := func(email, phone string, at time.Time) {
		t.Helper()
		if _, err := forms.Submit(ctx, challenger(t, reg, email, phone, at, "sms", "offers_sms", "automated_calls")); err != nil {
			t.Fatal(err)
		}
	}

	// Objected before we ever knew them: their first sign-up is suppressed.
	if err := sup.Record(ctx, reg, models.Suppression{Email: "back@example.com", Source: models.SuppressionFromRights, At: now}); err != nil {
		t.Fatal(err)
	}
	submit("back@example.com", "+33600000011", now)
	submit("plain@example.com", "", now)
	for _, box := range []models.Audience{sms, offers, calls} {
		if got := listed(t, au, a, box); has(got, "back@example.com") || !has(got, "plain@example.com") {
			t.Errorf("%s audience %v: the earlier objection is not applied to a new sign-up", box.Kind, got)
		}
	}

	// An SMS opt-out known by phone only, then the person gives that phone.
	if err := sup.Record(ctx, reg, models.Suppression{Phone: "+33600000012", Channel: policy.ChannelSMS, Source: models.SuppressionFromStaff, At: now}); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, au, a, sms); !has(got, "plain@example.com") {
		t.Fatalf("SMS audience %v lacks a person the opt-out does not name", got)
	}
	submit("plain@example.com", "+33600000012", now.Add(time.Minute))
	for _, box := range []models.Audience{sms, offers} {
		if got := listed(t, au, a, box); has(got, "plain@example.com") {
			t.Errorf("%s audience %v: the phone's SMS opt-out does not follow it to the person", box.Kind, got)
		}
	}
	if got := listed(t, au, a, calls); !has(got, "plain@example.com") {
		t.Errorf("automated calls audience %v: an SMS opt-out removed another channel", got)
	}

	// The retention sweep drops the SMS opt-out: the consent, still
	// current, counts again.
	owner, err := pgx.Connect(ctx, urls.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	var dropped int64
	if err := owner.QueryRow(ctx, `SELECT portal_retention_drop_suppression_ids(array_agg(id)) FROM suppressions WHERE channel = 'sms'`).Scan(&dropped); err != nil || dropped != 1 {
		t.Fatalf("dropping the opt-out: %d %v", dropped, err)
	}
	if got := listed(t, au, a, sms); !has(got, "plain@example.com") {
		t.Errorf("SMS audience %v: a dropped opt-out still suppresses", got)
	}
	var stale int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM consent_state cs
		WHERE cs.suppressed IS DISTINCT FROM portal_subject_suppressed(cs.subject_id)`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d consent_state rows disagree with the objection list (%v)", stale, err)
	}
}

// An objector is in no list and no export a sales user can draw, of any
// purpose: every audience of every channel box, every partner transmission,
// every records export; an objection to one channel takes the person out
// of every box of that channel, and of no other.
func TestAnObjectorIsInNoListNorExport(t *testing.T) {
	now := time.Now()
	w := newAudienceWorld(t, now)
	reg, forms, prefs, au, a := w.reg, w.forms, w.prefs, w.au, w.sales
	records := models.NewRecordStore(w.db, w.v)
	ctx := context.Background()
	people := []string{"objector@example.com", "keen@example.com"}

	// Both sign up on every form with a channel box sales may use, every
	// box ticked, double opt-ins confirmed.
	var boxes []models.Audience
	channel := map[models.Audience]string{}
	for _, pc := range reg.ChannelConsents() {
		if !reg.CanSee("sales", pc.Purpose.Key) {
			continue
		}
		box := models.Audience{Purpose: pc.Purpose.Key, Kind: pc.Consent.Kind}
		boxes, channel[box] = append(boxes, box), pc.Consent.Channel
	}
	signed := map[string]bool{}
	for _, box := range boxes {
		p, _ := reg.Purpose(box.Purpose)
		if signed[p.Key] {
			continue
		}
		signed[p.Key] = true
		for i, email := range people {
			var consents []models.ConsentChoice
			for _, c := range p.Form.Consents {
				consents = append(consents, models.ConsentChoice{Kind: c.Kind, Label: c.Label.EN, Granted: true})
			}
			phone := "+3360000002" + strconv.Itoa(i)
			in := models.FormSubmission{ID: uuid.New(), Purpose: p, PolicyVersion: reg.Version, Now: now, Email: email, Phone: phone,
				Fields: models.Fields{"email": email, "phone": phone, "first_name": "P", "last_name": "Q", "message": "hi"}, Consents: consents}
			if _, err := forms.Submit(ctx, in); err != nil {
				t.Fatal(err)
			}
			if p.Form.DoubleOptIn {
				if err := forms.ConfirmRecord(ctx, p, in.ID, now); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if len(boxes) < 3 || len(reg.Recipients.Partners.Purposes) == 0 {
		t.Fatalf("the registry gives sales %d channel boxes and %d partner purposes: nothing to test", len(boxes), len(reg.Recipients.Partners.Purposes))
	}
	partners := func() []string {
		var out []string
		for _, purpose := range reg.Recipients.Partners.Purposes {
			if !reg.CanSee("sales", purpose) {
				continue
			}
			if _, err := au.PartnerExport(ctx, a, purpose, "CPF Partner SAS", func(r models.AudienceRow) error {
				out = append(out, r.Fields["email"])
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	exported := func() []string {
		var out []string
		for _, purpose := range reg.PurposesFor("sales") {
			if err := records.Export(ctx, a, purpose, true, func(r models.ExportRow) error {
				out = append(out, r.Fields["email"])
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	// Before the objection both are everywhere: the checks below can fail.
	for _, box := range boxes {
		if got := listed(t, au, a, box); !has(got, people[0]) || !has(got, people[1]) {
			t.Fatalf("%s.%s before any objection: %v", box.Purpose, box.Kind, got)
		}
	}
	if got := partners(); !has(got, people[0]) {
		t.Fatalf("partner transmission before the objection: %v", got)
	}
	if got := exported(); !has(got, people[0]) {
		t.Fatalf("records exports before the objection: %v", got)
	}

	if err := prefs.Object(ctx, prefs.PersonOf(people[0]), models.SuppressAll, now); err != nil {
		t.Fatal(err)
	}
	for _, box := range boxes {
		if got := listed(t, au, a, box); has(got, people[0]) || !has(got, people[1]) {
			t.Errorf("%s.%s after the objection: %v", box.Purpose, box.Kind, got)
		}
	}
	if got := partners(); has(got, people[0]) || !has(got, people[1]) {
		t.Errorf("partner transmission after the objection: %v", got)
	}
	if got := exported(); has(got, people[0]) || !has(got, people[1]) {
		t.Errorf("records exports after the objection: %v", got)
	}

	// One channel: every box opening it, and only those.
	if err := prefs.Object(ctx, prefs.PersonOf(people[1]), policy.ChannelSMS, now); err != nil {
		t.Fatal(err)
	}
	for _, box := range boxes {
		got := listed(t, au, a, box)
		if sms := channel[box] == policy.ChannelSMS; has(got, people[1]) == sms {
			t.Errorf("%s.%s (channel %s) after an SMS opt-out: %v", box.Purpose, box.Kind, channel[box], got)
		}
	}
}

// The state follows the ledger per statement: one statement that adds
// several answers to the same boxes (out of time order, a person who
// objected among them) leaves, per box, the latest answer, and a new state
// row carries its person's objections.
// smsChallengers is a fresh database where each email has sent the AI
// challenge form with its SMS box ticked, at now.
func smsChallengers(t *testing.T, now time.Time, emails ...string) testdb.URLs {
	t.Helper()
	db, urls := testdb.Open(t)
	reg := registry(t)
	v, _ := vault.NewEphemeral()
	forms := models.NewFormStore(db, v)
	for _, email := range emails {
		if _, err := forms.Submit(context.Background(), challenger(t, reg, email, "", now, "sms")); err != nil {
			t.Fatal(err)
		}
	}
	return urls
}

func TestConsentStateFromOneStatementOfManyRows(t *testing.T) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	urls := smsChallengers(t, now, "one@example.com", "two@example.com")
	owner, err := pgx.Connect(ctx, urls.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	// A subject with no state yet, on the objection list for SMS.
	if _, err := owner.Exec(ctx, `INSERT INTO subjects (id, email_index) VALUES (gen_random_uuid(), '\x01');
		INSERT INTO suppressions (email_index, channel, source, created_at) VALUES ('\x01', 'sms', 'staff', now())`); err != nil {
		t.Fatal(err)
	}
	// Per subject and box: a withdrawal a minute later, a grant an hour
	// earlier, listed in that order in one statement.
	if _, err := owner.Exec(ctx, `INSERT INTO consents (subject_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
		SELECT s.id, 'ai_challenge', k.kind, k.granted, 'preferences', 'v', '\x00', $1::timestamptz + k.delta
		  FROM subjects s, (VALUES ('sms', false, interval '1 minute'), ('sms', true, interval '-1 hour'),
		                           ('whatsapp', true, interval '-1 hour'), ('whatsapp', true, interval '2 minutes')) AS k(kind, granted, delta)`, now); err != nil {
		t.Fatal(err)
	}
	var rows, wrong int
	if err := owner.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE cs.consent_id IS DISTINCT FROM l.id OR cs.granted IS DISTINCT FROM l.granted
			OR cs.suppressed IS DISTINCT FROM portal_subject_suppressed(l.subject_id))
		  FROM (SELECT DISTINCT ON (subject_id, purpose, kind) * FROM consents WHERE subject_id IS NOT NULL
		         ORDER BY subject_id, purpose, kind, created_at DESC, id DESC) l
		  LEFT JOIN consent_state cs USING (subject_id, purpose, kind)`).Scan(&rows, &wrong); err != nil {
		t.Fatal(err)
	}
	if rows < 6 || wrong != 0 {
		t.Errorf("%d of %d consent_state rows are not the latest ledger row with its objections", wrong, rows)
	}
	var sms []bool
	if err := owner.QueryRow(ctx, `SELECT array_agg(granted) FROM consent_state WHERE kind = 'sms'`).Scan(&sms); err != nil {
		t.Fatal(err)
	}
	if len(sms) != 3 || sms[0] || sms[1] || sms[2] {
		t.Errorf("SMS states %v: the later withdrawal must win over the earlier grant", sms)
	}
	var suppressed int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM consent_state WHERE suppressed = '{sms}'`).Scan(&suppressed); err != nil || suppressed != 2 {
		t.Errorf("%d state rows carry the SMS objection, want 2 (%v)", suppressed, err)
	}
}

// TestConsentStateGoesWithItsSubject: consent_state has no key of its own to
// subjects; a person deleted (erasure, retention) takes their ledger rows
// with them, and the ledger's trigger takes their state rows, while the
// other person's stay.
func TestConsentStateGoesWithItsSubject(t *testing.T) {
	urls := smsChallengers(t, time.Now().Truncate(time.Second), "gone@example.com", "kept@example.com")
	owner := testdb.OwnerAllPurposes(t, urls.Owner)
	var gone uuid.UUID
	if err := owner.QueryRow(`SELECT subject_id FROM records ORDER BY created_at, id LIMIT 1`).Scan(&gone); err != nil {
		t.Fatal(err)
	}
	var before int
	if err := owner.QueryRow(`SELECT count(*) FROM consent_state WHERE subject_id = $1`, gone).Scan(&before); err != nil || before == 0 {
		t.Fatalf("the person has %d state rows before (%v)", before, err)
	}
	if _, err := owner.Exec(`DELETE FROM subjects WHERE id = $1`, gone); err != nil {
		t.Fatal(err)
	}
	var left, others, orphans int
	if err := owner.QueryRow(`SELECT count(*) FILTER (WHERE subject_id = $1), count(*) FILTER (WHERE subject_id <> $1),
			count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM subjects s WHERE s.id = consent_state.subject_id))
		  FROM consent_state`, gone).Scan(&left, &others, &orphans); err != nil {
		t.Fatal(err)
	}
	if left != 0 || orphans != 0 || others != before {
		t.Errorf("after deleting a person: %d of their state rows left, %d orphans, %d of the other's (want 0, 0, %d)", left, orphans, others, before)
	}
}
