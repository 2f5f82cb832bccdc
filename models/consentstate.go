package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The current state of a consent is the latest row of the append-only
// consents ledger for its subject, purpose and kind: a grant, or a
// withdrawal that ends it (art. 7(3)). PostgreSQL keeps that latest row in
// consent_state (triggers on the ledger, migration 00011), indexed for the
// audiences; this file is the one place that reads it.

// ConsentState is where one consent box of one purpose stands for a person.
type ConsentState struct {
	Purpose string
	Kind    string
	Granted bool
	Source  string // form, preferences, rights_request, …
	At      time.Time
}

func collectConsentStates(rows pgx.Rows) ([]ConsentState, error) {
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ConsentState])
	if err != nil {
		return nil, fmt.Errorf("models: consent state: %w", err)
	}
	return out, nil
}

// currentlyGranted reports whether subject's latest answer to the box is a grant.
func currentlyGranted(ctx context.Context, q Querier, subject uuid.UUID, purpose, kind string) (bool, error) {
	var granted bool
	err := q.QueryRow(ctx, `SELECT coalesce((SELECT granted FROM consent_state
		WHERE subject_id = $1 AND purpose = $2 AND kind = $3), false)`, subject, purpose, kind).Scan(&granted)
	if err != nil {
		return false, fmt.Errorf("models: consent state: %w", err)
	}
	return granted, nil
}

// notSuppressedSQL keeps the consent_state rows (alias cs) of people on no
// objection list for channel $3 nor for all prospecting: each row carries
// its subject's objections (migration 00016), so an audience reads one
// index and joins nothing.
const notSuppressedSQL = `NOT cs.suppressed && ARRAY['` + SuppressAll + `', $3]::text[]`

// audienceSQL selects, for the purpose $1 and consent box $2 opening channel
// $3 ($4: a double opt-in purpose, whose form answer counts once confirmed),
// the latest record visible in the transaction's scope of every person
// whose consent to that box is current and who is on no objection list for
// the channel: the only way a marketing list is drawn. The people come from
// one range of consent_state_audience; each one's record is then found by
// its subject (records_subject), so row-level security checks only the
// records of the list, never every record of the purpose.
const audienceSQL = `SELECT r.id, r.fields
  FROM consent_state cs
 CROSS JOIN LATERAL (SELECT id, fields FROM records
         WHERE subject_id = cs.subject_id AND purpose = cs.purpose AND NOT objected
         ORDER BY created_at DESC, id DESC LIMIT 1) r
 WHERE cs.purpose = $1 AND cs.kind = $2 AND cs.granted
   AND (NOT $4::boolean OR cs.source <> 'form')
   AND ` + notSuppressedSQL + `
 ORDER BY cs.subject_id`

// audienceCountSQL counts the people of audienceSQL from the consent state
// alone, in two index-only scans (migration 00022): those on no objection
// list at all (consent_state_count_clear, entries without a subject, so a
// few dozen pages for 100,000 people), plus those who objected to something
// but not to this channel nor to all prospecting (notSuppressedSQL, on
// consent_state_count_objecting). A person whose every record is
// restricted (art. 18) is counted here and left out of the export, whose
// logged count is exact.
const audienceCountSQL = `SELECT
 (SELECT count(*) FROM consent_state cs
   WHERE cs.purpose = $1 AND cs.kind = $2 AND cs.granted AND cs.suppressed = '{}'
     AND (NOT $4::boolean OR cs.source <> 'form'))
 + (SELECT count(*) FROM consent_state cs
   WHERE cs.purpose = $1 AND cs.kind = $2 AND cs.granted AND cs.suppressed <> '{}'
     AND (NOT $4::boolean OR cs.source <> 'form')
     AND ` + notSuppressedSQL + `)`

// subjectConsents is the consent state and objections of the subject of a
// record, for the record page (read in the record's scope).
type SubjectConsents struct {
	States     []ConsentState
	Suppressed map[string]time.Time // channel or SuppressAll → since
}

// OptOut records that the person of a record refused a channel (an opt-out
// said during an automated call, source SuppressionFromCall), as a
// suppression of their email and phone, logged as an update of the record.
func (s *RecordStore) OptOut(ctx context.Context, a Actor, purpose string, id uuid.UUID, channel, source string) error {
	ev := a.event(ActionUpdate, purpose)
	ev.RecordID = &id
	return s.logged(ctx, a, &ev, func(q Querier) error {
		var email, phone []byte
		err := q.QueryRow(ctx, `SELECT subj.id, subj.email_index, subj.phone_index FROM records r JOIN subjects subj ON subj.id = r.subject_id
			WHERE r.id = $1 AND r.purpose = $2`, id, purpose).Scan(&ev.SubjectID, &email, &phone)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("models: opt-out: %w", err)
		}
		return NewSuppressionStore(s.db, s.vault).Add(ctx, q, Suppression{EmailIndex: email, PhoneIndex: phone,
			Channel: channel, Source: source, At: a.Now})
	})
}
