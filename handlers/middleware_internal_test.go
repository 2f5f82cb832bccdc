package handlers

import (
	"encoding/base64"
	"strings"
	"testing"
)

// Each response's policy names a fresh nonce of 16 random bytes, and the
// nonce handed to the views is the one the policy names.
func TestNewCSPNamesItsNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		csp, nonce, err := newCSP()
		if err != nil {
			t.Fatal(err)
		}
		if csp != cspBefore+nonce+cspAfter {
			t.Fatalf("policy %q does not name nonce %q", csp, nonce)
		}
		if raw, err := base64.RawStdEncoding.DecodeString(nonce); err != nil || len(raw) != 16 {
			t.Fatalf("nonce %q: %d bytes, %v", nonce, len(raw), err)
		}
		if seen[nonce] {
			t.Fatalf("nonce %q drawn twice", nonce)
		}
		seen[nonce] = true
	}
}

// Request ids are what Echo's middleware draws: 32 letters, each letter as
// likely as another.
func TestNewRequestIDIsEchos(t *testing.T) {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	seen, counts := map[string]bool{}, map[rune]int{}
	const n = 2000
	for range n {
		id := newRequestID()
		if len(id) != 32 || strings.Trim(id, letters) != "" {
			t.Fatalf("request id %q", id)
		}
		if seen[id] {
			t.Fatalf("request id %q drawn twice", id)
		}
		seen[id] = true
		for _, r := range id {
			counts[r]++
		}
	}
	// 64,000 letters over 52: about 1,231 each; a letter favoured by
	// taking bytes modulo 52 without rejection would come some 25% more often.
	for _, r := range letters {
		if c := counts[r]; c < 1050 || c > 1420 {
			t.Errorf("letter %c drawn %d times in %d", r, c, 32*n)
		}
	}
}
