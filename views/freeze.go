package views

import (
	"bytes"
	"context"
	"io"

	"github.com/a-h/templ"

	"github.com/alegria/privacy-portal/i18n"
)

// Freeze renders c once in each language and returns a component that
// writes the same bytes every time, in the language of the request. It is
// for content that depends on the registry and the language alone (the
// policy, the cookie declaration): the registry cannot change while the
// process runs, so rendering it per request would only burn CPU. Nothing
// request-specific (nonce, visitor, path) may live inside c.
func Freeze(c templ.Component) (templ.Component, error) {
	pages := map[i18n.Lang][]byte{}
	for _, l := range i18n.All {
		var buf bytes.Buffer
		if err := c.Render(i18n.WithLang(context.Background(), l), &buf); err != nil {
			return nil, err
		}
		pages[l] = buf.Bytes()
	}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, err := w.Write(pages[i18n.From(ctx)])
		return err
	}), nil
}
