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

// The times written digit by digit are the bytes the layouts wrote: across
// centuries, both sides of a change of hour, zones with and without an
// abbreviation, years Go's layout writes otherwise.
func TestTimesWrittenByHandMatchTheirLayouts(t *testing.T) {
	noName := time.FixedZone("", 5*3600+30*60)
	zones := []*time.Location{paris, time.UTC, noName, mustZone("America/New_York")}
	moments := []time.Time{
		time.Date(2026, 3, 29, 0, 59, 59, 999999999, time.UTC), // Paris: the hour before summer time
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 58, 0, time.UTC),
		time.Date(9, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	for i := range 200 {
		moments = append(moments, time.Unix(int64(i)*7_919_993+int64(i*i)*104_729, 0))
	}
	for _, m := range moments {
		if got, want := string(AppendStamp(nil, m)), m.UTC().Format(time.RFC3339); got != want {
			t.Errorf("stamp of %v: %q, want %q", m, got, want)
		}
		for _, loc := range zones {
			in := m.In(loc)
			for _, l := range []Lang{EN, FR} {
				sep := ", "
				if l == FR {
					sep = " à "
				}
				want := string(appendDay(nil, l, in.Year(), in.Month(), in.Day())) + sep + in.Format("15:04 MST")
				if got := string(AppendTime(nil, l, loc, m)); got != want {
					t.Errorf("%v in %v, %s: %q, want %q", m, loc, l, got, want)
				}
			}
		}
	}
}
