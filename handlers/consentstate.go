package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// consentCookieName is the strictly necessary cookie the registry declares
// (policy/registry.yaml), with its lifetime; TestCookieCrawl fails when the
// two disagree, so the cookie page tells the truth.
const consentCookieName = "portal_consent"

// consentCookies signs and reads the visitor's consent cookie. It is signed
// (HMAC-SHA256, gorilla/securecookie), not encrypted: it holds nothing
// secret, but a forged or edited one must count as no choice at all, never
// as consent (art. 7(1), 4(11)).
type consentCookies struct {
	codec  *securecookie.SecureCookie
	macs   sync.Pool // HMAC-SHA256 under the codec's key (encode)
	secure bool
	now    func() time.Time
}

// consentCookieMaxLength bounds the encoded cookie, as the codec does.
const consentCookieMaxLength = 1024

func newConsentCookies(key []byte, base *url.URL, now func() time.Time) *consentCookies {
	codec := securecookie.New(key, nil)
	codec.SetSerializer(choiceSerializer{})
	// The codec's bound is a backstop; ConsentChoice.Valid applies the
	// calendar lifetime exactly.
	codec.MaxAge(int((models.ChoiceLifetime.Duration() + 48*time.Hour) / time.Second))
	codec.MaxLength(consentCookieMaxLength)
	cc := &consentCookies{codec: codec, secure: !plainLocalhost(base), now: now}
	cc.macs.New = func() any { return hmac.New(sha256.New, key) }
	return cc
}

// encode is what codec.Encode writes for choice, in gorilla/securecookie's
// format: base64url of "date|value|mac", value being the serialised choice
// in base64url and mac the HMAC-SHA256 of "name|date|value" under the
// codec's key, date in Unix seconds of the real clock, as the codec's own
// check reads it. Its MAC hashes are kept between cookies and it builds
// the cookie in one buffer, where the codec makes a new HMAC per cookie and
// formats with fmt: 6% of the server's CPU on a banner answer. Reading
// stays the codec's (read), which TestConsentCookieEncodeIsSecurecookies
// holds to accepting these cookies and refusing them altered.
func (cc *consentCookies) encode(choice models.CookieChoice) (string, error) {
	plain, err := choiceSerializer{}.Serialize(choice)
	if err != nil {
		return "", err
	}
	const name = consentCookieName
	b := make([]byte, 0, len(name)+24+base64.URLEncoding.EncodedLen(len(plain))+sha256.Size)
	b = append(b, name+"|"...)
	b = strconv.AppendInt(b, time.Now().UTC().Unix(), 10)
	b = base64.URLEncoding.AppendEncode(append(b, '|'), plain)
	h := cc.macs.Get().(hash.Hash)
	h.Reset()
	h.Write(b)
	b = h.Sum(append(b, '|'))
	cc.macs.Put(h)
	out := base64.URLEncoding.EncodeToString(b[len(name)+1:])
	if len(out) > consentCookieMaxLength {
		return "", fmt.Errorf("handlers: consent cookie of %d bytes", len(out))
	}
	return out, nil
}

// choiceSerializer writes a CookieChoice exactly as securecookie's
// JSONEncoder (encoding/json) does (the
// cookie's format is unchanged: cookies set before still read), without
// reflection, which was half the cost of signing each cookie. Anything else,
// or a text that encoding/json would escape, takes encoding/json itself.
// Only the serialisation changes: the signature stays gorilla/securecookie's.
type choiceSerializer struct{ securecookie.JSONEncoder }

func (s choiceSerializer) Serialize(src any) ([]byte, error) {
	c, ok := src.(models.CookieChoice)
	if !ok || !jsonPlain(string(c.Action)) || !jsonPlain(c.PolicyVersion) || c.At.Year() < 0 || c.At.Year() > 9999 {
		return s.JSONEncoder.Serialize(src)
	}
	b := make([]byte, 0, 128)
	b = append(b, `{"i":"`...)
	b = append(b, c.ID.String()...)
	b = append(b, `","c":`...)
	if c.Categories == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, k := range c.Categories {
			if !jsonPlain(k) {
				return s.JSONEncoder.Serialize(src)
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(append(append(b, '"'), k...), '"')
		}
		b = append(b, ']')
	}
	b = append(append(append(b, `,"a":"`...), c.Action...), `","v":"`...)
	b = append(append(b, c.PolicyVersion...), `","t":"`...)
	b = c.At.AppendFormat(b, time.RFC3339Nano)
	return append(b, "\"}\n"...), nil // the newline json.Encoder ends with
}

