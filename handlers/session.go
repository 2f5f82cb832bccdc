package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
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
	row, err := s.db.Touch(r.Context(), c.Value, s.now())
	if errors.Is(err, models.ErrNotFound) {
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	var data models.SessionData
	if err := json.Unmarshal(row.Data, &data); err != nil {
		return sess, nil // unreadable: treat as no session
	}
	sess.Values[sessAuthAt] = data.AuthAt
	sess.Values[sessCSRF] = data.CSRF
	sess.Values[sessStaffID] = row.StaffID.String()
	sess.Values[sessRole] = row.Role
	sess.Values[sessName] = row.Name
	sess.Values[sessMustChange] = row.MustChange
	sess.Values[sessLang] = row.Lang
	sess.ID = c.Value
	sess.IsNew = false
	return sess, nil
}

// Save writes the session. A session without an id gets a new random one (a
// login always creates a new session: the caller deletes the old one first,
// against session fixation); MaxAge < 0 deletes it.
func (s *pgStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
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
