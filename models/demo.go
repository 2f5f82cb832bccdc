package models

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// NewRecord is a record to store as a form would (seed data and tests; the
// public forms have their own path).
type NewRecord struct {
	Purpose    *policy.Purpose
	Fields     Fields
	CreatedAt  time.Time
	Restricted bool
	Objected   bool
	Status     string // "" for the purpose's initial status
	Attachment *NewAttachment
}

// NewAttachment is a file to store encrypted with a record.
type NewAttachment struct {
	Filename string
	MIME     string
	Content  []byte
}

// CreateRecord stores one record (and its subject, found by the blind index
// of its email) in the purpose's scope, with the expiry its retention rule
// gives.
func (db *DB) CreateRecord(ctx context.Context, v *vault.Vault, nr NewRecord) (uuid.UUID, error) {
	p := nr.Purpose
	id := uuid.Must(uuid.NewV7())
	sealed, err := SealFields(v, id, nr.Fields)
	if err != nil {
		return id, err
	}
	status := nr.Status
	if status == "" {
		status = p.InitialStatus()
	}
	err = db.InScope(ctx, Scope{Purposes: []string{p.Key}}, func(tx *gorm.DB) error {
		var subject *uuid.UUID
		if email := nr.Fields["email"]; email != "" {
			sid := uuid.Must(uuid.NewV7())
			var got uuid.UUID
			err := tx.Raw(`INSERT INTO subjects (id, email_index) VALUES (?, ?)
				ON CONFLICT (email_index) DO UPDATE SET email_index = EXCLUDED.email_index RETURNING id`,
				sid, v.BlindIndex(vault.KindEmail, email)).Row().Scan(&got)
			if err != nil {
				return fmt.Errorf("models: subject: %w", err)
			}
			subject = &got
		}
		r := Record{ID: id, Purpose: p.Key, SubjectID: subject, Status: status, Fields: sealed,
			Restricted: nr.Restricted, Objected: nr.Objected, CreatedAt: nr.CreatedAt, LastContactAt: nr.CreatedAt,
			ExpiresAt: p.Retention.ExpiresAt(nr.CreatedAt)}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("models: create record: %w", err)
		}
		if a := nr.Attachment; a != nil {
			aid := uuid.Must(uuid.NewV7())
			name, err := v.Encrypt([]byte(a.Filename), AttachmentAAD(aid, "filename"))
			if err != nil {
				return err
			}
			content, err := v.Encrypt(a.Content, AttachmentAAD(aid, "content"))
			if err != nil {
				return err
			}
			return tx.Exec(`INSERT INTO attachments (id, record_id, purpose, filename, mime, size, sha256, content)
				VALUES (?, ?, ?, ?, ?, ?, sha256( ?::bytea), ?)`, aid, id, p.Key, name, a.MIME, len(a.Content), content, content).Error
		}
		return nil
	})
	return id, err
}

var (
	demoFirst = []string{"Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Zoé", "Juliette",
		"Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Nathan", "Théo", "Raphaël", "Mathis", "Élodie", "Mehdi", "Yasmine", "Karim"}
	demoLast = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Girard", "Bonnet", "Haddad", "Nguyen"}
	demoDomains = []string{"example.com", "example.org", "exemple.fr", "mail.example.net"}
)

// DemoStaff are the demo accounts, one per role.
var DemoStaff = []struct{ Email, Name, Role string }{
	{"sales@demo.alegria.tech", "Sophie Commerciale", "sales"},
	{"training@demo.alegria.tech", "Thomas Formateur", "training"},
	{"recruitment@demo.alegria.tech", "Rachida Recrutement", "recruitment"},
	{"dpo@demo.alegria.tech", "Denis Délégué", "dpo"},
	{"admin@demo.alegria.tech", "Alice Admin", "admin"},
}

func demoValue(rng *rand.Rand, f policy.Field, first, last, email string, created time.Time) string {
	switch {
	case f.Name == "first_name":
		return first
	case f.Name == "last_name":
		return last
	case f.Name == "name":
		return first + " " + last
	case f.Type == policy.FieldEmail:
		return email
	case f.Type == policy.FieldPhone:
		return fmt.Sprintf("06 %02d %02d %02d %02d", rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100))
	case f.Type == policy.FieldSelect && len(f.Options) > 0:
		return f.Options[rng.IntN(len(f.Options))].Value
	case f.Type == policy.FieldNumber:
		return fmt.Sprint(18 + rng.IntN(40))
	case f.Type == policy.FieldDateTime:
		return created.Add(72 * time.Hour).Format("2006-01-02T15:04")
	case f.Type == policy.FieldFile:
		return ""
	case f.Type == policy.FieldTextarea:
		return "Bonjour, je souhaiterais en savoir plus sur vos formations. Merci !"
	}
	if f.Name == "company" {
		return "Société " + last
	}
	return "—"
}

// SeedDemoRecords creates perPurpose plausible records for every purpose with
// a form: French names from small lists, a few restricted, a few objected,
// CVs for some applications.
func (db *DB) SeedDemoRecords(ctx context.Context, v *vault.Vault, reg *policy.Registry, perPurpose int, now time.Time) (int, error) {
	rng := rand.New(rand.NewPCG(42, uint64(now.Unix())))
	n := 0
	for _, p := range reg.FormPurposes() {
		for i := 0; i < perPurpose; i++ {
			first, last := demoFirst[rng.IntN(len(demoFirst))], demoLast[rng.IntN(len(demoLast))]
			email := strings.ToLower(fmt.Sprintf("%s.%s%d@%s", asciiFold(first), asciiFold(last), rng.IntN(1000), demoDomains[rng.IntN(len(demoDomains))]))
			created := now.Add(-time.Duration(rng.IntN(300*24)) * time.Hour)
			fields := Fields{}
			for _, f := range p.Form.Fields {
				if val := demoValue(rng, f, first, last, email, created); val != "" {
					fields[f.Name] = val
				}
			}
			nr := NewRecord{Purpose: p, Fields: fields, CreatedAt: created,
				Restricted: rng.IntN(25) == 0, Objected: rng.IntN(12) == 0,
				Status: p.Statuses[rng.IntN(len(p.Statuses))]}
			if slices.Contains(p.Retention.DestroyOn, nr.Status) {
				nr.Status = p.InitialStatus()
			}
			// A double opt-in request still unconfirmed after its link
			// expired is deleted by the hourly job: old demo ones are confirmed.
			if p.Form.DoubleOptIn && nr.Status == p.InitialStatus() && now.Sub(created) > LinkValidity && len(p.Statuses) > 1 {
				nr.Status = p.Statuses[1]
			}
			if _, ok := p.Field("cv"); ok && rng.IntN(2) == 0 {
				nr.Attachment = &NewAttachment{Filename: "CV " + first + " " + last + ".pdf", MIME: "application/pdf",
					Content: []byte("%PDF-1.4\n% demo CV\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")}
			}
			if _, err := db.CreateRecord(ctx, v, nr); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// asciiFold turns "Élodie" into "elodie" for a demo email address.
func asciiFold(s string) string {
	r := strings.NewReplacer("é", "e", "É", "E", "è", "e", "ë", "e", "ï", "i", "î", "i", "ç", "c", "à", "a")
	return r.Replace(s)
}

// StaffCount is how many accounts exist (seeding is skipped when some do).
func (db *DB) StaffCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.Gorm.WithContext(ctx).Model(&Staff{}).Count(&n).Error
	return n, err
}
