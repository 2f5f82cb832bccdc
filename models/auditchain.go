package models

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AccessLogRetention is how long access events are kept: the CNIL
// recommends six months to a year for access logs; we keep a year.
const AccessLogRetention = 365 * 24 * time.Hour

// genesis is the previous hash of the first row of a chain.
var genesis = make([]byte, sha256.Size)

// ChainReport is the outcome of a verification.
type ChainReport struct {
	Checked int64  // rows whose links were checked
	OK      bool   // every link holds
	Chain   int16  // where the first broken link is, when !OK
	ID      int64  // id of the first row whose link is broken
	Reason  string // what does not match
}

func (r ChainReport) String() string {
	if r.OK {
		return fmt.Sprintf("access log intact: %d events checked", r.Checked)
	}
	return fmt.Sprintf("access log BROKEN at chain %d, event %d: %s (%d events checked before)", r.Chain, r.ID, r.Reason, r.Checked)
}

type checkpoint struct {
	upto int64
	hash []byte
}

// checkpointMAC signs a checkpoint so a forged one (placed to hide a
// rewritten chain) is refused.
func checkpointMAC(key []byte, chain int16, upto int64, hash []byte, pruned int64) []byte {
	m := hmac.New(sha256.New, key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(chain))
	m.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(upto))
	m.Write(b[:])
	m.Write(hash)
	binary.BigEndian.PutUint64(b[:], uint64(pruned))
	m.Write(b[:])
	return m.Sum(nil)
}

func latestCheckpoints(ctx context.Context, db *DB, key []byte) (map[int16]checkpoint, *ChainReport, error) {
	rows, err := db.Gorm.WithContext(ctx).Raw(`SELECT DISTINCT ON (chain) chain, upto_id, hash, pruned, signature
		FROM access_checkpoints ORDER BY chain, upto_id DESC`).Rows()
	if err != nil {
		return nil, nil, fmt.Errorf("models: checkpoints: %w", err)
	}
	defer rows.Close()
	cps := map[int16]checkpoint{}
	for rows.Next() {
		var c int16
		var cp checkpoint
		var pruned int64
		var sig []byte
		if err := rows.Scan(&c, &cp.upto, &cp.hash, &pruned, &sig); err != nil {
			return nil, nil, fmt.Errorf("models: checkpoints: %w", err)
		}
		if !hmac.Equal(sig, checkpointMAC(key, c, cp.upto, cp.hash, pruned)) {
			return nil, &ChainReport{Chain: c, ID: cp.upto, Reason: "checkpoint signature does not match"}, nil
		}
		cps[c] = cp
	}
	return cps, nil, rows.Err()
}

// VerifyAccessLog walks every chain in id order and names the first broken
// link: a row whose content no longer matches its digest (UPDATE), whose
// previous hash is not the hash of the row before it (DELETE, reordering,
// insertion), or whose hash is not sha256(prev || digest). key verifies the
// pruning checkpoints. tail > 0 checks only the newest tail rows of each
// chain (the DPO page's quick status); 0 checks everything.
func VerifyAccessLog(ctx context.Context, db *DB, key []byte, tail int) (ChainReport, error) {
	cps, bad, err := latestCheckpoints(ctx, db, key)
	if err != nil || bad != nil {
		if bad != nil {
			return *bad, nil
		}
		return ChainReport{}, err
	}
	heads, bad, err := latestHeads(ctx, db, key)
	if err != nil || bad != nil {
		if bad != nil {
			return *bad, nil
		}
		return ChainReport{}, err
	}
	var rep ChainReport
	for c := int16(0); c < Chains; c++ {
		prev, from := genesis, int64(0)
		if cp, ok := cps[c]; ok {
			prev, from = cp.hash, cp.upto
		}
		q := `SELECT id, at, staff_id, role, action, purpose, record_id, subject_id, ip, user_agent, outcome, restricted, digest, prev_hash, hash
			FROM access_events WHERE chain = ? AND id > ? ORDER BY id`
		args := []any{c, from}
		if tail > 0 {
			q = `SELECT * FROM (SELECT id, at, staff_id, role, action, purpose, record_id, subject_id, ip, user_agent, outcome, restricted, digest, prev_hash, hash
				FROM access_events WHERE chain = ? AND id > ? ORDER BY id DESC LIMIT ?) t ORDER BY id`
			args = append(args, tail)
			prev = nil // the first row of the tail links to a row we do not read
		}
		// The newest signed head must still be on the chain, unchanged (not
		// in tail mode, which reads too little to know; nor once pruned).
		var head *checkpoint
		if h, ok := heads[c]; ok && tail == 0 && h.upto > from {
			head = &h
		}
		broken, err := verifyChain(ctx, db, c, q, args, prev, head, &rep.Checked)
		if err != nil {
			return ChainReport{}, err
		}
		if broken != nil {
			broken.Checked = rep.Checked
			return *broken, nil
		}
	}
	rep.OK = true
	return rep, nil
}

