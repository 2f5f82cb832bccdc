package models

import (
	"testing"

	"github.com/alexedwards/argon2id"
)

// An unknown account costs what a known one does only if the dummy hash
// uses the parameters real hashes use.
func TestDummyHashUsesThePasswordParameters(t *testing.T) {
	p, salt, key, err := argon2id.DecodeHash(dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if p.Memory != passwordParams.Memory || p.Iterations != passwordParams.Iterations || p.Parallelism != passwordParams.Parallelism ||
		len(salt) != int(passwordParams.SaltLength) || len(key) != int(passwordParams.KeyLength) {
		t.Errorf("dummy hash parameters %+v (salt %d B, key %d B), want %+v", p, len(salt), len(key), passwordParams)
	}
	if ok, err := argon2id.ComparePasswordAndHash("not a password of anyone", dummyHash); err != nil || !ok {
		t.Errorf("the dummy hash is not the hash of its phrase: %v %v", ok, err)
	}
}
