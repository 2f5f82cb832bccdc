package views

import (
	"context"
	"io"
)

// text writes a string as `{ s }` does, escaped as html.EscapeString escapes
// (& ' < > " and nothing else), but without the fmt.Sprint that templ runs
// on every `{ … }` expression (two allocations each, some fifty on the
// record page, the back-office's most requested one). Write `@text(s)`;
// attribute values keep templ's own escaping.
type text string

// Render writes s escaped, in runs between the characters it replaces.
func (s text) Render(_ context.Context, w io.Writer) error {
	rest := string(s)
	for i := 0; i < len(rest); i++ {
		var rep string
		switch rest[i] {
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		default:
			continue
		}
		if _, err := io.WriteString(w, rest[:i]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, rep); err != nil {
			return err
		}
		rest, i = rest[i+1:], -1
	}
	_, err := io.WriteString(w, rest)
	return err
}