// jsonPlain reports whether encoding/json writes s between quotes as is.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// plainLocalhost is a development base URL (http on the loopback), the only
// place a cookie goes without Secure, since browsers would drop it there.
func plainLocalhost(base *url.URL) bool {
	if base == nil || base.Scheme != "http" {
		return false
	}
	h := base.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// read returns the choice in the request's consent cookie; ok is false when
// there is none or it fails verification.
func (cc *consentCookies) read(r *http.Request) (models.CookieChoice, bool) {
	ck, err := r.Cookie(consentCookieName)
	if err != nil {
		return models.CookieChoice{}, false
	}
	var choice models.CookieChoice
	if err := cc.codec.Decode(consentCookieName, ck.Value, &choice); err != nil {
		return models.CookieChoice{}, false
	}
	return choice, true
}

// write sets the consent cookie for choice: HttpOnly (no script needs to read
// it: the server renders the state), SameSite=Lax, for as long as the choice
// stands.
func (cc *consentCookies) write(w http.ResponseWriter, choice models.CookieChoice) error {
	value, err := cc.encode(choice)
	if err != nil {
		return err
	}
	expires := models.ChoiceLifetime.After(choice.At)
	ck := http.Cookie{
		Name: consentCookieName, Value: value, Path: "/",
		MaxAge: int(expires.Sub(cc.now()) / time.Second), Expires: expires,
		HttpOnly: true, Secure: cc.secure, SameSite: http.SameSiteLaxMode,
	}
	setCookie(w.Header(), &ck)
	return nil
}

// cookieLine is what http.SetCookie writes for the portal's own cookies
// (the consent cookie, the back-office form token), in one buffer:
// net/http checks and cleans each attribute in turn and canonicalises the
// header's name, a twentieth of a banner answer's CPU. A cookie it would
// have to clean (a name or value outside the cookie alphabet, an expiry it
// would drop, an expired cookie) or with attributes the portal does not set
// takes ck.String() itself; TestCookieLineIsNetHTTPs holds the two equal.
func cookieLine(ck *http.Cookie) string {
	var sameSite string
	switch ck.SameSite {
	case http.SameSiteLaxMode:
		sameSite = "; SameSite=Lax"
	case http.SameSiteStrictMode:
		sameSite = "; SameSite=Strict"
	}
	if sameSite == "" || ck.Path != "/" || ck.Domain != "" || ck.MaxAge <= 0 || ck.Partitioned || ck.Quoted ||
		ck.Expires.Year() < 1601 || ck.Expires.Year() > 9999 || !cookieName(ck.Name) || !cookieOctets(ck.Value) {
		return ck.String()
	}
	var b strings.Builder
	b.Grow(len(ck.Name) + len(ck.Value) + 100)
	var num [len(http.TimeFormat)]byte
	b.WriteString(ck.Name)
	b.WriteByte('=')
	b.WriteString(ck.Value)
	b.WriteString("; Path=/; Expires=")
	b.Write(ck.Expires.UTC().AppendFormat(num[:0], http.TimeFormat))
	b.WriteString("; Max-Age=")
	b.Write(strconv.AppendInt(num[:0], int64(ck.MaxAge), 10))
	if ck.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	if ck.Secure {
		b.WriteString("; Secure")
	}
	b.WriteString(sameSite)
	return b.String()
}

// setCookie is http.SetCookie through cookieLine.
func setCookie(h http.Header, ck *http.Cookie) {
	h["Set-Cookie"] = append(h["Set-Cookie"], cookieLine(ck))
}

// cookieName reports whether s is a cookie name net/http writes as it is:
// an RFC 7230 token of letters, digits and "-_.".
func cookieName(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return s != ""
}

// cookieOctets reports whether s is a non-empty run of RFC 6265 cookie-octets,
// which net/http writes as they are (no quotes, nothing dropped).
func cookieOctets(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\' || c == ',' {
			return false
		}
	}
	return s != ""
}

