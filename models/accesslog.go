package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Actions recorded in the access log. The CNIL (délibération 2021-122)
// expects every consultation, creation, change and deletion to be traced,
// along with logins and refusals.
const (
	ActionList        = "list"
	ActionView        = "view"
	ActionDownload    = "download"
	ActionExport      = "export"
	ActionUpdate      = "update"
	ActionErase       = "erase"
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionLogout      = "logout"
	ActionDenied      = "denied"
	ActionReadLog     = "read_log" // the DPO reading this log is itself logged
	ActionStaffAdmin  = "staff_admin"
)

// Actions lists every action, for the DPO's filter.
var Actions = []string{ActionList, ActionView, ActionDownload, ActionExport, ActionUpdate, ActionErase,
	ActionLogin, ActionLoginFailed, ActionLogout, ActionDenied, ActionReadLog, ActionStaffAdmin}

// Outcomes of an access.
const (
	OutcomeOK     = "ok"
	OutcomeDenied = "denied"
	OutcomeFailed = "failed"
)

// Chains is how many independent hash chains the log is split into. One
// chain would make every logged request wait for the previous one's commit
// (the chain's lock is held until commit); eight let sixteen concurrent
// requests mostly proceed in parallel while each chain still detects any
// edit, deletion or reordering of its rows.
const Chains = 8

// AccessEvent is one row of the access log. It names who, when, what and
// which data (ids only: never the personal data itself).
type AccessEvent struct {
	ID         int64
	Chain      int16
	At         time.Time
	StaffID    *uuid.UUID `gorm:"type:uuid"`
	Role       string
	Action     string
	Purpose    string
	RecordID   *uuid.UUID `gorm:"type:uuid"`
	SubjectID  *uuid.UUID `gorm:"type:uuid"`
	IP         string
	UserAgent  string
	Outcome    string
	Restricted bool // the record read was under restriction of processing
	Digest     []byte
	PrevHash   []byte
	Hash       []byte
}

// maxUserAgent bounds what a client can make us store.
const maxUserAgent = 256

// normalise puts the event in the exact form the database will give back,
// so the digest computed now is the one verification recomputes.
func (e *AccessEvent) normalise() {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.UserAgent = clip(e.UserAgent, maxUserAgent)
	e.IP = clip(e.IP, 64)
}

// clip makes client-sent text storable: valid UTF-8 (PostgreSQL refuses
// anything else, and a refused log row would refuse the access, or let a
// failed login go uncounted), cut at a character boundary within max bytes.
func clip(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) { // a character cut in half: at most three bytes to drop
		s = s[:len(s)-1]
	}
	return s
}

// digest is the SHA-256 of the event's canonical content: every field,
// length-prefixed, in a fixed order. The chain hashes this digest with the
// previous row's hash.
func (e *AccessEvent) digest() []byte {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	id := func(u *uuid.UUID) []byte {
		if u == nil {
			return nil
		}
		return u[:]
	}
	binary.BigEndian.PutUint64(n[:], uint64(e.Chain))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(e.At.UnixMicro()))
	h.Write(n[:])
	put(id(e.StaffID))
	put([]byte(e.Role))
	put([]byte(e.Action))
	put([]byte(e.Purpose))
	put(id(e.RecordID))
	put(id(e.SubjectID))
	put([]byte(e.IP))
	put([]byte(e.UserAgent))
	put([]byte(e.Outcome))
	if e.Restricted {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// ErrLogUnavailable means the access could not be logged; the caller must
// not show the data (no log, no access).
var ErrLogUnavailable = errors.New("models: access log unavailable")

// LogAccess appends e to the log inside tx. Call it as the last statement of
// the transaction that performs the access: the chain's lock is then held only
// until the commit that follows.
func LogAccess(tx *gorm.DB, e AccessEvent) error {
	args, err := e.logArgs()
	if err != nil {
		return err
	}
	if err := tx.Exec(`SELECT portal_log_access(?::smallint, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...).Error; err != nil {
		return fmt.Errorf("%w: %v", ErrLogUnavailable, err)
	}
	return nil
}

// logAccessSQL is LogAccess's statement for pgx callers (positional $n).
const logAccessSQL = `SELECT portal_log_access($1::smallint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`

// logArgs normalises e, picks its chain and returns portal_log_access's
// arguments in order.
func (e AccessEvent) logArgs() ([]any, error) {
	e.normalise()
	c, err := rand.Int(rand.Reader, big.NewInt(Chains))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLogUnavailable, err)
	}
	e.Chain = int16(c.Int64())
	return []any{e.Chain, e.At, e.StaffID, e.Role, e.Action, e.Purpose, e.RecordID, e.SubjectID,
		e.IP, e.UserAgent, e.Outcome, e.Restricted, e.digest()}, nil
}

// Log appends one event in its own transaction (logins, denials: accesses
// that read no data).
func (db *DB) Log(ctx context.Context, e AccessEvent) error {
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return LogAccess(tx, e) })
}

func uuidFrom(b [16]byte) uuid.UUID { return uuid.UUID(b) }
