package views

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/i18n"
)

// text must write exactly what templ's `{ s }` writes (html.EscapeString),
// so that a page moved to @text reads the same, byte for byte.
func TestTextEscapesAsTempl(t *testing.T) {
	for _, s := range []string{"", "plain", "l'équipe", `<script>alert("x")</script>`, "a & b", "&&''<<>>\"\"",
		"fin&", "<début", "é\u00a0ü — ok", "\x00nul"} {
		var b strings.Builder
		if err := text(s).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if got, want := b.String(), html.EscapeString(s); got != want {
			t.Errorf("text(%q) wrote %q, want %q", s, got, want)
		}
	}
}

// The record page escapes every value it shows (the person's answers, the
// note, a file's name, the registry's labels) and still says each file's
// size, in both languages.
func TestRecordPageEscapesEverything(t *testing.T) {
	reg := hostileRegistry()
	p := &reg.Purposes[0]
	v := RecordView{Purpose: p, CanEdit: true, Saved: true,
		Record: RecordInfo{Status: "new" + xss, Note: "note " + xss, Restricted: true,
			Attachments: []AttachmentLink{{Filename: "cv" + xss + ".pdf", Size: 2048}}},
		Fields: []FieldRow{{Label: "Label " + xss, Value: "l'avis \"" + xss + "\" & co"}},
		Consents: &SubjectConsentView{Rows: []SubjectConsentRow{{PurposeTitle: "Purpose " + xss, Label: "Box " + xss,
			Channel: "sms", Granted: true}}, CanRecordCall: true}}
	for _, l := range i18n.All {
		ctx := i18n.WithLang(context.Background(), l)
		var b strings.Builder
		if err := AdminRecord(StaffPage{Title: "T", StaffName: "S"}, v).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		if strings.Contains(page, "<script>") || strings.Contains(page, "@text(") {
			t.Errorf("%s: unescaped text or a literal @text( in the page", l)
		}
		for _, want := range []string{"cv" + html.EscapeString(xss) + ".pdf", "note " + html.EscapeString(xss),
			html.EscapeString("l'avis \"" + xss + "\" & co"), "(" + html.EscapeString(txtBytes.F(ctx, int64(2048))) + ")",
			"Purpose " + html.EscapeString(xss)} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", l, want)
			}
		}
	}
}
