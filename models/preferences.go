package models

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// PreferencesLinkValidity is how long the link to one's preferences works
// (policy.Durations, which the pages read).
var PreferencesLinkValidity = policy.Durations.PreferencesLink.Duration()

// preferencesLinkKind keeps preferences links apart from confirmation links
// signed with the same key.
const preferencesLinkKind = "preferences"

// Person is who a preferences link names: the blind index of their email
// address. The link never carries the address itself.
type Person []byte

// SignPreferencesLink returns the query string (p, exp, sig) of a link to
// the preferences of person, valid until exp. key is Secrets.Key("email-link").
func SignPreferencesLink(key []byte, person Person, exp time.Time) string {
	p := base64.RawURLEncoding.EncodeToString(person)
	e := strconv.FormatInt(exp.Unix(), 10)
	return url.Values{"p": {p}, "exp": {e}, "sig": {linkMAC(key, preferencesLinkKind, p, e)}}.Encode()
}

// UnsubscribeURL is the one-click unsubscribe URL (RFC 8058) of a marketing
// email sent on the consent box purpose.kind: set it as Email.Unsubscribe,
// and the sender adds List-Unsubscribe and List-Unsubscribe-Post.
func UnsubscribeURL(baseURL string, key []byte, person Person, purpose, kind string, now time.Time) string {
	return baseURL + "/preferences/unsubscribe?" + SignPreferencesLink(key, person, now.Add(PreferencesLinkValidity)) +
		"&" + url.Values{"box": {purpose + "." + kind}}.Encode()
}

// VerifyPreferencesLink checks a preferences link's query values.
func VerifyPreferencesLink(key []byte, q url.Values, now time.Time) (Person, error) {
	p, e, sig := q.Get("p"), q.Get("exp"), q.Get("sig")
	if !hmac.Equal([]byte(sig), []byte(linkMAC(key, preferencesLinkKind, p, e))) {
		return nil, ErrLinkInvalid
	}
	person, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || len(person) == 0 {
		return nil, ErrLinkInvalid
	}
	unix, err := strconv.ParseInt(e, 10, 64)
	if err != nil {
		return nil, ErrLinkInvalid
	}
	if !now.Before(time.Unix(unix, 0)) {
		return nil, ErrLinkExpired
	}
	return person, nil
}

// Preferences is what a person agreed to and objected to, as of now.
type Preferences struct {
	Known      bool // we hold something about this address
	States     []ConsentState
	Suppressed map[string]time.Time // channel or SuppressAll → since
}

// PreferenceStore serves the person's own preferences page: their current
// consents, withdrawals and objections, each appended to the ledger or the
// objection list and effective at once.
type PreferenceStore struct {
	db           *DB
	vault        *vault.Vault
	suppressions *SuppressionStore
	reg          *policy.Registry
}

// NewPreferenceStore returns the preferences of db's subjects.
func NewPreferenceStore(db *DB, v *vault.Vault, reg *policy.Registry) *PreferenceStore {
	return &PreferenceStore{db: db, vault: v, suppressions: NewSuppressionStore(db, v), reg: reg}
}

// PersonOf is the person an email address names.
func (s *PreferenceStore) PersonOf(email string) Person { return PersonOf(s.vault, email) }

// PersonOf is the person an email address names: its blind index.
func PersonOf(v *vault.Vault, email string) Person {
	return Person(v.BlindIndex(vault.KindEmail, email))
}

// scope is every purpose: a person's preferences span them all, and an
// objection flags every record of theirs.
func (s *PreferenceStore) scope() Scope {
	return Scope{Purposes: s.reg.PurposeKeys(), SeesRestricted: true}
}

func subjectOf(ctx context.Context, q Querier, p Person) (id uuid.UUID, phone []byte, err error) {
	err = q.QueryRow(ctx, `SELECT id, phone_index FROM subjects WHERE email_index = $1`, []byte(p)).Scan(&id, &phone)
	return id, phone, err
}

