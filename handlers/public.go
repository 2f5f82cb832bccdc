package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// publicHandler serves the pages anyone can read. Their bodies depend on
// the registry and the language alone, so they are rendered once per
// language, at start-up; each whole page (layout, banner, gated scripts) is
// rendered once per variant of the visitor's consent and written back with
// the request's own CSP nonce.
type publicHandler struct {
	reg                    *policy.Registry
	home, privacy, cookies templ.Component
	pages                  splicedPages
}

func newPublicHandler(reg *policy.Registry, log *slog.Logger) *publicHandler {
	return &publicHandler{
		reg:     reg,
		home:    frozen(views.HomeContent(reg), log),
		privacy: frozen(views.PrivacyContent(reg), log),
		cookies: frozen(views.CookiesContent(reg), log),
	}
}

// frozen pre-renders c in each language (views.Freeze); should that fail,
// the page is rendered per request instead, and the failure shows there
// through the error handler.
func frozen(c templ.Component, log *slog.Logger) templ.Component {
	f, err := views.Freeze(c)
	if err != nil {
		log.Error("pre-rendering a public page failed", "error", err)
		return c
	}
	return f
}

func (h *publicHandler) showHome(c echo.Context) error {
	return h.serve(c, views.TitleHome, views.DescHome, h.home)
}

func (h *publicHandler) showPrivacy(c echo.Context) error {
	return h.serve(c, views.TitlePrivacy, views.DescPrivacy, h.privacy)
}

func (h *publicHandler) showCookies(c echo.Context) error {
	return h.serve(c, views.TitleCookies, views.DescCookies, h.cookies)
}

// serve writes the whole page of body from its spliced copy for this
// request's variant, rendering that copy the first time it is asked for.
func (h *publicHandler) serve(c echo.Context, title, description i18n.Msg, body templ.Component) error {
	p := describedPage(c, tr(c, title), tr(c, description))
	lang := i18n.From(c.Request().Context())
	key, ok := pageVariant(h.reg, lang, p)
	if !ok {
		return render(c, http.StatusOK, views.Frame(p, body))
	}
	spliced, err := h.pages.get(key, func() (*views.SplicedPage, error) {
		sp := p
		if sp.Consent.ChoiceKey != "" {
			sp.Consent.ChoiceKey = views.ChoiceKeyPlaceholder
			sp.Banner = views.ConsentBanner(sp.Consent)
		}
		return views.Splice(i18n.WithLang(context.Background(), lang), views.Frame(sp, body))
	})
	if err != nil {
		return render(c, http.StatusOK, views.Frame(p, body)) // the error shows there
	}
	if spliced == nil { // the cache is full: an unusual variant, rendered as it comes
		return render(c, http.StatusOK, views.Frame(p, body))
	}
	// One buffer, one write: pieces written one by one would each reach
	// the socket on their own.
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		buffers.Put(buf)
	}()
	nonce := templ.GetNonce(c.Request().Context())
	buf.Grow(spliced.Len(len(nonce), len(p.Consent.ChoiceKey)))
	_ = spliced.WriteTo(buf, nonce, p.Consent.ChoiceKey) // a bytes.Buffer never fails a write
	return sendPage(c, http.StatusOK, buf.Bytes())
}

// pageVariant names everything the layout of a public page shows besides
// its body and the nonce: language, title, path, the rights link, and the
// visitor's consent as the layout renders it (banner or GPC notice, the
// categories granted in the cookie's order). A category the registry does
// not offer has no variant (ok false), nor has a URL with a query (the
// switcher keeps it, and a client chooses it freely): such a page is
// rendered as it comes.
func pageVariant(reg *policy.Registry, lang i18n.Lang, p views.Page) (string, bool) {
	if p.Query != "" {
		return "", false
	}
	s := p.Consent
	for i, g := range s.Granted {
		if _, known := reg.Category(g); !known || slices.Contains(s.Granted[:i], g) {
			return "", false
		}
	}
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	return strings.Join([]string{lang.String(), p.Base, p.Title, p.Description, p.Path, p.RightsPath, s.ReturnTo,
		flag(s.Registry != nil), flag(s.Decided), flag(s.GPCHonoured), flag(p.Banner != nil),
		strings.Join(s.Granted, " ")}, "\x00"), true
}

// splicedPages holds the pages rendered so far, by variant. Variants are
// few (pages × languages × consent choices) and bounded: past maxSplicedPages
// a new one is rendered per request rather than kept.
type splicedPages struct {
	m sync.Map // variant → *views.SplicedPage
	n atomic.Int32
}

const maxSplicedPages = 256

func (s *splicedPages) get(key string, build func() (*views.SplicedPage, error)) (*views.SplicedPage, error) {
	if p, ok := s.m.Load(key); ok {
		return p.(*views.SplicedPage), nil
	}
	if s.n.Load() >= maxSplicedPages {
		return nil, nil
	}
	p, err := build()
	if err != nil {
		return nil, err
	}
	if _, loaded := s.m.LoadOrStore(key, p); !loaded {
		s.n.Add(1)
	}
	return p, nil
}