// expireRefused deletes the cookies of every optional category choice does
// not cover: withdrawing must be as effective as consenting (art. 7(3)).
// Only cookies on this host and path / can be reached from here.
func expireRefused(w http.ResponseWriter, reg *policy.Registry, choice models.CookieChoice) {
	for cat := range reg.Optional() {
		if choice.Allows(cat.Key) {
			continue
		}
		for _, ck := range cat.Cookies {
			http.SetCookie(w, &http.Cookie{Name: ck.Name, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0)})
		}
	}
}

// visitorConsent is the visitor's cookie choice as this request knows it.
type visitorConsent struct {
	choice  models.CookieChoice
	decided bool // a current, verified choice
	gpc     bool // a Global Privacy Control refusal was recorded by this very request
}

// consentOf is the consent the middleware found; the zero value (undecided)
// outside it.
func consentOf(c echo.Context) visitorConsent {
	if s := peekState(c); s != nil {
		return s.consent
	}
	return visitorConsent{}
}

// consentStateOf is what the views need to know of the visitor's consent.
// Registry is nil outside the consent middleware: no banner, no gated script.
func consentStateOf(c echo.Context) views.ConsentState {
	if s := peekState(c); s != nil {
		return s.consentState
	}
	return views.ConsentState{}
}

// consentContext reads the consent cookie once per request and puts the
// visitor's consent on the request context, for handlers (consentOf) and
// views (consentStateOf). A visitor with no choice whose browser sends
// Sec-GPC: 1 is recorded as refusing everything optional (CNIL: a refusal
// can be expressed by the browser; California and Colorado make the signal
// binding), and told so.
func consentContext(reg *policy.Registry, cookies *consentCookies, ledger *models.CookieLedger, log *slog.Logger,
	limit middleware.RateLimiterStore) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			now := cookies.now()
			var v visitorConsent
			if choice, ok := cookies.read(r); ok && choice.Current(reg, now) {
				v = visitorConsent{choice: choice, decided: true}
			}
			if !v.decided && r.Method == http.MethodGet && r.Header.Get("Sec-GPC") == "1" {
				v = visitorConsent{gpc: true} // refused for this page whatever happens next
				// A client that drops the cookie would otherwise add a ledger
				// row per request: recorded within the same per-address
				// limit as banner choices.
				if ok, _ := allow(limit, c.RealIP()); ok {
					v = honourGPC(c, reg, cookies, ledger, log, now)
				}
			}
			state := views.ConsentState{
				Registry: reg, Decided: v.decided, GPCHonoured: v.gpc, ReturnTo: requestedPath(c),
				Granted: v.choice.Categories, Action: string(v.choice.Action), At: v.choice.At,
				PolicyVersion: v.choice.PolicyVersion,
			}
			if v.decided {
				state.ConsentID = v.choice.ID.String()
			}
			s := stateOf(c)
			s.consent, s.consentState = v, state
			return next(c)
		}
	}
}

// honourGPC records a GPC refusal and sets its cookie, so the signal is
// recorded once, not on every page. If the ledger cannot be written the
// refusal still holds for this page (nothing optional runs); it is recorded
// on the next one.
func honourGPC(c echo.Context, reg *policy.Registry, cookies *consentCookies, ledger *models.CookieLedger, log *slog.Logger, now time.Time) visitorConsent {
	choice, err := models.NewCookieChoice(reg, uuid.Nil, models.CookieGPC, nil, now)
	if err == nil {
		_, err = ledger.Append(c.Request().Context(), models.NewCookieConsent(choice, c.RealIP(), c.Request().UserAgent()))
	}
	if err == nil {
		err = cookies.write(c.Response(), choice)
	}
	if err != nil {
		log.Warn("gpc refusal not recorded", "error", err.Error())
		return visitorConsent{gpc: true}
	}
	return visitorConsent{choice: choice, decided: true, gpc: true}
}

func allow(store middleware.RateLimiterStore, id string) (bool, error) {
	if store == nil {
		return true, nil
	}
	return store.Allow(id)
}
