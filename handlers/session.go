package handlers

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/sessions"

	"github.com/alegria/privacy-portal/models"
)

// sessionCookie is the back-office session cookie, as the registry declares
// it. The __Host- prefix pins it to this host and path "/", HTTPS only.
const sessionCookie = "__Host-portal_session"

// Session value keys. Only non-personal values are stored: the account id
// and role (from the staff table, fresh on every request) and the moment of
// login, from which the absolute timeout counts.
const (
	sessStaffID    = "staff_id"
	sessRole       = "role"
	sessName       = "name"
	sessMustChange = "must_change"
	sessAuthAt     = "auth_at" // unix seconds of the login
	sessCSRF       = "csrf"    // the form token bound to this session
	sessLang       = "lang"    // the member's back-office language, fresh from the staff table
)

// pgStore is a gorilla/sessions Store on the sessions table: the cookie holds
// only a random 256-bit id, the database holds the session. Loading a session
// slides its idle deadline and checks its account is still active, in one
// statement; logout and deactivation delete the row, which ends it at once.
type pgStore struct {
	db     *models.SessionStore
	now    func() time.Time
	secure bool
	copies sessionCopies
}

// sessionCopies keeps, per session (by the hash of its id), what its last
// full load read, for the routes whose store verifies the session in the
// transaction that reads the data (staffGate.checkSessionInData): they skip
// the session's own round trip. A copy only saves that read: logout,
// expiry, deactivation and a role change are caught by the check at the
// moment of the read. What it may show stale (the member's name, their
// language) lasts at most sessionCopyTTL, and a state-changing request of
// the session drops its copy at once.
type sessionCopies struct {
	mu   sync.RWMutex // every staff page reads; only loads and changes write
	rows map[[sha256.Size]byte]sessionCopy
}

type sessionCopy struct {
	// values are the session's values as fillSession sets them, boxed once
	// at the load: each request on the copy clones the map, not the values.
	values map[any]any
	at     time.Time
}

const (
	sessionCopyTTL   = 30 * time.Second
	maxSessionCopies = 4096 // past it the copies start over: a bound, not an eviction policy
)

func (sc *sessionCopies) put(token string, cp sessionCopy) {
	k := sha256.Sum256([]byte(token))
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.rows == nil || len(sc.rows) >= maxSessionCopies {
		sc.rows = make(map[[sha256.Size]byte]sessionCopy)
	}
	sc.rows[k] = cp
}

func (sc *sessionCopies) get(token string, now time.Time) (sessionCopy, bool) {
	k := sha256.Sum256([]byte(token))
	sc.mu.RLock()
	cp, ok := sc.rows[k]
	sc.mu.RUnlock()
	if !ok || now.Sub(cp.at) >= sessionCopyTTL || now.Before(cp.at) {
		return cp, false
	}
	return cp, true
}

func (sc *sessionCopies) drop(token string) {
	k := sha256.Sum256([]byte(token))
	sc.mu.Lock()
	defer sc.mu.Unlock()
	delete(sc.rows, k)
}

func newPGStore(db *models.SessionStore, now func() time.Time) *pgStore {
	// __Host- cookies must be Secure. Browsers treat http://localhost as a
	// secure context and accept them there too, which is what development
	// and the browser tests use.
	return &pgStore{db: db, now: now, secure: true}
}

func (s *pgStore) options() *sessions.Options {
	return &sessions.Options{Path: "/", MaxAge: 0, Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteStrictMode}
}

// Get returns the request's session, cached for the request by gorilla.
func (s *pgStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the cookie, or returns a fresh empty one.
func (s *pgStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" || len(c.Value) > 64 {
		return sess, nil
	}
	now := s.now()
	row, err := s.db.Touch(r.Context(), c.Value, now)
	if errors.Is(err, models.ErrNotFound) {
		s.copies.drop(c.Value)
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	var data models.SessionData
	if err := json.Unmarshal(row.Data, &data); err != nil {
		return sess, nil // unreadable: treat as no session
	}
	fillSession(sess, c.Value, row, data)
	s.copies.put(c.Value, sessionCopy{values: maps.Clone(sess.Values), at: now})
	return sess, nil
}

// fromCopy is the request's session from the copy of its last full load,
// if one is fresh: to be verified in the data's transaction
// (models.SessionCheck), never trusted alone.
func (s *pgStore) fromCopy(r *http.Request, name string) (*sessions.Session, bool) {
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" || len(c.Value) > 64 {
		return nil, false
	}
	cp, ok := s.copies.get(c.Value, s.now())
	if !ok {
		return nil, false
	}
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.Values = maps.Clone(cp.values)
	sess.ID, sess.IsNew = c.Value, false
	return sess, true
}

// fillSession sets a loaded session's values.
func fillSession(sess *sessions.Session, token string, row models.SessionRow, data models.SessionData) {
	sess.Values[sessAuthAt] = data.AuthAt
	sess.Values[sessCSRF] = data.CSRF
	sess.Values[sessStaffID] = row.StaffID.String()
	sess.Values[sessRole] = row.Role
	sess.Values[sessName] = row.Name
	sess.Values[sessMustChange] = row.MustChange
	sess.Values[sessLang] = row.Lang
	sess.ID = token
	sess.IsNew = false
}

// Save writes the session. A session without an id gets a new random one (a
// login always creates a new session: the caller deletes the old one first,
// against session fixation); MaxAge < 0 deletes it.
func (s *pgStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.ID != "" {
		s.copies.drop(sess.ID)
	}
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.db.Delete(r.Context(), sess.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	authAt, _ := sess.Values[sessAuthAt].(int64)
	token, _ := sess.Values[sessCSRF].(string)
	buf, err := json.Marshal(models.SessionData{AuthAt: authAt, CSRF: token})
	if err != nil {
		return err
	}
	if sess.ID == "" {
		idStr, _ := sess.Values[sessStaffID].(string)
		staffID, err := uuid.Parse(idStr)
		if err != nil {
			return errors.New("handlers: session without staff id")
		}
		token := models.NewSessionToken()
		if err := s.db.Create(r.Context(), token, staffID, buf, s.now()); err != nil {
			return err
		}
		sess.ID = token
		http.SetCookie(w, sessions.NewCookie(sess.Name(), token, sess.Options))
		return nil
	}
	return s.db.SaveData(r.Context(), sess.ID, buf)
}
