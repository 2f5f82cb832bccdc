package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/securecookie"

	"github.com/alegria/privacy-portal/models"
)

// The consent cookie's serialiser writes what securecookie's JSONEncoder
// (encoding/json) writes, byte for byte, so cookies set before it (and
// after) read the same.
func TestChoiceSerializerIsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 29, 23, 40, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	for name, c := range map[string]models.CookieChoice{
		"accept":           {ID: uuid.New(), Categories: []string{"audience", "marketing"}, Action: "accept_all", PolicyVersion: "2026.1", At: at},
		"reject, empty":    {ID: uuid.New(), Categories: []string{}, Action: "reject_all", PolicyVersion: "2026.1", At: at},
		"no categories":    {ID: uuid.New(), Action: "gpc", PolicyVersion: "2026.1", At: at},
		"another zone":     {ID: uuid.New(), Categories: []string{"audience"}, Action: "custom", PolicyVersion: "v2", At: at.In(paris)},
		"nanoseconds":      {ID: uuid.New(), Action: "custom", PolicyVersion: "v2", At: at.Add(123456789)},
		"escaped version":  {ID: uuid.New(), Action: "custom", PolicyVersion: `<"é">&\`, At: at},
		"escaped category": {ID: uuid.New(), Categories: []string{"a\u2028b"}, Action: "custom", PolicyVersion: "1", At: at},
		"zero":             {},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := choiceSerializer{}.Serialize(c)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := securecookie.JSONEncoder{}.Serialize(c)
			if string(got) != string(want) {
				t.Errorf("serialised %s, encoding/json writes %s", got, want)
			}
			var back models.CookieChoice
			if err := (choiceSerializer{}).Deserialize(got, &back); err != nil || back.ID != c.ID || !back.At.Equal(c.At) {
				t.Errorf("read back %+v, %v", back, err)
			}
		})
	}
}

// The consent cookie's Set-Cookie line is what net/http writes for it, for
// every kind of cookie the handler may set and the ones it hands back to
// net/http (an expired choice, a value net/http would quote).
func TestCookieLineIsNetHTTPs(t *testing.T) {
	at := time.Date(2026, 11, 29, 23, 40, 0, 0, time.UTC)
	for name, ck := range map[string]http.Cookie{
		"secure":        {Name: consentCookieName, Value: "MTc2NDQ1OTYwMHxEdi1CQkFFQ180SUFB|abc=", Path: "/", MaxAge: 33696000, Expires: at, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode},
		"plain http":    {Name: consentCookieName, Value: "abc", Path: "/", MaxAge: 1, Expires: at.In(time.FixedZone("x", 3600)), HttpOnly: true, SameSite: http.SameSiteLaxMode},
		"expired":       {Name: consentCookieName, Value: "abc", Path: "/", MaxAge: -5, Expires: at, HttpOnly: true, SameSite: http.SameSiteLaxMode},
		"quoted value":  {Name: consentCookieName, Value: "a b,c", Path: "/", MaxAge: 60, Expires: at, SameSite: http.SameSiteLaxMode},
		"dropped value": {Name: consentCookieName, Value: "a;b\"c", Path: "/", MaxAge: 60, Expires: at, SameSite: http.SameSiteLaxMode},
		"year 1600":     {Name: consentCookieName, Value: "abc", Path: "/", MaxAge: 60, Expires: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), SameSite: http.SameSiteLaxMode},
		"strict":        {Name: consentCookieName, Value: "abc", Path: "/", MaxAge: 60, Expires: at, SameSite: http.SameSiteStrictMode},
		"form token":    {Name: adminCSRFCookie, Value: newCSRFToken(), Path: "/", MaxAge: csrfCookieMaxAge, Expires: at, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode},
		"no SameSite":   {Name: adminCSRFCookie, Value: "abc", Path: "/", MaxAge: 60, Expires: at, SameSite: http.SameSiteDefaultMode},
		"SameSite=None": {Name: adminCSRFCookie, Value: "abc", Path: "/", MaxAge: 60, Expires: at, Secure: true, SameSite: http.SameSiteNoneMode},
		"odd name":      {Name: "a b", Value: "abc", Path: "/", MaxAge: 60, Expires: at, SameSite: http.SameSiteLaxMode},
		"name with =":   {Name: "a=b", Value: "abc", Path: "/", MaxAge: 60, Expires: at, SameSite: http.SameSiteLaxMode},
		"other path":    {Name: adminCSRFCookie, Value: "abc", Path: "/admin", MaxAge: 60, Expires: at, SameSite: http.SameSiteLaxMode},
		"domain":        {Name: adminCSRFCookie, Value: "abc", Path: "/", Domain: "example.org", MaxAge: 60, Expires: at, SameSite: http.SameSiteLaxMode},
		"quoted":        {Name: adminCSRFCookie, Value: "abc", Quoted: true, Path: "/", MaxAge: 60, Expires: at, SameSite: http.SameSiteLaxMode},
		"partitioned":   {Name: adminCSRFCookie, Value: "abc", Path: "/", MaxAge: 60, Expires: at, Secure: true, Partitioned: true, SameSite: http.SameSiteLaxMode},
	} {
		t.Run(name, func(t *testing.T) {
			want := ck.String()
			if got := cookieLine(&ck); got != want {
				t.Errorf("wrote %q, net/http writes %q", got, want)
			}
		})
	}
	// The line the handler sets reads back as the cookie it was built from.
	cc := newConsentCookies([]byte("0123456789abcdef0123456789abcdef"), &url.URL{Scheme: "https", Host: "portal.example"}, func() time.Time { return at })
	rec := httptest.NewRecorder()
	choice := models.CookieChoice{ID: uuid.New(), Categories: []string{"audience"}, Action: "custom", PolicyVersion: "2026.1", At: at}
	if err := cc.write(rec, choice); err != nil {
		t.Fatal(err)
	}
	set := rec.Result().Cookies()
	if len(set) != 1 || !set[0].Secure || !set[0].HttpOnly || set[0].SameSite != http.SameSiteLaxMode || set[0].MaxAge <= 0 {
		t.Fatalf("Set-Cookie %q read back as %+v", rec.Header().Values("Set-Cookie"), set)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(set[0])
	if back, ok := cc.read(r); !ok || back.ID != choice.ID {
		t.Errorf("the cookie set reads back as %+v, %v", back, ok)
	}
}

// The consent cookie is written without the codec (consentCookies.encode)
// but in its format: the codec reads every cookie written, for any choice,
// and refuses it when a byte of it, or the key, is another.
func TestConsentCookieEncodeIsSecurecookies(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	cc := newConsentCookies(key, &url.URL{Scheme: "https", Host: "portal.example"}, time.Now)
	other := newConsentCookies([]byte("another key, just as long as one"), &url.URL{Scheme: "https", Host: "portal.example"}, time.Now)
	at := time.Date(2026, 11, 29, 23, 40, 0, 0, time.UTC)
	for name, c := range map[string]models.CookieChoice{
		"accept":          {ID: uuid.New(), Categories: []string{"audience", "marketing"}, Action: "accept_all", PolicyVersion: "2026.1", At: at},
		"reject":          {ID: uuid.New(), Categories: []string{}, Action: "reject_all", PolicyVersion: "2026.1", At: at},
		"escaped version": {ID: uuid.New(), Action: "custom", PolicyVersion: `<"é">&\`, At: at.Add(123456789)},
	} {
		t.Run(name, func(t *testing.T) {
			for range 3 { // the pooled MAC starts over each time
				value, err := cc.encode(c)
				if err != nil {
					t.Fatal(err)
				}
				var back models.CookieChoice
				if err := cc.codec.Decode(consentCookieName, value, &back); err != nil {
					t.Fatalf("the codec refuses %q: %v", value, err)
				}
				if back.ID != c.ID || back.Action != c.Action || back.PolicyVersion != c.PolicyVersion || !back.At.Equal(c.At) {
					t.Errorf("read back %+v, wrote %+v", back, c)
				}
				want, err := cc.codec.Encode(consentCookieName, c)
				if err != nil {
					t.Fatal(err)
				}
				// Same length, same date and value; only a second's tick
				// between the two could change the date.
				if len(value) != len(want) {
					t.Errorf("encoded %q, the codec %q", value, want)
				}
				if err := other.codec.Decode(consentCookieName, value, &back); err == nil {
					t.Error("a cookie signed under another key is read")
				}
				for _, i := range []int{0, len(value) / 2, len(value) - 2} {
					altered := []byte(value)
					altered[i] ^= 1
					if err := cc.codec.Decode(consentCookieName, string(altered), &back); err == nil {
						t.Errorf("altered at %d, %q is read", i, altered)
					}
				}
			}
		})
	}
	long := models.CookieChoice{ID: uuid.New(), Action: "custom", PolicyVersion: strings.Repeat("v", 800), At: at}
	if _, err := cc.encode(long); err == nil {
		t.Error("a cookie over the codec's length is written")
	}
	if _, err := cc.codec.Encode(consentCookieName, long); err == nil {
		t.Error("the codec writes a cookie over its length")
	}
}
