package policy

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/i18n"
)

// A text is read from {en, fr}, said in the language asked, and exported
// with both languages.
func TestText(t *testing.T) {
	r := mustDefault(t)
	p, _ := r.Purpose("contact")
	if p.Title.EN != "Contact requests" || p.Title.FR != "Demandes de contact" {
		t.Fatalf("title = %+v", p.Title)
	}
	if got := p.Title.In(i18n.WithLang(context.Background(), i18n.EN)); got != "Contact requests" {
		t.Errorf("In(en) = %q", got)
	}
	if got := p.Title.In(context.Background()); got != "Demandes de contact" {
		t.Errorf("In(no language) = %q, want the French default", got)
	}
	js, err := json.Marshal(p.Title)
	if err != nil || string(js) != `{"en":"Contact requests","fr":"Demandes de contact"}` {
		t.Errorf("json = %s, %v", js, err)
	}
	if got := (Period{Months: 6, Days: 1}).Text(); got.EN != "6 months and 1 day" || got.FR != "6 mois et 1 jour" {
		t.Errorf("period = %+v", got)
	}
}

// Every text of the embedded registry is written in both languages, and
// the French follows French typography: no plain space before : ; ! ?
func TestEmbeddedTextsAreFrench(t *testing.T) {
	r := mustDefault(t)
	for _, c := range r.Cookies {
		for _, t2 := range []Text{c.Title, c.Description} {
			if t2.EN == "" || t2.FR == "" {
				t.Errorf("cookie category %s: %+v", c.Key, t2)
			}
		}
	}
	for i, line := range strings.Split(string(embedded), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, bad := range []string{" :", " ;", " !", " ?", "« ", " »"} {
			// English never puts a space there either: any hit is a mistake.
			if strings.Contains(line, bad) {
				t.Errorf("registry.yaml:%d: %q (use a non-breaking space)", i+1, bad)
			}
		}
	}
}

// The company's time zone comes from the registry, Europe/Paris by default.
func TestTimeZone(t *testing.T) {
	if z := mustDefault(t).Zone(); z.String() != i18n.DefaultZone {
		t.Errorf("embedded zone = %s", z)
	}
	r, err := Parse([]byte(minimalYAML), "")
	if err != nil {
		t.Fatal(err)
	}
	if z := r.Zone(); z.String() != i18n.DefaultZone {
		t.Errorf("zone without deployment.time_zone = %s", z)
	}
	r, err = Parse([]byte(strings.Replace(minimalYAML, "scripts: []\n", "deployment:\n  time_zone: America/Cayenne\nscripts: []\n", 1)), "")
	if err != nil {
		t.Fatal(err)
	}
	if z := r.Zone(); z.String() != "America/Cayenne" {
		t.Errorf("zone = %s", z)
	}
}
