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

// ChoiceKeyPlaceholder stands, the same way, for the idempotency key of the
// banner's form (ConsentState.ChoiceKey), fresh per response too: a page to
// splice is built with it as its key.
const ChoiceKeyPlaceholder = "ChoiceKeyPlaceholder5Jw2Pn8Ys4Gd"

// SplicedPage is a whole page rendered once, with the places of the CSP
// nonce and of the choice key cut out: each request writes it back with its
// own fresh values, so they stay per response while the page costs no
// rendering.
type SplicedPage struct {
	parts [][]byte // the bytes between two cuts
	keys  []bool   // keys[i]: the cut after parts[i] is the choice key (else the nonce)
	size  int      // sum of len(parts)
	nKeys int      // cuts that are the choice key
}

// Splice renders c in ctx (its language) with a placeholder nonce (and c
// built with ChoiceKeyPlaceholder as its choice key) and cuts the page at
// each of their places. Like Freeze, nothing else request-specific may live
// in c beyond what the caller keys its copies by.
func Splice(ctx context.Context, c templ.Component) (*SplicedPage, error) {
	var buf bytes.Buffer
	if err := c.Render(templ.WithNonce(ctx, noncePlaceholder), &buf); err != nil {
		return nil, err
	}
	p := &SplicedPage{}
	b := buf.Bytes()
	for {
		n, k := bytes.Index(b, []byte(noncePlaceholder)), bytes.Index(b, []byte(ChoiceKeyPlaceholder))
		if n < 0 && k < 0 {
			break
		}
		cut, isKey, skip := n, false, len(noncePlaceholder)
		if n < 0 || (k >= 0 && k < n) {
			cut, isKey, skip = k, true, len(ChoiceKeyPlaceholder)
			p.nKeys++
		}
		p.parts, p.keys = append(p.parts, b[:cut]), append(p.keys, isKey)
		b = b[cut+skip:]
	}
	p.parts = append(p.parts, b)
	for _, part := range p.parts {
		p.size += len(part)
	}
	return p, nil
}

// Len is the length of the page written with a nonce of nonceLen bytes and
// a choice key of keyLen.
func (p *SplicedPage) Len(nonceLen, keyLen int) int {
	return p.size + nonceLen*(len(p.keys)-p.nKeys) + keyLen*p.nKeys
}

// WriteTo writes the page with nonce and key in every place it was cut.
func (p *SplicedPage) WriteTo(w io.Writer, nonce, key string) error {
	for i, part := range p.parts {
		if i > 0 {
			v := nonce
			if p.keys[i-1] {
				v = key
			}
			if _, err := io.WriteString(w, v); err != nil {
				return err
			}
		}
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}
