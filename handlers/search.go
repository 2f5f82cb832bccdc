package handlers

import (
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/vault"
	"github.com/alegria/privacy-portal/views"
)

// searchTokens keep searched email addresses out of URLs (browser history,
// proxy and server logs): the search form is posted, and the list's URL
// carries the address sealed (AES-256 and HMAC-SHA256, gorilla/securecookie)
// under a server key, for the idle time of a session. Nothing is stored:
// any instance opens it.
type searchTokens struct{ codec *securecookie.SecureCookie }

// searchLifetime matches the back-office session's idle timeout.
const searchLifetime = 30 * time.Minute

func newSearchTokens(s *vault.Secrets) *searchTokens {
	codec := securecookie.New(s.Key("search-token-mac"), s.Key("search-token-enc"))
	codec.MaxAge(int(searchLifetime / time.Second))
	codec.MaxLength(1024)
	return &searchTokens{codec: codec}
}

func (t *searchTokens) seal(email string) string {
	if email == "" {
		return ""
	}
	v, err := t.codec.Encode("search", email)
	if err != nil {
		return ""
	}
	return v
}

// open returns the sealed address, or "" for none, an expired or a forged
// token (the list is then unfiltered by email, and says so by its empty box).
func (t *searchTokens) open(token string) string {
	var email string
	if token == "" || t.codec.Decode("search", token, &email) != nil {
		return ""
	}
	return email
}

// searchRecords takes the list's filter form (posted: it may hold an email
// address) to the list's URL, the address sealed.
func (b *recordsHandler) searchRecords(c echo.Context) error {
	p, err := b.purposeFor(c, false)
	if err != nil {
		return err
	}
	vf := views.RecordsFilter{Status: c.FormValue("status"), From: c.FormValue("from"), To: c.FormValue("to"),
		Search: b.search.seal(clipEmail(c.FormValue("email")))}
	return c.Redirect(http.StatusSeeOther, views.RecordsURL(p.Key, vf, ""))
}

// searchAccessLog does the same for the DPO's access-log filter.
func (b *dpoHandler) searchAccessLog(c echo.Context) error {
	vf := views.AccessLogFilter{Staff: c.FormValue("staff"), Role: c.FormValue("role"), Action: c.FormValue("action"),
		Purpose: c.FormValue("purpose"), Outcome: c.FormValue("outcome"), From: c.FormValue("from"), To: c.FormValue("to"),
		Search: b.search.seal(clipEmail(c.FormValue("email")))}
	return c.Redirect(http.StatusSeeOther, accessLogURL(c.Path()[:len(c.Path())-len("/search")], vf, 0))
}

// clipEmail bounds a searched address to the longest valid one.
func clipEmail(s string) string {
	if len(s) > 254 {
		return s[:254]
	}
	return s
}
