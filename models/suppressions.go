package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// SuppressAll is the channel of an objection to all prospecting (art.
// 21(2)-(3)): it covers every channel of policy.Channels.
const SuppressAll = "all"

// Where a suppression comes from.
const (
	SuppressionFromForm        = "form"
	SuppressionFromPreferences = "preferences"
	SuppressionFromCall        = "call" // an opt-out said during an automated call
	SuppressionFromRights      = "rights_request"
	SuppressionFromStaff       = "staff"
)

var suppressionSources = []string{SuppressionFromForm, SuppressionFromPreferences, SuppressionFromCall,
	SuppressionFromRights, SuppressionFromStaff}

// Suppression is one objection: a person, known by the blind indexes of
// their email and/or phone (so it survives the erasure of their data), who
// must not be reached on Channel (or on any, SuppressAll) again.
//
// Give either the plain identifiers (Email, Phone; normalised and hashed by
// Add, never stored) or the indexes already computed (EmailIndex,
// PhoneIndex, e.g. from the subjects table).
type Suppression struct {
	Email, Phone           string
	EmailIndex, PhoneIndex []byte
	Channel                string // SuppressAll or one of policy.Channels
	Source                 string // SuppressionFrom…
	At                     time.Time
}

// SuppressionStore is the objection list. Every staff list, export and
// audience leaves out who is on it (notSuppressedSQL).
type SuppressionStore struct {
	db    *DB
	vault *vault.Vault
}

// NewSuppressionStore returns the objection list of db, indexed with v.
func NewSuppressionStore(db *DB, v *vault.Vault) *SuppressionStore {
	return &SuppressionStore{db: db, vault: v}
}

// indexes fills in the blind indexes from the plain identifiers.
func (s *SuppressionStore) indexes(in *Suppression) {
	if in.EmailIndex == nil && in.Email != "" {
		in.EmailIndex = s.vault.BlindIndex(vault.KindEmail, in.Email)
	}
	if in.PhoneIndex == nil && in.Phone != "" {
		in.PhoneIndex = s.vault.BlindIndex(vault.KindPhone, in.Phone)
	}
}

// Add appends a suppression inside the caller's transaction q (a rights
// request's, a preferences change's), and flags the person's records so the
// record pages show the objection. It takes effect at the commit.
func (s *SuppressionStore) Add(ctx context.Context, q Querier, in Suppression) error {
	s.indexes(&in)
	if in.EmailIndex == nil && in.PhoneIndex == nil {
		return fmt.Errorf("models: suppression: no email or phone")
	}
	if in.Channel == "" {
		in.Channel = SuppressAll
	}
	if in.Channel != SuppressAll && !slices.Contains(policy.Channels, in.Channel) {
		return fmt.Errorf("models: suppression: unknown channel %q", in.Channel)
	}
	if !slices.Contains(suppressionSources, in.Source) {
		return fmt.Errorf("models: suppression: unknown source %q", in.Source)
	}
	if in.At.IsZero() {
		in.At = time.Now()
	}
	if _, err := q.Exec(ctx, `INSERT INTO suppressions (email_index, phone_index, channel, source, created_at)
		VALUES ($1, $2, $3, $4, $5)`, in.EmailIndex, in.PhoneIndex, in.Channel, in.Source, in.At.UTC()); err != nil {
		return fmt.Errorf("models: suppression: %w", err)
	}
	if in.Channel == SuppressAll {
		// Records are flagged in the transaction's scope (row-level
		// security): a caller scoped to some purposes flags those.
		if _, err := q.Exec(ctx, `UPDATE records SET objected = true WHERE NOT objected AND subject_id IN
			(SELECT id FROM subjects WHERE email_index = $1 OR phone_index = $2)`, in.EmailIndex, in.PhoneIndex); err != nil {
			return fmt.Errorf("models: suppression: %w", err)
		}
	}
	return nil
}

// Record appends a suppression in its own transaction, flagging the
// person's records of every purpose.
func (s *SuppressionStore) Record(ctx context.Context, reg *policy.Registry, in Suppression) error {
	return s.db.Scoped(ctx, Scope{Purposes: reg.PurposeKeys(), SeesRestricted: true}, func(q Querier) error {
		return s.Add(ctx, q, in)
	})
}

// Suppressed reports whether the person is suppressed on channel (an
// objection to all prospecting counts for every channel). channel
// SuppressAll asks about an objection to all prospecting only.
func (s *SuppressionStore) Suppressed(ctx context.Context, q Querier, in Suppression, channel string) (bool, error) {
	s.indexes(&in)
	var yes bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM suppressions
		WHERE (email_index = $1 OR phone_index = $2) AND channel IN ('all', $3))`,
		in.EmailIndex, in.PhoneIndex, channel).Scan(&yes)
	if err != nil {
		return false, fmt.Errorf("models: suppressed: %w", err)
	}
	return yes, nil
}

func collectSuppressed(rows pgx.Rows) (map[string]time.Time, error) {
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var ch string
		var at time.Time
		if err := rows.Scan(&ch, &at); err != nil {
			return nil, fmt.Errorf("models: suppressions: %w", err)
		}
		out[ch] = at
	}
	return out, rows.Err()
}

// objectedSQL is true when the subject whose id is the SQL expression
// subjectID objected to all prospecting.
func objectedSQL(subjectID string) string {
	return `EXISTS (SELECT 1 FROM subjects subj JOIN suppressions x
	  ON (x.email_index = subj.email_index OR x.phone_index = subj.phone_index) AND x.channel = 'all'
	  WHERE subj.id = ` + subjectID + `)`
}
