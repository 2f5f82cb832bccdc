package handlers

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/views"
)

// consentPost is what a banner or cookie-settings answer carries.
type consentPost struct {
	action, returnTo, idem string
	categories             []string
}

// consentBodyLimit is the largest cookie choice read: the registry's
// category keys, a return path and a key fit many times over. It is also
// the /consent route's body limit (routes.go), so the two cannot differ.
const consentBodyLimit = 4 << 10

// consentBodies are read buffers for cookie choices, one more byte than the
// limit so that a body over it is seen.
var consentBodies = sync.Pool{New: func() any { return new([consentBodyLimit + 1]byte) }}

// readConsentPost reads a url-encoded cookie choice from the request body,
// without the maps and copies of Request.ParseForm: the choice is the
// busiest post of the site. It is ParseForm's reading for the fields
// /consent uses (url.ParseQuery's splitting, unescaping and errors; the
// first value of a field wins), and checks every key and value as
// validInput does. validInput calls it for a url-encoded body without a
// query string (ParseForm would merge the two).
func readConsentPost(r *http.Request) (consentPost, error) {
	buf := consentBodies.Get().(*[consentBodyLimit + 1]byte)
	defer consentBodies.Put(buf)
	n := 0
	for n < len(buf) {
		m, err := r.Body.Read(buf[n:])
		n += m
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return consentPost{}, err // the body limit's 413, or a broken connection
		}
	}
	if n > consentBodyLimit {
		return consentPost{}, echo.ErrStatusRequestEntityTooLarge
	}
	return decodeConsentPost(string(buf[:n]))
}

// decodeConsentPost decodes body as url.ParseQuery does, keeping the fields
// of a cookie choice; any error of ParseQuery, NUL or invalid UTF-8 in any
// key or value is errBadInput. FuzzDecodeConsentPost holds it to ParseQuery.
func decodeConsentPost(body string) (consentPost, error) {
	var p consentPost
	var seen struct{ action, returnTo, idem bool }
	for body != "" {
		var part string
		part, body, _ = strings.Cut(body, "&")
		if strings.Contains(part, ";") {
			return consentPost{}, errBadInput
		}
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err := url.QueryUnescape(k)
		if err != nil || !cleanText(k) {
			return consentPost{}, errBadInput
		}
		if v, err = url.QueryUnescape(v); err != nil || !cleanText(v) {
			return consentPost{}, errBadInput
		}
		switch {
		case k == "action" && !seen.action:
			p.action, seen.action = v, true
		case k == "return_to" && !seen.returnTo:
			p.returnTo, seen.returnTo = v, true
		case k == views.IdemField && !seen.idem:
			p.idem, seen.idem = v, true
		case k == "category":
			p.categories = append(p.categories, v)
		}
	}
	return p, nil
}

// consentPostOf is the choice validInput read (readConsentPost), or else
// the request's form as ParseForm reads it.
func consentPostOf(c echo.Context) (consentPost, error) {
	if s := peekState(c); s != nil && s.consentPost != nil {
		return *s.consentPost, nil
	}
	form, err := c.FormParams()
	if err != nil {
		return consentPost{}, err
	}
	return consentPost{action: form.Get("action"), returnTo: form.Get("return_to"), idem: form.Get(views.IdemField),
		categories: form["category"]}, nil
}
