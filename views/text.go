package views

import (
	"context"
	"io"
	"strings"
)

// text writes a string as `{ s }` does, escaped as html.EscapeString escapes
// (& ' < > " and nothing else), but without the fmt.Sprint that templ runs
// on every `{ … }` expression (two allocations each, some fifty on the
// record page, the back-office's most requested one). Write `@text(s)`;
// attribute values keep templ's own escaping.
type text string

// Render writes s escaped: as it is when nothing in it needs escaping, the
// page's usual case, else through appendEscaped (the access log's rows
// escape the same way).
func (s text) Render(_ context.Context, w io.Writer) error {
	if !strings.ContainsAny(string(s), `&'<>"`) {
		_, err := io.WriteString(w, string(s))
		return err
	}
	return writeBuilt(w, func(b []byte) []byte { return appendEscaped(b, s) })
}
