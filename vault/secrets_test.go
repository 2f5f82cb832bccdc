package vault_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/alegria/privacy-portal/vault"
)

func TestSecretsDeriveStableIndependentKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	s, err := vault.LoadOrCreateSecrets(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, vault.SecretFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v, want 0600", st, err)
	}
	again, err := vault.LoadOrCreateSecrets(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Key("a"), again.Key("a")) {
		t.Error("reloading changed a derived key")
	}
	if bytes.Equal(s.Key("a"), s.Key("b")) {
		t.Error("two purposes share a key")
	}
	if bytes.Equal(s.Key("a"), vault.NewEphemeralSecrets().Key("a")) {
		t.Error("two secrets derive the same key")
	}
}
