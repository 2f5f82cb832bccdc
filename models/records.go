package models

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/vault"
)

// Record is one submission of a public form. Fields is the encrypted JSON of
// what the person typed: a database dump reveals nothing of it.
type Record struct {
	ID            uuid.UUID `gorm:"primaryKey;type:uuid"`
	Purpose       string
	SubjectID     *uuid.UUID `gorm:"type:uuid"`
	Status        string
	Fields        []byte // vault ciphertext of a JSON object, see SealFields
	Note          []byte // vault ciphertext of the staff note, see SealNote
	Restricted    bool   // restriction of processing (art. 18): hidden from all but the DPO
	Objected      bool   // the subject objected to prospecting
	CreatedAt     time.Time
	LastContactAt time.Time
	ExpiresAt     time.Time
}

// Fields are the values a form collected, keyed by the registry's field names.
type Fields map[string]string

// The associated data binds each ciphertext to its row and column, so a
// ciphertext copied onto another record (or into another column) fails to
// decrypt instead of showing one person's data as another's.
func fieldsAAD(id uuid.UUID) []byte { return []byte("record.fields:" + id.String()) }
func noteAAD(id uuid.UUID) []byte   { return []byte("record.note:" + id.String()) }

// AttachmentAAD binds an attachment's content or file name to its row.
func AttachmentAAD(id uuid.UUID, column string) []byte {
	return []byte("attachment." + column + ":" + id.String())
}

// SealFields encrypts a record's fields for storage in records.fields.
func SealFields(v *vault.Vault, id uuid.UUID, f Fields) ([]byte, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("models: fields: %w", err)
	}
	return v.Encrypt(plain, fieldsAAD(id))
}

// OpenFields decrypts records.fields.
func OpenFields(v *vault.Vault, id uuid.UUID, sealed []byte) (Fields, error) {
	plain, err := v.Decrypt(sealed, fieldsAAD(id))
	if err != nil {
		return nil, fmt.Errorf("models: record %s fields: %w", id, err)
	}
	var f Fields
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, fmt.Errorf("models: record %s fields: %w", id, err)
	}
	return f, nil
}

// SealNote encrypts a staff note; an empty note is stored as NULL.
func SealNote(v *vault.Vault, id uuid.UUID, note string) ([]byte, error) {
	if note == "" {
		return nil, nil
	}
	return v.Encrypt([]byte(note), noteAAD(id))
}

// OpenNote decrypts records.note.
func OpenNote(v *vault.Vault, id uuid.UUID, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	plain, err := v.Decrypt(sealed, noteAAD(id))
	if err != nil {
		return "", fmt.Errorf("models: record %s note: %w", id, err)
	}
	return string(plain), nil
}
