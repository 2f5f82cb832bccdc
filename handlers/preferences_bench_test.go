package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/vault"
)

// BenchmarkPreferencesPage serves /preferences through its signed link to
// a person with five answered boxes and an objection, over HTTP, in a
// database of three thousand other people. Goal: p95 < 20 ms.
func BenchmarkPreferencesPage(b *testing.B) {
	var secrets *vault.Secrets
	s := newServer(b, func(d *handlers.Deps) { secrets = d.Secrets })
	ctx := context.Background()
	pu, _ := s.reg.Purpose("ai_challenge")
	forms := models.NewFormStore(s.db, s.vault)
	submit := func(email string) {
		var consents []models.ConsentChoice
		for i, c := range pu.Form.Consents {
			consents = append(consents, models.ConsentChoice{Kind: c.Kind, Label: c.Label.EN, Granted: c.Required || i%2 == 0})
		}
		if _, err := forms.Submit(ctx, models.FormSubmission{ID: uuid.New(), Purpose: pu, PolicyVersion: s.reg.Version, Now: time.Now(),
			Fields: models.Fields{"email": email, "first_name": "P"}, Email: email, Consents: consents}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 3000 {
		submit("other" + uuid.NewString()[:8] + string(rune('a'+i%26)) + "@example.org")
	}
	submit("ada@example.org")
	prefs := models.NewPreferenceStore(s.db, s.vault, s.reg)
	person := prefs.PersonOf("ada@example.org")
	if err := prefs.Object(ctx, person, models.SuppressAll, time.Now()); err != nil {
		b.Fatal(err)
	}
	link := s.URL + "/fr/preferences?" + models.SignPreferencesLink(secrets.Key("email-link"), person, time.Now().Add(time.Hour))
	if _, err := url.Parse(link); err != nil {
		b.Fatal(err)
	}
	client := s.Client()
	var d []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		res, err := client.Get(link)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d = append(d, time.Since(start))
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
}
