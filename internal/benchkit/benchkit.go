package benchkit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/models"
)

// SignIn creates a signed-in session for staff member id without the
// password and TOTP round, and lifts the forced password change that would
// otherwise redirect every request. ownerPool may update the account.
func SignIn(ctx context.Context, pool *pgxpool.Pool, sessions *models.SessionStore, id uuid.UUID, now time.Time) (string, error) {
	data, err := json.Marshal(models.SessionData{AuthAt: now.Unix()})
	if err != nil {
		return "", err
	}
	if _, err := pool.Exec(ctx, "UPDATE staff SET must_change_password = false WHERE id = $1", id); err != nil {
		return "", fmt.Errorf("benchkit: sign-in: %w", err)
	}
	token := models.NewSessionToken()
	if err := sessions.Create(ctx, token, id, data, now); err != nil {
		return "", err
	}
	return token, nil
}

// FillAccessLog appends n synthetic events, spread over the past year, with
// valid chains (the DPO's page on a realistic volume). It runs as the owner,
// with COPY, holding every chain's lock meanwhile.
func FillAccessLog(ctx context.Context, ownerPool *pgxpool.Pool, n int, staff []models.Staff, now time.Time) error {
	if len(staff) == 0 {
		return fmt.Errorf("benchkit: fill: no staff")
	}
	err := pgx.BeginFunc(ctx, ownerPool, func(tx pgx.Tx) error {
		// Each chain's newest link, its head row locked until the fill
		// commits (appends wait on it), or its newest event when the chain
		// has no head row yet.
		heads := make([][]byte, models.Chains)
		for c := int16(0); c < models.Chains; c++ {
			err := tx.QueryRow(ctx, "SELECT hash FROM access_chain_heads WHERE chain = $1 FOR UPDATE", c).Scan(&heads[c])
			if err == pgx.ErrNoRows {
				err = tx.QueryRow(ctx, "SELECT hash FROM access_events WHERE chain = $1 ORDER BY id DESC LIMIT 1", c).Scan(&heads[c])
			}
			if err != nil && err != pgx.ErrNoRows {
				return err
			}
		}
		actions := []string{models.ActionView, models.ActionView, models.ActionView, models.ActionList, models.ActionUpdate,
			models.ActionDownload, models.ActionExport, models.ActionLogin, models.ActionDenied}
		start := now.Add(-models.AccessLogRetention + time.Hour)
		step := models.AccessLogRetention / time.Duration(n+1)
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n {
				return nil, nil
			}
			s := staff[i%len(staff)]
			sid := s.ID
			recID := uuid.UUID([16]byte{byte(i), byte(i >> 8), byte(i >> 16), 0x40})
			e := models.AccessEvent{Chain: int16(i % models.Chains), At: start.Add(time.Duration(i) * step), StaffID: &sid, Role: s.Role,
				Action: actions[i%len(actions)], Purpose: "contact", RecordID: &recID, IP: "192.0.2.10", UserAgent: "bench", Outcome: models.OutcomeOK}
			if e.Action == models.ActionDenied {
				e.Outcome = models.OutcomeDenied
			}
			prev := heads[e.Chain]
			d, h := models.Link(&e, prev)
			if prev == nil {
				prev = make([]byte, len(h))
			}
			row := []any{e.Chain, e.At, sid, e.Role, e.Action, e.Purpose, recID, e.IP, e.UserAgent, e.Outcome, false, d, prev, h}
			heads[e.Chain] = h
			i++
			return row, nil
		})
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"access_events"},
			[]string{"chain", "at", "staff_id", "role", "action", "purpose", "record_id", "ip", "user_agent", "outcome", "restricted", "digest", "prev_hash", "hash"}, src)
		if err != nil {
			return err
		}
		for c, h := range heads {
			if h == nil {
				continue
			}
			// prev_hash of a head is scratch for the next append: any value does.
			if _, err := tx.Exec(ctx, `INSERT INTO access_chain_heads (chain, prev_hash, hash) VALUES ($1, $2, $2)
				ON CONFLICT (chain) DO UPDATE SET hash = excluded.hash`, int16(c), h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("benchkit: fill: %w", err)
	}
	// A million rows at once leave the planner's statistics behind, and
	// would set autovacuum going in the middle of the next measurement:
	// vacuum and analyze now, as a long-lived log would be.
	_, err = ownerPool.Exec(ctx, "VACUUM ANALYZE access_events")
	return err
}
