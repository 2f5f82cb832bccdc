package views

import (
	"context"
	"html"
	"strings"
	"testing"
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