func verifyChain(ctx context.Context, db *DB, c int16, q string, args []any, prev []byte, head *checkpoint, checked *int64) (*ChainReport, error) {
	rows, err := db.Gorm.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("models: verify: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := AccessEvent{Chain: c}
		if err := rows.Scan(&e.ID, &e.At, &e.StaffID, &e.Role, &e.Action, &e.Purpose, &e.RecordID, &e.SubjectID,
			&e.IP, &e.UserAgent, &e.Outcome, &e.Restricted, &e.Digest, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("models: verify: %w", err)
		}
		e.At = e.At.UTC()
		broken := func(reason string) *ChainReport { return &ChainReport{Chain: c, ID: e.ID, Reason: reason} }
		if !bytes.Equal(e.digest(), e.Digest) {
			return broken("content changed since it was logged"), nil
		}
		if prev != nil && !bytes.Equal(e.PrevHash, prev) {
			return broken("previous hash does not match the row before it (a row was deleted, inserted or moved)"), nil
		}
		sum := sha256.Sum256(append(append([]byte{}, e.PrevHash...), e.Digest...))
		if !bytes.Equal(sum[:], e.Hash) {
			return broken("hash does not match its content"), nil
		}
		if head != nil && e.ID == head.upto {
			if !bytes.Equal(e.Hash, head.hash) {
				return broken("differs from the chain's signed head (the chain was rewritten)"), nil
			}
			head = nil // found
		}
		prev = e.Hash
		*checked++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if head != nil {
		return &ChainReport{Chain: c, ID: head.upto, Reason: "signed head missing: events were deleted"}, nil
	}
	return nil, nil
}

// PruneAccessLog deletes the events older than cutoff, chain by chain, and
// leaves a signed checkpoint holding the hash of the last deleted row, so the
// remaining rows still verify. It runs as the owner (the application cannot
// delete from the log).
func PruneAccessLog(ctx context.Context, ownerPool *pgxpool.Pool, key []byte, cutoff time.Time) (int64, error) {
	var total int64
	err := pgx.BeginFunc(ctx, ownerPool, func(tx pgx.Tx) error {
		for c := int16(0); c < Chains; c++ {
			// Block appends to this chain while it is cut.
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(727, $1)", c); err != nil {
				return err
			}
			var upto int64
			var hash []byte
			err := tx.QueryRow(ctx, `SELECT id, hash FROM access_events WHERE chain = $1 AND at < $2
				ORDER BY id DESC LIMIT 1`, c, cutoff).Scan(&upto, &hash)
			if err == pgx.ErrNoRows {
				continue
			}
			if err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, "DELETE FROM access_events WHERE chain = $1 AND id <= $2", c, upto)
			if err != nil {
				return err
			}
			n := tag.RowsAffected()
			if _, err := tx.Exec(ctx, `INSERT INTO access_checkpoints (chain, upto_id, hash, pruned, signature)
				VALUES ($1, $2, $3, $4, $5)`, c, upto, hash, n, checkpointMAC(key, c, upto, hash, n)); err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("models: prune access log: %w", err)
	}
	return total, nil
}

// headMarker stands in checkpointMAC's "pruned" slot for a signed head, so a
// head's signature can never pass for a pruning checkpoint's, or back.
const headMarker = -1

// SignAccessHeads records a signed copy of each chain's newest link (a
// River job runs it every minute). It returns how many heads it signed.
func SignAccessHeads(ctx context.Context, db *DB, key []byte) (int, error) {
	n := 0
	for c := int16(0); c < Chains; c++ {
		var upto int64
		var hash []byte
		err := db.Pool.QueryRow(ctx, `SELECT id, hash FROM access_events WHERE chain = $1 ORDER BY id DESC LIMIT 1`, c).
			Scan(&upto, &hash)
		if err == pgx.ErrNoRows {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("models: sign heads: %w", err)
		}
		tag, err := db.Pool.Exec(ctx, `INSERT INTO access_heads (chain, upto_id, hash, signature)
			SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM access_heads WHERE chain = $1 AND upto_id >= $2)`,
			c, upto, hash, checkpointMAC(key, c, upto, hash, headMarker))
		if err != nil {
			return n, fmt.Errorf("models: sign heads: %w", err)
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

func latestHeads(ctx context.Context, db *DB, key []byte) (map[int16]checkpoint, *ChainReport, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ON (chain) chain, upto_id, hash, signature
		FROM access_heads ORDER BY chain, upto_id DESC`)
	if err != nil {
		return nil, nil, fmt.Errorf("models: heads: %w", err)
	}
	defer rows.Close()
	heads := map[int16]checkpoint{}
	for rows.Next() {
		var c int16
		var h checkpoint
		var sig []byte
		if err := rows.Scan(&c, &h.upto, &h.hash, &sig); err != nil {
			return nil, nil, fmt.Errorf("models: heads: %w", err)
		}
		if !hmac.Equal(sig, checkpointMAC(key, c, h.upto, h.hash, headMarker)) {
			return nil, &ChainReport{Chain: c, ID: h.upto, Reason: "signed head's signature does not match"}, nil
		}
		heads[c] = h
	}
	return heads, nil, rows.Err()
}

// CheckpointKeyName names the derived key (vault.Secrets) that signs the
// access log's pruning checkpoints and chain heads.
const CheckpointKeyName = "access-log-checkpoint"

// BenchFillAccessLog appends n synthetic events, spread over the past year,
// with valid chains (benchmarks of the DPO's page on a realistic volume). It
// runs as the owner, with COPY, holding every chain's lock meanwhile.
func BenchFillAccessLog(ctx context.Context, ownerPool *pgxpool.Pool, n int, staff []Staff, now time.Time) error {
	if len(staff) == 0 {
		return fmt.Errorf("models: bench fill: no staff")
	}
	err := pgx.BeginFunc(ctx, ownerPool, func(tx pgx.Tx) error {
		heads := make([][]byte, Chains)
		for c := int16(0); c < Chains; c++ {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(727, $1)", c); err != nil {
				return err
			}
			err := tx.QueryRow(ctx, "SELECT hash FROM access_events WHERE chain = $1 ORDER BY id DESC LIMIT 1", c).Scan(&heads[c])
			if err == pgx.ErrNoRows {
				heads[c] = genesis
			} else if err != nil {
				return err
			}
		}
		actions := []string{ActionView, ActionView, ActionView, ActionList, ActionUpdate, ActionDownload, ActionExport, ActionLogin, ActionDenied}
		start := now.Add(-AccessLogRetention + time.Hour)
		step := AccessLogRetention / time.Duration(n+1)
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n {
				return nil, nil
			}
			s := staff[i%len(staff)]
			sid := s.ID
			rec := [16]byte{byte(i), byte(i >> 8), byte(i >> 16), 0x40}
			recID := uuidFrom(rec)
			e := AccessEvent{Chain: int16(i % Chains), At: start.Add(time.Duration(i) * step), StaffID: &sid, Role: s.Role,
				Action: actions[i%len(actions)], Purpose: "contact", RecordID: &recID, IP: "192.0.2.10", UserAgent: "bench", Outcome: OutcomeOK}
			if e.Action == ActionDenied {
				e.Outcome = OutcomeDenied
			}
			e.normalise()
			d := e.digest()
			sum := sha256.Sum256(append(append([]byte{}, heads[e.Chain]...), d...))
			row := []any{e.Chain, e.At, sid, e.Role, e.Action, e.Purpose, recID, e.IP, e.UserAgent, e.Outcome, false, d, heads[e.Chain], sum[:]}
			heads[e.Chain] = sum[:]
			i++
			return row, nil
		})
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"access_events"},
			[]string{"chain", "at", "staff_id", "role", "action", "purpose", "record_id", "ip", "user_agent", "outcome", "restricted", "digest", "prev_hash", "hash"}, src)
		return err
	})
	if err != nil {
		return err
	}
	// A million rows at once leave the planner's statistics behind, and
	// would set autovacuum going in the middle of the next measurement:
	// vacuum and analyze now, as a long-lived log would be.
	_, err = ownerPool.Exec(ctx, "VACUUM ANALYZE access_events")
	return err
}
