package models

import (
	"context"
	"fmt"
	"time"
)

// ConsentStats are the figures the DPO shows to demonstrate how consent is
// collected (art. 7(1)): the banner's answers per day, how often each
// optional cookie category is granted, and the form consent boxes per kind.
// Counts only: no one's data.
type ConsentStats struct {
	Since      time.Time
	Days       []CookieConsentDay
	Categories []CategoryCount
	Forms      []FormConsentCount
}

// CategoryCount is how many banner answers granted one cookie category.
type CategoryCount struct {
	Category string
	Granted  int
	Answers  int // banner answers in the period (accept, reject, custom, GPC)
}

// Rate is the share of answers that granted the category.
func (c CategoryCount) Rate() float64 {
	if c.Answers == 0 {
		return 0
	}
	return float64(c.Granted) / float64(c.Answers)
}

// FormConsentCount is what people did with one kind of consent box on the
// forms: ticked, left unticked, and later withdrawn.
type FormConsentCount struct {
	Kind                         string
	Granted, Declined, Withdrawn int
}

// ConsentStatsStore reads the consent figures from the two ledgers.
type ConsentStatsStore struct{ db *DB }

// NewConsentStatsStore reads through db.
func NewConsentStatsStore(db *DB) *ConsentStatsStore { return &ConsentStatsStore{db: db} }

// Stats computes the figures since since (the command line).
func (s *ConsentStatsStore) Stats(ctx context.Context, since time.Time) (ConsentStats, error) {
	var st ConsentStats
	err := s.db.Tx(ctx, func(q Querier) error {
		var err error
		st, err = consentStats(ctx, q, since)
		return err
	})
	return st, err
}

// Review computes the figures for a staff member and logs the reading in the
// same transaction.
func (s *ConsentStatsStore) Review(ctx context.Context, a Actor, since time.Time) (ConsentStats, error) {
	var st ConsentStats
	err := s.db.Tx(ctx, func(q Querier) error {
		var err error
		if st, err = consentStats(ctx, q, since); err != nil {
			return err
		}
		return logAccess(ctx, q, a.event(ActionReadConsentStats, ""))
	})
	return st, err
}

func consentStats(ctx context.Context, q Querier, since time.Time) (ConsentStats, error) {
	st := ConsentStats{Since: since}
	var err error
	if st.Days, err = cookieConsentDays(ctx, q, since); err != nil {
		return st, err
	}
	rows, err := q.Query(ctx, `WITH answers AS (
		  SELECT categories FROM cookie_consents WHERE created_at >= $1 AND action <> 'withdraw')
		SELECT cat, count(*), (SELECT count(*) FROM answers)
		FROM answers, unnest(categories) AS cat GROUP BY cat ORDER BY cat`, since)
	if err != nil {
		return st, fmt.Errorf("models: consent stats: %w", err)
	}
	for rows.Next() {
		var c CategoryCount
		if err := rows.Scan(&c.Category, &c.Granted, &c.Answers); err != nil {
			rows.Close()
			return st, fmt.Errorf("models: consent stats: %w", err)
		}
		st.Categories = append(st.Categories, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("models: consent stats: %w", err)
	}
	// A form shows each box ticked or not (both are ledger rows); a later
	// withdrawal is a row with another source.
	rows, err = q.Query(ctx, `SELECT kind,
		  count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted AND source = 'form'),
		  count(*) FILTER (WHERE NOT granted AND source <> 'form')
		FROM consents WHERE created_at >= $1 GROUP BY kind ORDER BY kind`, since)
	if err != nil {
		return st, fmt.Errorf("models: consent stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f FormConsentCount
		if err := rows.Scan(&f.Kind, &f.Granted, &f.Declined, &f.Withdrawn); err != nil {
			return st, fmt.Errorf("models: consent stats: %w", err)
		}
		st.Forms = append(st.Forms, f)
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("models: consent stats: %w", err)
	}
	return st, nil
}
