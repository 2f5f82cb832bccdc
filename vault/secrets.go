package vault

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SecretFile holds the server secret from which signing keys are derived.
const SecretFile = "secret.key"

// Secrets derives independent keys (consent cookie, session cookie, signed
// email links…) from one server secret, so each use has its own key and a key
// leaked from one cannot forge another.
type Secrets struct {
	master []byte
}

// LoadOrCreateSecrets reads dir/secret.key, creating it (32 random bytes,
// 0600) on first use in development.
func LoadOrCreateSecrets(dir string) (*Secrets, error) {
	path := filepath.Join(dir, SecretFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("vault: %w", err)
		}
		b = make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("vault: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) { // another process won the race: use its secret
			return LoadOrCreateSecrets(dir)
		}
		if err != nil {
			return nil, fmt.Errorf("vault: %w", err)
		}
		_, werr := f.Write(b)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("vault: write %s: %w", path, werr)
		}
	} else if err != nil {
		return nil, fmt.Errorf("vault: read %s: %w", path, err)
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("vault: %s holds %d bytes, want at least 32", path, len(b))
	}
	return &Secrets{master: b}, nil
}

// LoadSecrets reads dir/secret.key and never creates it (production: a
// missing secret is a deployment error, not a reason to invent a new one).
func LoadSecrets(dir string) (*Secrets, error) {
	path := filepath.Join(dir, SecretFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("vault: read %s: %w", path, err)
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("vault: %s holds %d bytes, want at least 32", path, len(b))
	}
	return &Secrets{master: b}, nil
}

// NewEphemeralSecrets is an in-memory secret for tests.
func NewEphemeralSecrets() *Secrets {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return &Secrets{master: b}
}

// Key derives the 32-byte key for one use, named by purpose (e.g.
// "consent-cookie"). The same purpose always gives the same key.
func (s *Secrets) Key(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, s.master, nil, "privacy-portal/"+purpose, 32)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce; 32 is always fine
	}
	return k
}

// String never shows the secret.
func (s *Secrets) String() string { return "vault.Secrets{…}" }
