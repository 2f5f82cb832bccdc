package models

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
	"math"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/alegria/privacy-portal/policy"
)

// Staff invitations: a new member receives a link that is signed with a key
// derived from the server secret (it cannot be forged), names its account,
// expires after policy.Durations.Invitation and works once (only the hash of
// its nonce is stored, and it is cleared when used or replaced).

var (
	// ErrInvitationInvalid covers a forged, expired, used or replaced link.
	ErrInvitationInvalid = errors.New("models: invitation invalid or expired")
	// ErrBadCode is a first authenticator code that does not match.
	ErrBadCode = errors.New("models: authenticator code does not match")
)

// InvitationKeyName names the key (derived from the server secret) that
// signs invitation links.
const InvitationKeyName = "staff-invitation"

// Invitation is a link's token for one account.
type Invitation struct {
	Staff     Staff
	Token     string
	ExpiresAt time.Time
}

const inviteTokenLen = 16 + 16 + 8 + sha256.Size

// newInvitation signs a token for s: account id, random nonce, expiry, and
// an HMAC of the three.
func (st *StaffStore) newInvitation(s Staff, now time.Time) (Invitation, []byte, error) {
	if len(st.inviteKey) == 0 {
		return Invitation{}, nil, errors.New("models: no invitation key")
	}
	expires := policy.Durations.Invitation.After(now).UTC().Truncate(time.Second)
	raw := make([]byte, 0, inviteTokenLen)
	raw = append(raw, s.ID[:]...)
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return Invitation{}, nil, fmt.Errorf("models: invitation: %w", err)
	}
	raw = append(raw, nonce...)
	raw = binary.BigEndian.AppendUint64(raw, uint64(max(expires.Unix(), 0))) // a date after 1970
	mac := hmac.New(sha256.New, st.inviteKey)
	mac.Write(raw)
	raw = mac.Sum(raw)
	h := sha256.Sum256(nonce)
	return Invitation{Staff: s, Token: base64.RawURLEncoding.EncodeToString(raw), ExpiresAt: expires}, h[:], nil
}

// parseInvitation checks a token's signature and expiry; it returns the
// account id and the hash of the nonce the database must hold.
func (st *StaffStore) parseInvitation(token string, now time.Time) (uuid.UUID, []byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != inviteTokenLen || len(st.inviteKey) == 0 {
		return uuid.Nil, nil, ErrInvitationInvalid
	}
	body, sig := raw[:inviteTokenLen-sha256.Size], raw[inviteTokenLen-sha256.Size:]
	mac := hmac.New(sha256.New, st.inviteKey)
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return uuid.Nil, nil, ErrInvitationInvalid
	}
	if secs := binary.BigEndian.Uint64(body[32:40]); secs > math.MaxInt64 || !now.Before(time.Unix(int64(secs), 0)) {
		return uuid.Nil, nil, ErrInvitationInvalid
	}
	id, _ := uuid.FromBytes(body[:16])
	h := sha256.Sum256(body[16:32])
	return id, h[:], nil
}

// queue puts an account change's emails in the outbox, in its transaction.
func (st *StaffStore) queue(ctx context.Context, q Querier, mail AccountMail, inv Invitation, now time.Time) error {
	var out []Email
	if mail.Invitation != nil && inv.Token != "" {
		out = append(out, mail.Invitation(inv.Token, inv.ExpiresAt))
	}
	if mail.DPO != nil {
		out = append(out, *mail.DPO)
	}
	for _, e := range out {
		id := uuid.New()
		sealed, err := sealEmail(st.vault, id, e)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO outbox (id, kind, message, created_at, send_after) VALUES ($1, 'staff', $2, $3, $3)`,
			id, sealed, now); err != nil {
			return fmt.Errorf("models: outbox: %w", err)
		}
	}
	return nil
}

// Reinvite replaces the invitation of an account that has not enrolled yet
// (the first one expired or was lost): the old link stops working.
func (st *StaffStore) Reinvite(ctx context.Context, by Actor, id uuid.UUID, mail AccountMail) (Invitation, error) {
	var inv Invitation
	err := st.db.Tx(ctx, func(q Querier) error {
		s, err := takeStaff(ctx, q, "id = $1 FOR UPDATE", id)
		if err != nil {
			return err
		}
		if !s.Invited {
			return ErrInvitationInvalid
		}
		var nonceHash []byte
		if inv, nonceHash, err = st.newInvitation(s, by.Now); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE staff SET invite_hash = $2, invite_expires_at = $3, updated_at = $4 WHERE id = $1`,
			id, nonceHash, inv.ExpiresAt, by.Now); err != nil {
			return fmt.Errorf("models: reinvite: %w", err)
		}
		if err := st.queue(ctx, q, AccountMail{Invitation: mail.Invitation}, inv, by.Now); err != nil {
			return err
		}
		return staffAdmin(ctx, q, &by, id, by.Now)
	})
	return inv, err
}

