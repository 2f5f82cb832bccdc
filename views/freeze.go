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

// noncePlaceholder stands for the CSP nonce in a pre-rendered page: only
// letters and digits, so templ writes it as is, and nothing a page says.
const noncePlaceholder = "NoncePlaceholder7Qz9Kf3Lw0Vb2Rt5Xc"

// SplicedPage is a whole page rendered once, with the places of the CSP
// nonce cut out: each request writes it back with its own fresh nonce, so
// the nonce stays per response while the page costs no rendering.
type SplicedPage struct {
	parts [][]byte // the bytes between two nonces
	size  int      // sum of len(parts)
}

// Splice renders c in ctx (its language) with a placeholder nonce and cuts
// the page at each of its places. Like Freeze, nothing else request-specific
// may live in c beyond what the caller keys its copies by.
func Splice(ctx context.Context, c templ.Component) (*SplicedPage, error) {
	var buf bytes.Buffer
	if err := c.Render(templ.WithNonce(ctx, noncePlaceholder), &buf); err != nil {
		return nil, err
	}
	p := &SplicedPage{parts: bytes.Split(buf.Bytes(), []byte(noncePlaceholder))}
	for _, part := range p.parts {
		p.size += len(part)
	}
	return p, nil
}

// Len is the length of the page written with a nonce of nonceLen bytes.
func (p *SplicedPage) Len(nonceLen int) int { return p.size + nonceLen*(len(p.parts)-1) }

// WriteTo writes the page with nonce in every place it was cut.
func (p *SplicedPage) WriteTo(w io.Writer, nonce string) error {
	for i, part := range p.parts {
		if i > 0 {
			if _, err := io.WriteString(w, nonce); err != nil {
				return err
			}
		}
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}
