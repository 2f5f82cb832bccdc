package models

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
)

// FuzzDecodeCursor: a list cursor comes from the URL; any string decodes
// or is refused, and what encodes decodes back.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(time.UnixMicro(1_700_000_000_000_000), uuid.New()))
	f.Add("")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		ts, id, ok := decodeCursor(s)
		if !ok {
			return
		}
		if ts2, id2, ok2 := decodeCursor(encodeCursor(ts, id)); !ok2 || !ts2.Equal(ts) || id2 != id {
			t.Fatalf("cursor %q does not round-trip", s)
		}
	})
}

// FuzzVerifyLink: a confirmation link's query comes from anyone; only a
// link signed with the key, for the kind, before it expires, verifies.
func FuzzVerifyLink(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	f.Add(SignLink(key, "newsletter", uuid.New(), now.Add(time.Hour)))
	f.Add("id=x&exp=1&sig=y")
	f.Add("id=%00&exp=-99999999999999999999&sig=")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		id, err := VerifyLink(key, "newsletter", q, now)
		if err != nil {
			return
		}
		if id == uuid.Nil && q.Get("id") != uuid.Nil.String() || q.Get("sig") != linkMAC(key, "newsletter", q.Get("id"), q.Get("exp")) {
			t.Fatalf("%q verified without its signature", raw)
		}
	})
}

// FuzzParseCookieAction: the banner's action field.
func FuzzParseCookieAction(f *testing.F) {
	for _, s := range []string{"accept_all", "reject_all", "custom", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseCookieAction(s)
		if err == nil && string(a) != s {
			t.Fatalf("%q parsed as %q", s, a)
		}
	})
}
