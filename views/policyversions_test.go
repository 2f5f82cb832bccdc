package views_test

import (
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/internal/policyfixture"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// The diff names exactly the facts that changed: the fixture's new version
// shortens one retention period, adds a processor and adds a cookie.
func TestDiffPolicies(t *testing.T) {
	old, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := policy.Load(policyfixture.TwoVersions(t))
	if err != nil {
		t.Fatal(err)
	}
	if ch := views.DiffPolicies(old, old); len(ch) != 0 {
		t.Errorf("a version differs from itself: %+v", ch)
	}
	ch := views.DiffPolicies(old, cur)
	if len(ch) != 3 {
		t.Fatalf("%d changes, want 3: %+v", len(ch), ch)
	}
	contact, _ := cur.Purpose("contact")
	if ch[0].Area.EN != "Retention" || ch[0].What != contact.Title || ch[0].After != views.RetentionText(contact.Retention) || ch[0].After.FR == "" {
		t.Errorf("retention change: %+v", ch[0])
	}
	if ch[1].What.EN != "Processors" || ch[1].After.EN != "Mailjet" || !ch[1].Before.IsZero() {
		t.Errorf("processor change: %+v", ch[1])
	}
	if ch[2].Area.EN != "Cookies" || ch[2].What.EN != "pp_audience_visit" || !ch[2].Before.IsZero() {
		t.Errorf("cookie change: %+v", ch[2])
	}
}

// The notice of a material change says what changed and links to the diff.
func TestPolicyNoticeEmail(t *testing.T) {
	cur, err := policy.Load(policyfixture.TwoVersions(t))
	if err != nil {
		t.Fatal(err)
	}
	subject, body := views.PolicyNoticeEmail(i18n.EN, cur, "https://portal.example")
	for _, want := range []string{cur.History[1].Summary.EN, "https://portal.example/en/privacy/versions/" + cur.Version + "/changes", cur.DPO.Email} {
		if !strings.Contains(body, want) {
			t.Errorf("the notice lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(subject, "privacy policy") {
		t.Errorf("subject %q", subject)
	}
}

// BenchmarkDiffAndROPA measures what the start-up and the DPO's download pay:
// the record of processing in JSON, and a diff of two versions.
func BenchmarkDiffAndROPA(b *testing.B) {
	old, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	cur, err := policy.Load(policyfixture.TwoVersions(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ropa json", func(b *testing.B) {
		for b.Loop() {
			var sb strings.Builder
			if err := views.NewROPA(cur, i18n.FR).WriteJSON(&sb); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("diff", func(b *testing.B) {
		for b.Loop() {
			views.DiffPolicies(old, cur)
		}
	})
}
