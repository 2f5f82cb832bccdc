package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/policy"
)

// LinkValidity is how long an emailed confirmation link works: after it,
// an unconfirmed newsletter subscription or rights request is deleted.
// Declared in policy.Durations, which the pages read.
var LinkValidity = policy.Durations.LinkValidity.Duration()

// Errors of VerifyLink. The page shown for each is different: an expired
// link can simply be asked for again.
var (
	ErrLinkInvalid = errors.New("models: invalid link")
	ErrLinkExpired = errors.New("models: expired link")
)

// SignLink returns the query string (id, exp, sig) of a confirmation link
// for the object id of kind (the key of its purpose), valid until exp. The
// HMAC covers kind, id and expiry, so a link cannot be moved to another
// object, kind or date. key comes from Secrets.Key("email-link").
func SignLink(key []byte, kind string, id uuid.UUID, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	q := url.Values{"id": {id.String()}, "exp": {e}, "sig": {linkMAC(key, kind, id.String(), e)}}
	return q.Encode()
}

// VerifyLink checks a link's query values and returns the id it names.
func VerifyLink(key []byte, kind string, q url.Values, now time.Time) (uuid.UUID, error) {
	id, e, sig := q.Get("id"), q.Get("exp"), q.Get("sig")
	want := linkMAC(key, kind, id, e)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return uuid.Nil, ErrLinkInvalid
	}
	uid, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, ErrLinkInvalid
	}
	unix, err := strconv.ParseInt(e, 10, 64)
	if err != nil {
		return uuid.Nil, ErrLinkInvalid
	}
	if !now.Before(time.Unix(unix, 0)) {
		return uuid.Nil, ErrLinkExpired
	}
	return uid, nil
}

func linkMAC(key []byte, kind, id, exp string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind + "\x00" + id + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
