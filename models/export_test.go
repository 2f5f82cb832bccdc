package models_test

import (
	"testing"

	"github.com/alegria/privacy-portal/migrations"
	"github.com/alegria/privacy-portal/policy"
)

func migrationsLatest() (int64, error) { return migrations.Latest() }

// registry is the embedded policy, shared by the model tests.
func registry(t testing.TB) *policy.Registry {
	t.Helper()
	reg, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
