package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/policy"
)

// An invalid registry stops the process with the file, the line and the
// problem, whichever command loads it.
func TestInvalidRegistryStopsWithLineAndProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte("version: \"1\"\ndate: \"2026-01-01\"\nnot_a_key: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PORTAL_POLICY", path)
	for _, args := range [][]string{{"policy", "check", path}, {"serve"}} {
		t.Run(args[0], func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, &out, &errOut)
			if err == nil {
				t.Fatal("an invalid registry was accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, "broken.yaml:3") || !strings.Contains(msg, "not_a_key") {
				t.Errorf("error %q does not name the file, line 3 and the unknown key", msg)
			}
		})
	}
}

func TestEmbeddedRegistryIsValid(t *testing.T) {
	t.Setenv("PORTAL_POLICY", "")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"policy", "check"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "valid") {
		t.Errorf("output %q", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, &out, &out); err == nil || !strings.Contains(out.String(), "usage") {
		t.Errorf("unknown command: err %v, output %q", err, out.String())
	}
}

// Keys are generated only when asked (development); in production a missing
// keyset stops the process instead of starting with keys that read nothing.
func TestOpenVaultCreatesKeysOnlyWhenAsked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if _, _, err := openVault(config{KeysDir: dir}); err == nil || !strings.Contains(err.Error(), "PORTAL_CREATE_KEYS") {
		t.Fatalf("missing keys without PORTAL_CREATE_KEYS: err = %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the refusal created the keys directory")
	}
	if _, _, err := openVault(config{KeysDir: dir, CreateKeys: true}); err != nil {
		t.Fatalf("development start: %v", err)
	}
	// Outside development, keysets in clear are refused: they must be
	// encrypted under the master key.
	if _, _, err := openVault(config{KeysDir: dir}); err == nil || !strings.Contains(err.Error(), "PORTAL_MASTER_KEY_FILE") {
		t.Errorf("clear keysets without PORTAL_CREATE_KEYS: %v", err)
	}
}

// `portal policy purposes` prints every purpose key of the registry, comma-separated.
func TestPolicyPurposes(t *testing.T) {
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"policy", "purposes"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	reg, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(out.String()), strings.Join(reg.PurposeKeys(), ","); got != want {
		t.Errorf("policy purposes = %q, want %q", got, want)
	}
}
