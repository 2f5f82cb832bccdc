// Package vault encrypts personal-data fields and files, and computes the blind
// indexes that let the portal find a person without storing plain identifiers.
//
// It holds two Tink keysets:
//
//   - an AEAD keyset (AES256-GCM, TINK output prefix) for fields and files.
//     Every ciphertext starts with Tink's 5-byte prefix (0x01 + big-endian key
//     id), so a ciphertext names the key that produced it. Rotation adds a new
//     primary key and keeps the old ones, so older ciphertext stays readable and
//     a re-encryption job can find rows not under the primary key (KeyIDOf,
//     PrimaryKeyID).
//   - a MAC keyset (HMAC-SHA256, no output prefix, 32-byte tags) for blind
//     indexes: BlindIndex(kind, value) = HMAC(kind + ":" + normalised value).
//
// Keysets live as JSON files (aead.json, mac.json) in a keys directory (0700,
// files 0600). Without a master key they are stored in cleartext, which is only
// acceptable for development. With Options.MasterKeyPath they are encrypted at
// rest under a master AEAD (a key-encryption key, standing in for a KMS key):
// someone who copies the keys directory or a backup of it, but not the master
// key, learns nothing, and the master key can live elsewhere (another mount, a
// secret manager) or later be replaced by a real KMS AEAD without changing the
// keyset format (keyset.Handle.Write / keyset.Read).
//
// A Vault is immutable and safe for concurrent use. Rotate changes the files
// only; running processes use the new primary key once they reopen the vault.
package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/aead/aesgcm"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/mac/hmac"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Blind-index kinds. The kind is part of the MAC input, so the same value
// indexed under two kinds gives unrelated tags. A kind must not contain ':'.
const (
	KindEmail = "email"
	KindPhone = "phone"
)

const (
	// tinkPrefixSize is Tink's output prefix: one version byte + 4-byte key id.
	tinkPrefixSize = 5
	// tinkStartByte is the version byte of the TINK output prefix.
	tinkStartByte = 0x01
	// minCiphertextSize is prefix + AES-GCM 12-byte nonce + 16-byte tag.
	minCiphertextSize = tinkPrefixSize + 12 + 16
	// blindIndexSize is the size of an HMAC-SHA256 tag without prefix.
	blindIndexSize = 32
)

// ErrDecrypt is returned (wrapped) when a ciphertext cannot be decrypted: it
// was tampered with, its associated data differs, or its key is not in the
// keyset.
var ErrDecrypt = errors.New("vault: decryption failed")

// Vault encrypts fields and files and computes blind indexes.
type Vault struct {
	aead         tink.AEAD
	mac          tink.MAC
	primaryKeyID uint32
}

// NewEphemeral returns a vault with fresh in-memory keysets, for tests.
// Nothing is written to disk; the keys are lost with the value.
func NewEphemeral() (*Vault, error) {
	aeadHandle, err := newAEADHandle()
	if err != nil {
		return nil, err
	}
	macHandle, err := newMACHandle()
	if err != nil {
		return nil, err
	}
	return newVault(aeadHandle, macHandle)
}

func newAEADHandle() (*keyset.Handle, error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("vault: generate AEAD keyset: %w", err)
	}
	return h, nil
}

// macParameters are the blind-index key parameters: HMAC-SHA256 with a 32-byte
// key and plain 32-byte tags (no Tink prefix), so a tag depends only on the key
// and the value, not on a key id.
func macParameters() (*hmac.Parameters, error) {
	return hmac.NewParameters(hmac.ParametersOpts{
		KeySizeInBytes: 32,
		TagSizeInBytes: blindIndexSize,
		HashType:       hmac.SHA256,
		Variant:        hmac.VariantNoPrefix,
	})
}

func newMACHandle() (*keyset.Handle, error) {
	params, err := macParameters()
	if err != nil {
		return nil, fmt.Errorf("vault: MAC parameters: %w", err)
	}
	km := keyset.NewManager()
	id, err := km.AddNewKeyFromParameters(params)
	if err != nil {
		return nil, fmt.Errorf("vault: generate MAC key: %w", err)
	}
	if err := km.SetPrimary(id); err != nil {
		return nil, fmt.Errorf("vault: generate MAC key: %w", err)
	}
	h, err := km.Handle()
	if err != nil {
		return nil, fmt.Errorf("vault: generate MAC keyset: %w", err)
	}
	return h, nil
}

// checkAEADKeyset ensures every key is AES-GCM with the TINK prefix, so that
// every ciphertext names its key (KeyIDOf relies on it).
func checkAEADKeyset(h *keyset.Handle) error {
	for i := range h.Len() {
		e, err := h.Entry(i)
		if err != nil {
			return fmt.Errorf("vault: AEAD keyset: %w", err)
		}
		k, ok := e.Key().(*aesgcm.Key)
		if !ok {
			return fmt.Errorf("vault: AEAD keyset: key %d is %T, want AES-GCM", e.KeyID(), e.Key())
		}
		p, ok := k.Parameters().(*aesgcm.Parameters)
		if !ok || p.Variant() != aesgcm.VariantTink {
			return fmt.Errorf("vault: AEAD keyset: key %d must use the TINK output prefix", e.KeyID())
		}
	}
	return nil
}

