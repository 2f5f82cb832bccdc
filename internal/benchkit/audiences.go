package benchkit

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// FillConsents adds n subjects, each with one record of purpose and a
// ledger row for every kind (kinds[0] granted for all, kinds[1] for 11%,
// the others for one in two), and puts 1% on the objection list, all of
// them among kinds[1]'s: the audience of kinds[1] is n/10 people. The ledger is loaded in bulk with its
// row triggers off, then consent_state is rebuilt by the migration's own
// query: the state a trickle of sign-ups would have left. Owner pool only.
func FillConsents(ctx context.Context, owner *pgxpool.Pool, n int, purpose string, kinds []string, now time.Time) error {
	if len(kinds) < 2 {
		return fmt.Errorf("benchkit: need at least two consent kinds")
	}
	tx, err := owner.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	steps := []struct {
		sql  string
		args []any
	}{
		{`SELECT set_config('portal.purposes', $1, true)`, []any{purpose}}, // records are under forced row-level security
		{`CREATE TEMP TABLE bench_subjects ON COMMIT DROP AS
		  SELECT g, (md5('s' || g)::uuid) AS id, sha256(('e' || g)::bytea) AS email_index, sha256(('p' || g)::bytea) AS phone_index
		  FROM generate_series(1, $1::int) g`, []any{n}},
		// Foreign keys checked once at the end, not per row.
		{`ALTER TABLE consents DROP CONSTRAINT consents_subject_id_fkey`, nil},
		{`ALTER TABLE records DROP CONSTRAINT records_subject_id_fkey`, nil},
		{`ALTER TABLE consent_state DROP CONSTRAINT consent_state_subject_id_fkey`, nil},
		{`INSERT INTO subjects (id, email_index, phone_index, created_at) SELECT id, email_index, phone_index, $1 FROM bench_subjects`, []any{now}},
		{`INSERT INTO records (id, purpose, subject_id, status, fields, created_at, last_contact_at, expires_at)
		  SELECT md5('r' || g)::uuid, $1, id, 'registered', '\x00'::bytea, $2::timestamptz, $2::timestamptz, $2::timestamptz + interval '3 years' FROM bench_subjects`, []any{purpose, now}},
		{`ALTER TABLE consents DISABLE TRIGGER consents_state_added`, nil},
		{`INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
		  SELECT s.id, md5('r' || s.g)::uuid, $1, k.kind,
		         CASE WHEN k.i = 1 THEN true WHEN k.i = 2 THEN s.g % 10 = 0 OR s.g % 100 = 5 ELSE s.g % 2 = 0 END,
		         'form', 'bench', '\x00'::bytea, $2
		  FROM bench_subjects s, unnest($3::text[]) WITH ORDINALITY AS k(kind, i)`, []any{purpose, now, kinds}},
		{`ALTER TABLE consents ENABLE TRIGGER consents_state_added`, nil},
		{`ALTER TABLE consents ADD CONSTRAINT consents_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL`, nil},
		{`ALTER TABLE records ADD CONSTRAINT records_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL`, nil},
		// Nobody objected yet: the objections below mark their subjects' rows.
		{`INSERT INTO consent_state (subject_id, purpose, kind, granted, consent_id, source, at)
		  SELECT DISTINCT ON (subject_id, purpose, kind) subject_id, purpose, kind, granted, id, source, created_at
		    FROM consents WHERE subject_id IS NOT NULL AND policy_version = 'bench'
		   ORDER BY subject_id, purpose, kind, created_at DESC, id DESC
		  ON CONFLICT DO NOTHING`, nil},
		{`ALTER TABLE consent_state ADD CONSTRAINT consent_state_subject_id_fkey FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE`, nil},
		{`INSERT INTO suppressions (email_index, phone_index, channel, source, created_at)
		  SELECT email_index, phone_index, 'all', 'preferences', $1 FROM bench_subjects WHERE g % 100 = 5`, []any{now}},
	}
	for _, s := range steps {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("benchkit: fill consents: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	for _, t := range []string{"subjects", "records", "consents", "consent_state", "suppressions"} {
		if _, err := owner.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
			return fmt.Errorf("benchkit: vacuum %s: %w", t, err)
		}
	}
	return nil
}
