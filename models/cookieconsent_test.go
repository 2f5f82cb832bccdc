package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
)

func TestNewCookieChoice(t *testing.T) {
	reg := registry(t)
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		action models.CookieAction
		in     []string
		want   []string
		err    error
	}{
		{models.CookieAcceptAll, []string{"ignored"}, []string{"audience", "marketing"}, nil},
		{models.CookieRejectAll, []string{"audience"}, []string{}, nil},
		{models.CookieWithdraw, nil, []string{}, nil},
		{models.CookieGPC, nil, []string{}, nil},
		{models.CookieCustom, []string{"marketing", "audience", "audience"}, []string{"audience", "marketing"}, nil},
		{models.CookieCustom, []string{"necessary"}, nil, models.ErrUnknownCookieCategory},
		{models.CookieCustom, []string{"tracking"}, nil, models.ErrUnknownCookieCategory},
		{"sell", nil, nil, models.ErrUnknownCookieAction},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.action, c.in), func(t *testing.T) {
			got, err := models.NewCookieChoice(reg, uuid.Nil, c.action, c.in, now)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if err != nil {
				return
			}
			if !slices.Equal(got.Categories, c.want) || got.ID == uuid.Nil || got.PolicyVersion != reg.Version || !got.At.Equal(now) {
				t.Errorf("choice %+v, want categories %v", got, c.want)
			}
		})
	}
	if _, err := models.ParseCookieAction("gpc"); err == nil {
		t.Error("gpc must not be accepted from a form")
	}
}

func TestCookieChoiceExpiry(t *testing.T) {
	reg := registry(t)
	at := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	choice, err := models.NewCookieChoice(reg, uuid.Nil, models.CookieAcceptAll, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	material := *reg
	material.Version, material.Material = "2099.1", true
	minor := *reg
	minor.Version, minor.Material = "2099.2", false
	cases := []struct {
		name string
		reg  *policy.Registry
		now  time.Time
		want bool
	}{
		{"just made", reg, at, true},
		{"five months on", reg, at.AddDate(0, 5, 0), true},
		{"a day before six months", reg, models.ChoiceLifetime.After(at).Add(-24 * time.Hour), true},
		{"six months on", reg, models.ChoiceLifetime.After(at), false},
		{"from the future", reg, at.Add(-time.Hour), false},
		{"material policy change", &material, at.Add(time.Hour), false},
		{"minor policy change", &minor, at.Add(time.Hour), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := choice.Current(c.reg, c.now); got != c.want {
				t.Errorf("Current = %v, want %v", got, c.want)
			}
		})
	}
	if (models.CookieChoice{}).Current(reg, at) {
		t.Error("the zero choice counts as a choice")
	}
}

