package models_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/vault"
)

func TestSealedFieldsAreBoundToTheirRecord(t *testing.T) {
	v, err := vault.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	a, b := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	sealed, err := models.SealFields(v, a, models.Fields{"email": "jeanne@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := models.OpenFields(v, a, sealed)
	if err != nil || got["email"] != "jeanne@example.com" {
		t.Fatalf("round trip: %v %v", got, err)
	}
	if _, err := models.OpenFields(v, b, sealed); err == nil {
		t.Error("fields sealed for one record opened as another's")
	}
	note, _ := models.SealNote(v, a, "called back")
	if _, err := models.OpenFields(v, a, note); err == nil {
		t.Error("a note opened as the record's fields")
	}
	if n, err := models.OpenNote(v, a, note); err != nil || n != "called back" {
		t.Errorf("note round trip: %q %v", n, err)
	}
}