// checkMACKeyset ensures the primary key yields plain 32-byte HMAC-SHA256 tags:
// any other key would silently change every blind index.
func checkMACKeyset(h *keyset.Handle) error {
	want, err := macParameters()
	if err != nil {
		return err
	}
	e, err := h.Primary()
	if err != nil {
		return fmt.Errorf("vault: MAC keyset: %w", err)
	}
	k, ok := e.Key().(*hmac.Key)
	if !ok {
		return fmt.Errorf("vault: MAC keyset: primary key %d is %T, want HMAC", e.KeyID(), e.Key())
	}
	if p, ok := k.Parameters().(*hmac.Parameters); !ok || p.HashType() != want.HashType() ||
		p.CryptographicTagSizeInBytes() != want.CryptographicTagSizeInBytes() || p.Variant() != want.Variant() {
		return fmt.Errorf("vault: MAC keyset: primary key %d must be HMAC-SHA256 with 32-byte tags and no prefix", e.KeyID())
	}
	return nil
}

func newVault(aeadHandle, macHandle *keyset.Handle) (*Vault, error) {
	if err := checkAEADKeyset(aeadHandle); err != nil {
		return nil, err
	}
	if err := checkMACKeyset(macHandle); err != nil {
		return nil, err
	}
	primary, err := aeadHandle.Primary()
	if err != nil {
		return nil, fmt.Errorf("vault: AEAD keyset: %w", err)
	}
	a, err := aead.New(aeadHandle)
	if err != nil {
		return nil, fmt.Errorf("vault: AEAD primitive: %w", err)
	}
	m, err := mac.New(macHandle)
	if err != nil {
		return nil, fmt.Errorf("vault: MAC primitive: %w", err)
	}
	return &Vault{aead: a, mac: m, primaryKeyID: primary.KeyID()}, nil
}

// String describes the vault without any key material.
func (v *Vault) String() string {
	return fmt.Sprintf("vault.Vault{primaryKeyID: %d}", v.primaryKeyID)
}

// GoString is String, so that %#v cannot print key material either.
func (v *Vault) GoString() string { return v.String() }

// Encrypt encrypts plaintext under the primary AEAD key. associatedData is
// authenticated but not encrypted: pass what the ciphertext belongs to (for
// example record id + field name) so that a ciphertext copied to another row
// or field fails to decrypt. The same associatedData is needed to decrypt.
func (v *Vault) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	ct, err := v.aead.Encrypt(plaintext, associatedData)
	if err != nil {
		return nil, fmt.Errorf("vault: encrypt: %w", err)
	}
	return ct, nil
}

// Decrypt decrypts a ciphertext made by Encrypt under any key of the keyset.
// It returns an error wrapping ErrDecrypt when the ciphertext was altered, the
// associated data differs, or its key is unknown.
func (v *Vault) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	pt, err := v.aead.Decrypt(ciphertext, associatedData)
	if err != nil {
		if id, ok := KeyIDOf(ciphertext); ok {
			return nil, fmt.Errorf("%w (ciphertext key id %d)", ErrDecrypt, id)
		}
		return nil, ErrDecrypt
	}
	return pt, nil
}

// PrimaryKeyID is the id of the AEAD key that Encrypt uses. Rows whose
// ciphertext has another key id (KeyIDOf) are due for re-encryption.
func (v *Vault) PrimaryKeyID() uint32 { return v.primaryKeyID }

// KeyIDOf returns the key id named by a ciphertext's 5-byte Tink prefix. ok is
// false when ciphertext is too short to be an AES-GCM ciphertext from Encrypt
// or does not start with the TINK prefix.
func KeyIDOf(ciphertext []byte) (id uint32, ok bool) {
	if len(ciphertext) < minCiphertextSize || ciphertext[0] != tinkStartByte {
		return 0, false
	}
	return binary.BigEndian.Uint32(ciphertext[1:tinkPrefixSize]), true
}

// BlindIndex returns the 32-byte HMAC-SHA256 of kind + ":" + the normalised
// value (see Normalise). Equal values of the same kind give equal tags, so the
// tag can be stored and searched instead of the value; different kinds give
// unrelated tags. kind must not contain ':' (the kinds are fixed constants),
// else "a"+"b:c" and "a:b"+"c" would collide; BlindIndex panics if it does.
func (v *Vault) BlindIndex(kind, value string) []byte {
	if strings.Contains(kind, ":") {
		panic("vault: blind index kind contains ':': " + kind)
	}
	tag, err := v.mac.ComputeMAC([]byte(kind + ":" + Normalise(kind, value)))
	if err != nil {
		// HMAC over a validated keyset cannot fail; an error here is a bug,
		// not bad input.
		panic("vault: blind index: " + err.Error())
	}
	return tag
}

// Normalise applies the normalisation of kind to value: NormaliseEmail for
// KindEmail, NormalisePhone for KindPhone, surrounding white space trimmed for
// any other kind.
func Normalise(kind, value string) string {
	switch kind {
	case KindEmail:
		return NormaliseEmail(value)
	case KindPhone:
		return NormalisePhone(value)
	default:
		return strings.TrimSpace(value)
	}
}

// NormaliseEmail trims white space and lowercases the address. Plus-addressing
// ("jo+news@example.com") is kept: it is a different mailbox as far as the
// portal can tell.
func NormaliseEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// NormalisePhone expects an E.164 number ("+33612345678") and only removes
// white space, including spaces inside ("+33 6 12 34 56 78"). Parsing and
// validation belong to the form layer.
func NormalisePhone(s string) string {
	return strings.Join(strings.Fields(s), "")
}