func TestTruncateIP(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.77":               "203.0.113.0/24",
		"2001:db8:abcd:12:1:2:3:4":   "2001:db8:abcd::/48",
		"::ffff:198.51.100.9":        "198.51.100.0/24",
		"fe80::1%eth0":               "fe80::/48",
		"not an address":             "invalid Prefix",
		"":                           "invalid Prefix",
		"2001:db8:abcd:ffff:ffff::1": "2001:db8:abcd::/48",
	} {
		if got := models.TruncateIP(in).String(); got != want {
			t.Errorf("TruncateIP(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCookieLedger(t *testing.T) {
	db, _ := testdb.Open(t)
	reg := registry(t)
	ctx := context.Background()
	l := models.NewCookieLedger(db)
	day1 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

	t.Run("concurrent appends are all committed", func(t *testing.T) {
		actions := []models.CookieAction{models.CookieAcceptAll, models.CookieAcceptAll, models.CookieRejectAll, models.CookieCustom}
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := range 200 {
			wg.Go(func() {
				c, err := models.NewCookieChoice(reg, uuid.Nil, actions[i%4], []string{"audience"}, day1.Add(time.Duration(i)*time.Second))
				if err == nil {
					_, err = l.Append(ctx, models.NewCookieConsent(c, "203.0.113.9", "UA"))
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		stats, err := db.CookieConsentStats(ctx, day1.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) != 1 || stats[0].Total != 200 || stats[0].Accept != 100 || stats[0].Reject != 50 || stats[0].Custom != 50 {
			t.Fatalf("stats %+v: want 200 rows, 100 accept, 50 reject, 50 custom", stats)
		}
		if r := stats[0].Rate(stats[0].Accept); r != 0.5 {
			t.Errorf("accept rate %v, want 0.5", r)
		}
	})

	t.Run("a row is the proof of one choice", func(t *testing.T) {
		c, _ := models.NewCookieChoice(reg, uuid.Nil, models.CookieCustom, []string{"audience"}, day1.AddDate(0, 0, 1))
		if _, err := l.Append(ctx, models.NewCookieConsent(c, "2001:db8:1:2::5", "Mozilla/5.0")); err != nil {
			t.Fatal(err)
		}
		rows, err := db.CookieConsentsOf(ctx, c.ID.String())
		if err != nil || len(rows) != 1 {
			t.Fatalf("rows %v, %v", rows, err)
		}
		r := rows[0]
		if r.ID != c.ID || !slices.Equal(r.Categories, []string{"audience"}) || r.Action != models.CookieCustom ||
			r.PolicyVersion != reg.Version || !r.At.Equal(c.At) || r.IPPrefix.String() != "2001:db8:1::/48" || len(r.UAHash) != 32 {
			t.Errorf("row %+v does not match the choice %+v", r, c)
		}
	})

	t.Run("no address and no agent", func(t *testing.T) {
		c, _ := models.NewCookieChoice(reg, uuid.Nil, models.CookieRejectAll, nil, day1)
		if _, err := l.Append(ctx, models.NewCookieConsent(c, "", "")); err != nil {
			t.Fatal(err)
		}
		rows, _ := db.CookieConsentsOf(ctx, c.ID.String())
		if len(rows) != 1 || rows[0].IPPrefix.IsValid() || rows[0].UAHash != nil || len(rows[0].Categories) != 0 {
			t.Errorf("rows %+v", rows)
		}
	})

	t.Run("append-only for the application", func(t *testing.T) {
		for _, q := range []string{"UPDATE cookie_consents SET action = 'accept_all'", "DELETE FROM cookie_consents", "TRUNCATE cookie_consents"} {
			if _, err := db.Pool.Exec(ctx, q); err == nil {
				t.Errorf("portal_app could run %q", q)
			}
		}
	})

	t.Run("the schema refuses a full address", func(t *testing.T) {
		_, err := db.Pool.Exec(ctx, `INSERT INTO cookie_consents (consent_id, categories, action, policy_version, ip_prefix, created_at)
			VALUES (gen_random_uuid(), '{}', 'reject_all', 'x', '203.0.113.9/32', now())`)
		if err == nil {
			t.Error("a /32 was stored")
		}
		_, err = db.Pool.Exec(ctx, `INSERT INTO cookie_consents (consent_id, categories, action, policy_version, created_at)
			VALUES (gen_random_uuid(), '{}', 'sold', 'x', now())`)
		if err == nil {
			t.Error("an unknown action was stored")
		}
	})
}

// The proofs of cookie choices are connection data: they are deleted once
// the registry's connection_data period has passed, and not before.
func TestPruneCookieProofs(t *testing.T) {
	db, _ := testdb.Open(t)
	reg := registry(t)
	ctx := context.Background()
	l := models.NewCookieLedger(db)
	rt := reg.ConnectionData.Retention
	now := time.Now()
	old := rt.ExpiresAt(now).Sub(now) + 48*time.Hour // a little beyond the period
	for _, at := range []time.Time{now.Add(-old), now.Add(-time.Hour)} {
		_, err := db.Pool.Exec(ctx, `INSERT INTO cookie_consents (consent_id, categories, action, policy_version, created_at)
			VALUES (gen_random_uuid(), '{}', 'reject_all', 'x', $1)`, at)
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := l.PruneCookieProofs(ctx, rt)
	if err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cookie_consents`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if n != 1 || left != 1 {
		t.Errorf("pruned %d, %d left: want the old proof gone and the recent one kept", n, left)
	}
}

// A cookie choice posted again with its key (the answer was lost) is
// answered with the proof already stored: one row per click, whether the
// retry comes after the commit or in the same batch; another choice sent
// with the same key (another button of one rendering) is a proof of its own.
func TestCookieLedgerIdempotency(t *testing.T) {
	db, _ := testdb.Open(t)
	reg := registry(t)
	ctx := context.Background()
	l := models.NewCookieLedger(db)
	now := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	click := uuid.New()
	choose := func(action models.CookieAction, at time.Time) models.CookieConsent {
		c, err := models.NewCookieChoice(reg, uuid.Nil, action, nil, at)
		if err != nil {
			t.Fatal(err)
		}
		return models.NewCookieConsent(c, "203.0.113.9", "UA").WithIdempotencyKey(click)
	}
	count := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cookie_consents`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	first, err := l.Append(ctx, choose(models.CookieAcceptAll, now))
	if err != nil {
		t.Fatal(err)
	}
	if first.ProofID == 0 {
		t.Fatal("a keyed proof came back without its id")
	}
	// The retry draws a new consent id and time, as a browser that lost
	// the first answer's cookie would: it gets the first proof back.
	again, err := l.Append(ctx, choose(models.CookieAcceptAll, now.Add(time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if again.ProofID != first.ProofID || again.ID != first.ID || !again.At.Equal(first.At) || again.Action != models.CookieAcceptAll ||
		!slices.Equal(again.Categories, first.Categories) {
		t.Errorf("retry answered %+v, want the stored proof %+v", again, first)
	}
	if n := count(); n != 1 {
		t.Errorf("%d rows after a retry, want 1", n)
	}

	// Another button of the same rendering: a choice of its own.
	other, err := l.Append(ctx, choose(models.CookieRejectAll, now))
	if err != nil {
		t.Fatal(err)
	}
	if other.ProofID == first.ProofID || other.Action != models.CookieRejectAll {
		t.Errorf("another choice under the same key answered %+v", other)
	}

	// Retries queued together with their original, from many goroutines.
	burst := uuid.New()
	var wg sync.WaitGroup
	proofs := make(chan models.CookieConsent, 20)
	for range 20 {
		wg.Go(func() {
			c, _ := models.NewCookieChoice(reg, uuid.Nil, models.CookieCustom, []string{"audience"}, now)
			p, err := l.Append(ctx, models.NewCookieConsent(c, "", "").WithIdempotencyKey(burst))
			if err != nil {
				t.Error(err)
			}
			proofs <- p
		})
	}
	wg.Wait()
	close(proofs)
	ids, consentIDs := map[int64]bool{}, map[uuid.UUID]bool{}
	for p := range proofs {
		ids[p.ProofID], consentIDs[p.ID] = true, true
	}
	if len(ids) != 1 || ids[0] || len(consentIDs) != 1 {
		t.Errorf("20 posts of one click answered proofs %v and consent ids %v, want one of each", ids, consentIDs)
	}
	if n := count(); n != 3 {
		t.Errorf("%d rows, want 3 (accept, reject, one custom)", n)
	}
}

// The ledger writes its batch in PostgreSQL's binary format itself: every
// kind of value a row holds (no address, IPv6, no agent, no or several
// categories, a key or none, nanoseconds, another zone, before 2000) is
// stored as it was given, in batches of one and of many.
func TestCookieLedgerWireFormat(t *testing.T) {
	db, _ := testdb.Open(t)
	ctx := context.Background()
	l := models.NewCookieLedger(db)
	paris, _ := time.LoadLocation("Europe/Paris")
	at := time.Date(2026, 11, 2, 10, 0, 0, 123456789, time.UTC)
	choice := func(action models.CookieAction, cats []string, at time.Time) models.CookieChoice {
		return models.CookieChoice{ID: uuid.New(), Categories: cats, Action: action, PolicyVersion: "2026.1", At: at}
	}
	rows := []models.CookieConsent{
		models.NewCookieConsent(choice(models.CookieAcceptAll, []string{"audience", "marketing"}, at), "203.0.113.9", "UA"),
		models.NewCookieConsent(choice(models.CookieRejectAll, []string{}, at.In(paris)), "2001:db8:1:2::9", ""),
		models.NewCookieConsent(choice(models.CookieGPC, nil, time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC)), "not an address", "Mozilla"),
		models.NewCookieConsent(choice(models.CookieCustom, []string{"audience"}, at), "198.51.100.7", "é").WithIdempotencyKey(uuid.New()),
	}
	for _, batched := range []bool{false, true} {
		stored := make([]models.CookieConsent, len(rows))
		var wg sync.WaitGroup
		errs := make([]error, len(rows))
		for i, r := range rows {
			r.ID = uuid.New()
			r.IdemKey = uuid.Nil
			if i == 3 {
				r = r.WithIdempotencyKey(uuid.New())
			}
			rows[i] = r
			if batched {
				wg.Go(func() { stored[i], errs[i] = l.Append(ctx, r) })
			} else {
				stored[i], errs[i] = l.Append(ctx, r)
			}
		}
		wg.Wait()
		for i, want := range rows {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if (want.IdemKey != uuid.Nil) != (stored[i].ProofID != 0) || stored[i].IdemKey != want.IdemKey {
				t.Errorf("row %d: proof %d for key %v", i, stored[i].ProofID, want.IdemKey)
			}
			got, err := db.CookieConsentsOf(ctx, want.ID.String())
			if err != nil || len(got) != 1 {
				t.Fatalf("row %d: %d rows, %v", i, len(got), err)
			}
			g := got[0]
			wantCats := want.Categories
			if wantCats == nil {
				wantCats = []string{}
			}
			if !slices.Equal(g.Categories, wantCats) || g.Action != want.Action || g.PolicyVersion != want.PolicyVersion ||
				g.IPPrefix != want.IPPrefix || string(g.UAHash) != string(want.UAHash) || (g.UAHash == nil) != (want.UAHash == nil) ||
				!g.At.Equal(want.At.Truncate(time.Microsecond)) {
				t.Errorf("row %d (batched %v): stored %+v, want %+v", i, batched, g, want)
			}
		}
	}
}