// InvitationFor returns the account a valid, unused invitation names.
func (st *StaffStore) InvitationFor(ctx context.Context, token string, now time.Time) (Staff, error) {
	id, nonceHash, err := st.parseInvitation(token, now)
	if err != nil {
		return Staff{}, err
	}
	s, err := takeStaff(ctx, st.db.Pool, "id = $1", id)
	if errors.Is(err, ErrNotFound) {
		return Staff{}, ErrInvitationInvalid
	}
	if err != nil {
		return Staff{}, err
	}
	if !st.matches(ctx, s.ID, nonceHash) || !s.Active {
		return Staff{}, ErrInvitationInvalid
	}
	return s, nil
}

func (st *StaffStore) matches(ctx context.Context, id uuid.UUID, nonceHash []byte) bool {
	var ok bool
	err := st.db.Pool.QueryRow(ctx, `SELECT coalesce(invite_hash = $2, false) FROM staff WHERE id = $1`, id, nonceHash).Scan(&ok)
	return err == nil && ok
}

// Authenticator is a fresh TOTP secret offered on the enrolment page: the
// secret as text (manual entry), its otpauth:// URI and a QR code of it as
// a PNG data URI (the page's CSP allows data: images; no third party sees
// the secret).
type Authenticator struct {
	Secret string
	URL    string
	QR     string
}

// NewAuthenticator makes a TOTP secret for account email.
func NewAuthenticator(email string) (Authenticator, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: email})
	if err != nil {
		return Authenticator{}, fmt.Errorf("models: totp: %w", err)
	}
	return authenticatorOf(key)
}

// AuthenticatorFor rebuilds the enrolment of a secret the page already
// offered (the form posts it back with the first code); a value that is not
// such a secret is ErrBadCode.
func AuthenticatorFor(email, secret string) (Authenticator, error) {
	raw, err := decodeSecret(secret)
	if err != nil {
		return Authenticator{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: email, Secret: raw})
	if err != nil {
		return Authenticator{}, fmt.Errorf("models: totp: %w", err)
	}
	return authenticatorOf(key)
}

// decodeSecret reads a base32 TOTP secret of 160 to 512 bits.
func decodeSecret(secret string) ([]byte, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimSpace(secret)))
	if err != nil || len(raw) < 20 || len(raw) > 64 {
		return nil, ErrBadCode
	}
	return raw, nil
}

func authenticatorOf(key *otp.Key) (Authenticator, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return Authenticator{}, fmt.Errorf("models: qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Authenticator{}, fmt.Errorf("models: qr: %w", err)
	}
	return Authenticator{Secret: key.Secret(), URL: key.URL(),
		QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// Enrolment is the new member's answer to an invitation: their password,
// the secret their authenticator holds and a first code from it.
type Enrolment struct {
	Token, Password, Secret, Code string
	IP, UserAgent                 string
	Now                           time.Time
}

// Enrol sets the account's password and authenticator from an invitation,
// once: the link stops working in the same transaction, which is logged.
func (st *StaffStore) Enrol(ctx context.Context, e Enrolment) (Staff, error) {
	id, nonceHash, err := st.parseInvitation(e.Token, e.Now)
	if err != nil {
		return Staff{}, err
	}
	if err := CheckPasswordPolicy(e.Password); err != nil {
		return Staff{}, err
	}
	raw, err := decodeSecret(e.Secret)
	if err != nil {
		return Staff{}, err
	}
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	step := totpStep(secret, e.Code, e.Now)
	if step < 0 {
		return Staff{}, ErrBadCode
	}
	hash, err := argon2id.CreateHash(e.Password, passwordParams)
	if err != nil {
		return Staff{}, fmt.Errorf("models: hash: %w", err)
	}
	sealed, err := st.vault.Encrypt([]byte(secret), totpAAD(id))
	if err != nil {
		return Staff{}, err
	}
	var s Staff
	err = st.db.Tx(ctx, func(q Querier) error {
		tag, err := q.Exec(ctx, `UPDATE staff SET password_hash = $3, totp_secret = $4, totp_last_step = $5, must_change_password = false,
			invite_hash = NULL, invite_expires_at = NULL, updated_at = $6
			WHERE id = $1 AND invite_hash = $2 AND active`, id, nonceHash, hash, sealed, step, e.Now)
		if err != nil {
			return fmt.Errorf("models: enrol: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrInvitationInvalid
		}
		if s, err = takeStaff(ctx, q, "id = $1", id); err != nil {
			return err
		}
		ev := AccessEvent{At: e.Now, StaffID: &s.ID, Role: s.Role, Action: ActionStaffAdmin, IP: e.IP, UserAgent: e.UserAgent,
			Outcome: OutcomeOK, TargetStaffID: &s.ID}
		return logAccess(ctx, q, ev)
	})
	if err != nil {
		return Staff{}, err
	}
	return s, nil
}
