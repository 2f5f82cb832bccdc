package handlers

import (
	"context"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// requestState is what the middleware chain learns about one request: where
// it was asked for, its language and id, the visitor's consent. It rides on
// the request's context as one value set once (requestContext), and each
// middleware fills its part in place: copying the request for every value
// (r.WithContext) was a fifth of the bytes a request allocated.
type requestState struct {
	loc        located
	lang       any // i18n.Lang once known, boxed once (i18n.From reads it)
	requestID  any // string once known (models.RequestIDFrom reads it)
	rightsPath string

	consent      visitorConsent
	consentState views.ConsentState
	consentPost  *consentPost // a cookie choice's body, read by validInput

	// The back-office: the signed-in member (requireStaff) and the form
	// token their pages carry (bindCSRF).
	staff    staffMember
	hasStaff bool
	csrf     string
}

type requestStateKey struct{}

// Keys of other packages the request context answers from its state.
var (
	langKey      = i18n.ContextKey()
	requestIDKey = models.RequestIDKey()
)

// requestContext is the request's context carrying its state.
type requestContext struct {
	context.Context
	s *requestState
}

func (c *requestContext) Value(key any) any {
	switch key {
	case requestStateKey{}:
		return c.s
	case langKey:
		if c.s.lang != nil {
			return c.s.lang
		}
	case requestIDKey:
		if c.s.requestID != nil {
			return c.s.requestID
		}
	}
	return c.Context.Value(key)
}

// boxedLangs are the languages as context values, each boxed once: a
// request's language is set on its state without an allocation.
var boxedLangs = func() []any {
	out := make([]any, len(i18n.All))
	for i, l := range i18n.All {
		out[i] = l
	}
	return out
}()

// langValue is l as the state's language value.
func langValue(l i18n.Lang) any {
	for i, known := range i18n.All {
		if known == l {
			return boxedLangs[i]
		}
	}
	return l
}

// stateOf is the request's state, attached on first use: the first
// middleware (stripLanguage) attaches it, so later ones find it.
func stateOf(c echo.Context) *requestState {
	r := c.Request()
	if s, ok := r.Context().Value(requestStateKey{}).(*requestState); ok {
		return s
	}
	s := &requestState{}
	// templ's render state is made once here too, so that setting the
	// nonce later changes it in place rather than copying the request.
	c.SetRequest(r.WithContext(&requestContext{Context: templ.InitializeContext(r.Context()), s: s}))
	return s
}

// peekState is the request's state, or nil outside the chain (a reader
// that must not attach one).
func peekState(c echo.Context) *requestState {
	s, _ := c.Request().Context().Value(requestStateKey{}).(*requestState)
	return s
}
