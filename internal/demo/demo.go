// Package demo seeds plausible records and one account per role for `make
// run` (portal seed --demo). The shipped server never calls it.
package demo

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

var (
	demoFirst = []string{"Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Zoé", "Juliette",
		"Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Nathan", "Théo", "Raphaël", "Mathis", "Élodie", "Mehdi", "Yasmine", "Karim"}
	demoLast = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Girard", "Bonnet", "Haddad", "Nguyen"}
	demoDomains = []string{"example.com", "example.org", "exemple.fr", "mail.example.net"}
)

// Staff are the demo accounts, one per role.
var Staff = []struct{ Email, Name, Role string }{
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

// SeedRecords creates perPurpose plausible records for every purpose with
// a form (rights requests aside): French names from small lists, a few restricted, a few objected,
// CVs for some applications.
func SeedRecords(ctx context.Context, records *models.RecordStore, reg *policy.Registry, perPurpose int, now time.Time) (int, error) {
	rng := rand.New(rand.NewPCG(42, uint64(now.Unix())))
	n := 0
	for _, p := range reg.FormPurposes() {
		if p.Kind == policy.KindRightsRequest {
			continue // rights requests are not records: they have their own table
		}
		for i := 0; i < perPurpose; i++ {
			first, last := demoFirst[rng.IntN(len(demoFirst))], demoLast[rng.IntN(len(demoLast))]
			email := strings.ToLower(fmt.Sprintf("%s.%s%d@%s", asciiFold(first), asciiFold(last), rng.IntN(1000), demoDomains[rng.IntN(len(demoDomains))]))
			created := now.Add(-time.Duration(rng.IntN(300*24)) * time.Hour)
			fields := models.Fields{}
			for _, f := range p.Form.Fields {
				if val := demoValue(rng, f, first, last, email, created); val != "" {
					fields[f.Name] = val
				}
			}
			nr := models.NewRecord{Purpose: p, Fields: fields, CreatedAt: created,
				Restricted: rng.IntN(25) == 0, Objected: rng.IntN(12) == 0,
				Status: p.Statuses[rng.IntN(len(p.Statuses))]}
			if slices.Contains(p.Retention.DestroyOn, nr.Status) {
				nr.Status = p.InitialStatus()
			}
			// A double opt-in request still unconfirmed after its link
			// expired is deleted by the hourly job: old demo ones are confirmed.
			if p.Form.DoubleOptIn && nr.Status == p.InitialStatus() && now.Sub(created) > models.LinkValidity && len(p.Statuses) > 1 {
				nr.Status = p.Statuses[1]
			}
			if _, ok := p.Field("cv"); ok && rng.IntN(2) == 0 {
				nr.Attachment = &models.NewAttachment{Filename: "CV " + first + " " + last + ".pdf", MIME: "application/pdf",
					Content: []byte("%PDF-1.4\n% demo CV\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")}
			}
			if _, err := records.Create(ctx, nr); err != nil {
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

// Account creates an account and answers its invitation at once with a
// random password and a fresh authenticator, as its owner would: the demo's
// printed logins and the tests sign in with what it returns. The first code
// is the previous time step's, so a sign-in right after is not a replay.
func Account(ctx context.Context, db *models.DB, v *vault.Vault, email, name, role string, now time.Time) (models.NewStaff, error) {
	key := make([]byte, 32)
	if _, err := crand.Read(key); err != nil {
		return models.NewStaff{}, err
	}
	st := models.NewStaffStore(db, v).WithInvitationKey(key)
	inv, err := st.Create(ctx, nil, email, name, role, models.AccountMail{})
	if err != nil {
		return models.NewStaff{}, err
	}
	auth, err := models.NewAuthenticator(inv.Staff.Email)
	if err != nil {
		return models.NewStaff{}, err
	}
	code, err := totp.GenerateCode(auth.Secret, now.Add(-30*time.Second))
	if err != nil {
		return models.NewStaff{}, err
	}
	pw := models.RandomPassword()
	s, err := st.Enrol(ctx, models.Enrolment{Token: inv.Token, Password: pw, Secret: auth.Secret, Code: code,
		UserAgent: "portal seed", Now: now})
	if err != nil {
		return models.NewStaff{}, err
	}
	return models.NewStaff{Staff: s, Password: pw, OTPURL: auth.URL}, nil
}