// Of returns the person's preferences. An unknown person has none (and no
// objection) unless an objection names their address. The three reads go
// in one round trip, each finding the person by their email's blind index
// (one implicit transaction: one snapshot).
func (s *PreferenceStore) Of(ctx context.Context, p Person) (Preferences, error) {
	var out Preferences
	email := []byte(p)
	b := &pgx.Batch{}
	b.Queue(`SELECT EXISTS (SELECT 1 FROM subjects WHERE email_index = $1)`, email).QueryRow(func(row pgx.Row) error {
		return row.Scan(&out.Known)
	})
	b.Queue(`SELECT purpose, kind, granted, source, at FROM consent_state
		WHERE subject_id = (SELECT id FROM subjects WHERE email_index = $1) ORDER BY purpose, kind`, email).Query(func(rows pgx.Rows) (err error) {
		out.States, err = collectConsentStates(rows)
		return err
	})
	b.Queue(`SELECT channel, min(created_at) FROM suppressions
		WHERE email_index = $1 OR phone_index = (SELECT phone_index FROM subjects WHERE email_index = $1) GROUP BY channel`, email).Query(func(rows pgx.Rows) (err error) {
		out.Suppressed, err = collectSuppressed(rows)
		return err
	})
	if err := s.db.Batch(ctx, b); err != nil {
		return Preferences{}, fmt.Errorf("models: preferences: %w", err)
	}
	return out, nil
}

// ErrNothingToWithdraw: the consent is not (or no longer) given.
var ErrNothingToWithdraw = errors.New("models: no current consent to withdraw")

// Withdraw appends a withdrawal of one consent box to the ledger (art.
// 7(3)): from its commit, no audience contains the person for that box.
func (s *PreferenceStore) Withdraw(ctx context.Context, p Person, purpose, kind, source string, now time.Time) error {
	box, ok := s.reg.ConsentBox(purpose, kind)
	if !ok {
		return ErrNothingToWithdraw
	}
	return s.db.Tx(ctx, func(q Querier) error {
		id, _, err := subjectOf(ctx, q, p)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNothingToWithdraw
		}
		if err != nil {
			return fmt.Errorf("models: withdraw: %w", err)
		}
		// Serialise changes of one person's consents: two clicks give two
		// rows, never a lost one.
		if _, err := q.Exec(ctx, `SELECT 1 FROM subjects WHERE id = $1 FOR UPDATE`, id); err != nil {
			return fmt.Errorf("models: withdraw: %w", err)
		}
		granted, err := currentlyGranted(ctx, q, id, purpose, kind)
		if err != nil {
			return err
		}
		if !granted {
			return ErrNothingToWithdraw
		}
		_, err = q.Exec(ctx, `INSERT INTO consents (subject_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
			VALUES ($1, $2, $3, false, $4, $5, $6, $7)`, id, purpose, kind, source, s.reg.Version, WordingHash(box.Consent.Label.In(ctx)), now.UTC())
		if err != nil {
			return fmt.Errorf("models: withdraw: %w", err)
		}
		return nil
	})
}

// Object puts the person on the objection list for channel (SuppressAll:
// all prospecting, art. 21(2)). It names the blind indexes of the email and,
// when known, the phone, so it holds even after their data is erased.
func (s *PreferenceStore) Object(ctx context.Context, p Person, channel string, now time.Time) error {
	return s.db.Scoped(ctx, s.scope(), func(q Querier) error {
		_, phone, err := subjectOf(ctx, q, p)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("models: object: %w", err)
		}
		already, err := s.suppressions.Suppressed(ctx, q, Suppression{EmailIndex: p, PhoneIndex: phone}, channel)
		if err != nil || already {
			return err
		}
		return s.suppressions.Add(ctx, q, Suppression{EmailIndex: p, PhoneIndex: phone, Channel: channel,
			Source: SuppressionFromPreferences, At: now})
	})
}

// MailLink queues e (a link to the preferences) for the person only if we
// hold something about their address, in one statement whether or not we
// do: the answer and its timing do not tell whether the address is known.
func (s *PreferenceStore) MailLink(ctx context.Context, p Person, e Email, now time.Time) error {
	id := uuid.New()
	msg, err := sealEmail(s.vault, id, e)
	if err != nil {
		return err
	}
	_, err = s.db.Pool.Exec(ctx, `INSERT INTO outbox (id, kind, message, created_at, send_after)
		SELECT $1, 'preferences_link', $2, $3, $3
		WHERE EXISTS (SELECT 1 FROM subjects WHERE email_index = $4)
		   OR EXISTS (SELECT 1 FROM suppressions WHERE email_index = $4)`, id, msg, now.UTC(), []byte(p))
	if err != nil {
		return fmt.Errorf("models: preferences link: %w", err)
	}
	return nil
}
