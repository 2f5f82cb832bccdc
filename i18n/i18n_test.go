package i18n

import (
	"context"
	"testing"
	"time"
)

func TestMatchFollowsAcceptLanguage(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                        FR,
		"en-GB,en;q=0.9":          EN,
		"fr-FR,fr;q=0.9,en;q=0.8": FR,
		"de-DE,en;q=0.5":          EN,
		"de-DE":                   FR,
		"en;q=0.2,fr;q=0.9":       FR,
		"*":                       FR,
		"not a header;;;q=x":      FR,
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestNewRefusesAMissingTranslation(t *testing.T) {
	for _, pair := range [][2]string{{"Save", ""}, {"", "Enregistrer"}, {"Save", "  "}, {"%d days", "jours"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%q, %q) did not panic", pair[0], pair[1])
				}
			}()
			New(pair[0], pair[1])
		}()
	}
	m := New("%d days left", "%d jours restants")
	if got := m.F(WithLang(context.Background(), FR), 3); got != "3 jours restants" {
		t.Errorf("F in French = %q", got)
	}
	if got := m.F(WithLang(context.Background(), EN), 3); got != "3 days left" {
		t.Errorf("F in English = %q", got)
	}
}

func TestTimesAreShownInParisWithTheZoneNamed(t *testing.T) {
	winter := time.Date(2026, 11, 29, 17, 35, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 14, 10, 0, 0, 0, time.UTC)
	fr := WithLang(context.Background(), FR)
	en := WithLang(context.Background(), EN)
	for _, c := range []struct {
		ctx  context.Context
		t    time.Time
		want string
	}{
		{fr, winter, "29 nov. 2026 à 18:35 CET"},
		{en, winter, "29 Nov 2026, 18:35 CET"},
		{fr, summer, "14 juil. 2026 à 12:00 CEST"},
	} {
		if got := Time(c.ctx, c.t); got != c.want {
			t.Errorf("Time = %q, want %q", got, c.want)
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	if got := Time(WithZone(en, ny), winter); got != "29 Nov 2026, 12:35 EST" {
		t.Errorf("Time in another zone = %q", got)
	}
}

func TestTheCompanyZoneAppliesWhereNoRequestNamesOne(t *testing.T) {
	t.Cleanup(func() { companyZone.Store(nil) })
	at := time.Date(2026, 11, 29, 17, 35, 0, 0, time.UTC)
	en := WithLang(context.Background(), EN)
	if got := Time(en, at); got != "29 Nov 2026, 18:35 CET" {
		t.Fatalf("before SetCompanyZone: %q", got)
	}
	martinique, _ := time.LoadLocation("America/Martinique")
	SetCompanyZone(martinique)
	if got := Time(en, at); got != "29 Nov 2026, 13:35 AST" {
		t.Errorf("company zone not applied: %q", got)
	}
	if got := Time(WithZone(en, paris), at); got != "29 Nov 2026, 18:35 CET" {
		t.Errorf("a zone on the context must win: %q", got)
	}
}
