package views

import (
	"bytes"
	"context"
	"io"

	"github.com/a-h/templ"
)

// Freeze renders c once and returns a component that writes the same bytes
// every time. It is for content that depends on the registry alone (the
// policy, the cookie declaration): the registry cannot change while the
// process runs, so rendering it per request would only burn CPU. Nothing
// request-specific (nonce, visitor, path) may live inside c.
func Freeze(c templ.Component) (templ.Component, error) {
	return FreezeIn(context.Background(), c)
}

// FreezeIn is Freeze with ctx rendering c: a public page is frozen once per
// language (i18n.WithLang).
func FreezeIn(ctx context.Context, c templ.Component) (templ.Component, error) {
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		return nil, err
	}
	html := buf.Bytes()
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(html)
		return err
	}), nil
}
