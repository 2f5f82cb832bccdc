package views

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/net/html/atom"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
)

// The log's rows are written by hand (accessRows), not by templ: every
// stored value a request could have put there (a staff member's name, an
// address, a user agent, an unknown code) must still reach the page as text,
// never as markup.
func TestAccessLogPageEscapesEveryStoredValue(t *testing.T) {
	at := time.Date(2026, 11, 29, 17, 35, 0, 0, time.UTC)
	staff := uuid.MustParse("11111111-2222-4333-8444-555555555555")
	rec := uuid.MustParse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
	rows := []models.AccessRow{
		{ID: 42, At: at, StaffID: &staff, StaffName: "Ada " + xss, Role: "sales" + xss, Action: models.ActionView,
			Purpose: "contact" + xss, RecordID: &rec, IP: `"><img src=x onerror=alert(1)>`, UserAgent: xss,
			Outcome: models.OutcomeOK, Restricted: true},
		{ID: 41, At: at, Action: "odd" + xss, Outcome: "odd'" + xss},
	}
	anomalies, err := Freeze(AccessAnomalies([]models.Anomaly{{Kind: "odd" + xss, StaffName: "Bob " + xss, Period: at, Count: 51}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.All {
		t.Run(string(l), func(t *testing.T) {
			v := AccessLogView{Rows: rows, Anomalies: anomalies, Chart: AccessChart(Chart{}),
				Staff: []StaffAccount{{ID: staff, Name: "Eve " + xss}}, Actions: models.Actions,
				Filter: AccessLogFilter{Staff: staff.String(), Action: models.ActionView}}
			p := renderIn(t, l, AdminAccessLog(StaffPage{Title: "log"}, v))
			if n := len(p.tag(atom.Script)); n != 0 {
				t.Fatalf("stored values injected %d <script> elements", n)
			}
			if n := len(p.tag(atom.Img)); n != 0 {
				t.Fatalf("an address injected %d <img> elements", n)
			}
			for _, want := range []string{"Ada " + xss, "sales" + xss, "contact" + xss, `"><img src=x onerror=alert(1)>`,
				"odd" + xss, "odd'" + xss, "Bob " + xss, "Eve " + xss} {
				if !p.hasText(want) {
					t.Errorf("%q is not shown as text", want)
				}
			}
			// The first row, cell by cell, as the template wrote it.
			when, restricted, viewed, ok := "29 Nov 2026, 18:35 CET", "restricted", "view", "ok"
			if l == i18n.FR {
				when, restricted, viewed, ok = "29 nov. 2026 à 18:35 CET", "limité", "consultation", "réussi"
			}
			row := `<tr><td>42</td><td><time datetime="2026-11-29T17:35:00Z">` + when + `</time></td>` +
				`<td>Ada &lt;script&gt;alert(1)&lt;/script&gt;</td><td>sales&lt;script&gt;alert(1)&lt;/script&gt;</td>` +
				`<td>` + viewed + ` <span class="badge badge-optional">` + restricted + `</span></td>` +
				`<td>contact&lt;script&gt;alert(1)&lt;/script&gt;</td>` +
				`<td class="font-mono text-xs">0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b</td><td class="font-mono text-xs">—</td>` +
				`<td>` + ok + `</td><td>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</td></tr>`
			if !strings.Contains(p.raw, row) {
				t.Errorf("first row not written as expected; want %s in\n%s", row, p.raw)
			}
			if strings.Count(p.raw, "alert(1)") != 9 {
				t.Errorf("the page shows %d injected values, want 9 (the user agent is not shown)", strings.Count(p.raw, "alert(1)"))
			}
			// The filter keeps what was chosen.
			for _, want := range []string{`<option value="` + staff.String() + `" selected>Eve &lt;script&gt;`, `<option value="view" selected>`} {
				if !strings.Contains(p.raw, want) {
					t.Errorf("the filter does not keep %s", want)
				}
			}
		})
	}
}

// The rows' escaping is html.EscapeString's, byte for byte.
func TestAppendEscapedIsEscapeString(t *testing.T) {
	for _, s := range []string{"", "plain", xss, `a&b<c>d"e'f`, "&&", "<", "é’\u00a0<ü>", "tail&", "'lead", "\x00\xff<"} {
		if got, want := string(appendEscaped(nil, s)), html.EscapeString(s); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
		if got, want := string(appendEscaped([]byte("x"), []byte(s))), "x"+html.EscapeString(s); got != want {
			t.Errorf("%q as bytes: %q, want %q", s, got, want)
		}
	}
}
