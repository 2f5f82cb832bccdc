package models

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/policy"
)

// CookieAction is what the visitor did with the cookie banner.
type CookieAction string

const (
	CookieAcceptAll CookieAction = "accept_all"
	CookieRejectAll CookieAction = "reject_all"
	CookieCustom    CookieAction = "custom"
	CookieWithdraw  CookieAction = "withdraw"
	// CookieGPC is a refusal inferred from the browser's Global Privacy
	// Control signal (Sec-GPC: 1), never a form the visitor sent.
	CookieGPC CookieAction = "gpc"
)

// ChoiceLifetime is how long a cookie choice stands before the banner asks
// again: the CNIL recommends renewing the choice after about 6 months
// (guidelines of 17 September 2020, art. 2 § 48 and recommendation § 263).
var ChoiceLifetime = policy.Durations.ConsentChoice

// Errors a visitor's form can cause; handlers turn them into 400s.
var (
	ErrUnknownCookieAction   = errors.New("models: unknown cookie consent action")
	ErrUnknownCookieCategory = errors.New("models: unknown cookie category")
)

// ParseCookieAction accepts the actions a visitor may post; gpc is not one
// of them (it is inferred from a header).
func ParseCookieAction(s string) (CookieAction, error) {
	switch a := CookieAction(s); a {
	case CookieAcceptAll, CookieRejectAll, CookieCustom, CookieWithdraw:
		return a, nil
	}
	return "", ErrUnknownCookieAction
}

// CookieChoice is one visitor's cookie choice: what their consent cookie
// carries and what a ledger row proves.
type CookieChoice struct {
	ID            uuid.UUID    `json:"i"`
	Categories    []string     `json:"c"` // optional categories granted, sorted; the necessary one is implied
	Action        CookieAction `json:"a"`
	PolicyVersion string       `json:"v"`
	At            time.Time    `json:"t"`
}

// NewCookieChoice turns an action (and, for custom, the categories ticked)
// into a choice under reg. Accept all grants every optional category; reject,
// withdraw and GPC grant none. A category the registry does not declare as
// optional is an error: consent is only ever recorded for what was shown
// (art. 4(11), "informed"). id keeps the visitor's consent id across changes;
// uuid.Nil draws a new one.
func NewCookieChoice(reg *policy.Registry, id uuid.UUID, action CookieAction, categories []string, now time.Time) (CookieChoice, error) {
	if id == uuid.Nil {
		var err error
		if id, err = uuid.NewV7(); err != nil {
			return CookieChoice{}, fmt.Errorf("models: consent id: %w", err)
		}
	}
	c := CookieChoice{ID: id, Action: action, PolicyVersion: reg.Version, At: now.UTC().Truncate(time.Second), Categories: make([]string, 0, len(reg.Cookies))}
	switch action {
	case CookieAcceptAll:
		for cat := range reg.Optional() {
			c.Categories = append(c.Categories, cat.Key)
		}
	case CookieCustom:
		for _, key := range categories {
			cat, ok := reg.Category(key)
			if !ok || cat.Necessary {
				return CookieChoice{}, fmt.Errorf("%w: %q", ErrUnknownCookieCategory, key)
			}
			c.Categories = append(c.Categories, key)
		}
	case CookieRejectAll, CookieWithdraw, CookieGPC:
	default:
		return CookieChoice{}, ErrUnknownCookieAction
	}
	slices.Sort(c.Categories)
	c.Categories = slices.Compact(c.Categories)
	return c, nil
}

// Current reports whether the choice still stands under reg at now: it is
// younger than ChoiceLifetime, not from the future, and not made under an
// older policy version that reg marks as a material change (consent must be
// informed of what it covers now).
func (c CookieChoice) Current(reg *policy.Registry, now time.Time) bool {
	if c.ID == uuid.Nil || c.At.IsZero() || c.At.After(now.Add(time.Minute)) || !now.Before(ChoiceLifetime.After(c.At)) {
		return false
	}
	return c.PolicyVersion == reg.Version || !reg.Material
}

// Allows reports whether the choice covers category key.
func (c CookieChoice) Allows(key string) bool { return slices.Contains(c.Categories, key) }

// CookieConsent is one row of the cookie_consents ledger.
type CookieConsent struct {
	CookieChoice
	IPPrefix netip.Prefix // truncated: /24 for IPv4, /48 for IPv6
	UAHash   []byte       // sha256 of the User-Agent
	// IdemKey names the post that made the choice (WithIdempotencyKey); a
	// retry of that post finds this row instead of writing another. Nil:
	// no key (GPC refusals, pages from before keys).
	IdemKey uuid.UUID
	// ProofID is the ledger row's id, known once a keyed row is stored (0
	// otherwise).
	ProofID int64
}

// WithIdempotencyKey names row by the key its post carried. The stored key
// is derived from the client's key and the choice itself: a retry of the
// same click finds its proof, while another button of the same page (one
// key per rendering without JavaScript) is a choice of its own.
func (row CookieConsent) WithIdempotencyKey(key uuid.UUID) CookieConsent {
	if key == uuid.Nil {
		return row
	}
	row.IdemKey = uuid.NewHash(sha256.New(), key, []byte(string(row.Action)+"\x00"+strings.Join(row.Categories, ",")), 8)
	return row
}

// NewCookieConsent is the ledger row of choice made from ip with userAgent.
// Only a truncated network and a hash are kept (art. 5(1)(c)): enough to
// show an inspector that the choice came from a browser, not enough to
// single a person out.
func NewCookieConsent(choice CookieChoice, ip, userAgent string) CookieConsent {
	row := CookieConsent{CookieChoice: choice, IPPrefix: TruncateIP(ip)}
	if userAgent != "" {
		sum := sha256.Sum256([]byte(userAgent))
		row.UAHash = sum[:]
	}
	return row
}

// TruncateIP keeps the network part of an address: /24 of IPv4, /48 of
// IPv6 (an IPv4-mapped IPv6 address counts as IPv4). An unparsable address
// gives the zero Prefix, stored as NULL.
func TruncateIP(ip string) netip.Prefix {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Prefix{}
	}
	addr = addr.Unmap().WithZone("")
	bits := 48
	if addr.Is4() {
		bits = 24
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}
