package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/i18n"
)

func mustDefault(t testing.TB) *Registry {
	t.Helper()
	r, err := Default()
	if err != nil {
		t.Fatalf("embedded registry is invalid:\n%v", err)
	}
	return r
}

// TestSeedFacts checks the embedded registry against the facts of the
// published privacy policy (/work/shared/seed/privacy-policy.txt).
func TestSeedFacts(t *testing.T) {
	r := mustDefault(t)

	t.Run("header", func(t *testing.T) {
		if r.Version == "" || r.Date != "2026-11-01" || r.Material {
			t.Errorf("version/date/material = %q/%q/%v", r.Version, r.Date, r.Material)
		}
	})

	t.Run("purposes", func(t *testing.T) {
		tests := []struct {
			key            string
			bases          []LegalBasis
			years, months  int
			from           RetentionFrom
			untilWithdrawn bool
			destroyOn      []string
			path           string // "" when the purpose has no form
		}{
			{"contact", []LegalBasis{BasisConsent}, 3, 0, FromLastContact, true, nil, "/contact"},
			{"quote", []LegalBasis{BasisPreContract}, 1, 0, FromLastContact, false, nil, "/quote"},
			{"newsletter", []LegalBasis{BasisConsent}, 3, 0, FromLastContact, false, nil, "/newsletter"},
			{"appointment", []LegalBasis{BasisConsent}, 3, 0, FromLastContact, false, nil, "/appointment"},
			{"rights", []LegalBasis{BasisConsent}, 1, 0, FromCreated, false, nil, "/rights"}, // seed: "is based on your consent"
			{"objection", []LegalBasis{BasisLegal}, 3, 0, FromCreated, false, nil, ""},
			{"training", []LegalBasis{BasisPreContract}, 3, 0, FromLastContact, false, nil, "/training"},
			{"recruitment", []LegalBasis{BasisPreContract, BasisConsent}, 2, 0, FromLastContact, false, []string{"unsuccessful"}, "/apply"},
			{"ai_challenge", []LegalBasis{BasisConsent}, 3, 0, FromEventEnd, true, nil, "/ai-challenge"},
		}
		if len(r.Purposes) != len(tests) {
			t.Errorf("registry has %d purposes, want %d", len(r.Purposes), len(tests))
		}
		for _, tt := range tests {
			t.Run(tt.key, func(t *testing.T) {
				p, ok := r.Purpose(tt.key)
				if !ok {
					t.Fatalf("purpose %q missing", tt.key)
				}
				if !slices.Equal(p.Bases, tt.bases) {
					t.Errorf("bases = %v, want %v", p.Bases, tt.bases)
				}
				rt := p.Retention
				if rt.Years != tt.years || rt.Months != tt.months || rt.Days != 0 || rt.From != tt.from {
					t.Errorf("retention = %d y %d m %d d from %s, want %d y %d m from %s",
						rt.Years, rt.Months, rt.Days, rt.From, tt.years, tt.months, tt.from)
				}
				if rt.UntilWithdrawn != tt.untilWithdrawn || !slices.Equal(rt.DestroyOn, tt.destroyOn) {
					t.Errorf("until_withdrawn/destroy_on = %v/%v, want %v/%v", rt.UntilWithdrawn, rt.DestroyOn, tt.untilWithdrawn, tt.destroyOn)
				}
				if p.Title.IsZero() || p.Description.IsZero() || p.BasisNote.IsZero() || len(p.DataKinds) == 0 {
					t.Error("title, description, basis_note and data are all required")
				}
				got := ""
				if p.Form != nil {
					got = p.Form.Path
				}
				if got != tt.path {
					t.Errorf("form path = %q, want %q", got, tt.path)
				}
			})
		}
	})

	t.Run("controller", func(t *testing.T) {
		c := r.Controller
		checks := []struct{ name, got, want string }{
			{"name", c.Name, "Alegria.tech"},
			{"registry", c.Registry, "RCS Paris"},
			{"reg_number", c.RegNumber, "890581986"},
			{"share_capital", c.ShareCapital.EN, "€49,600"},
			{"share_capital fr", c.ShareCapital.FR, "49\u00a0600\u00a0€"},
			{"site", c.Site, "https://www.alegria.group/"},
			{"dpo", r.DPO.Email, "dpo@alegria.tech"},
			{"authority short", r.Authority.Short, "CNIL"},
			{"authority phone", r.Authority.Phone, "01 53 73 22 22"},
			{"complaint_url", r.Authority.ComplaintURL, "https://www.cnil.fr/fr/plaintes"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		}
		for _, want := range []string{"17 rue des Martyrs", "75009 Paris"} {
			if !strings.Contains(c.Address, want) {
				t.Errorf("controller address %q lacks %q", c.Address, want)
			}
		}
		if !strings.Contains(c.LegalForm.EN, "SAS") || !strings.Contains(c.LegalForm.FR, "SAS") {
			t.Errorf("legal form %q is not an SAS", c.LegalForm.EN)
		}
		if !strings.Contains(r.Authority.Address, "3 Place de Fontenoy, 75007 Paris") {
			t.Errorf("CNIL address = %q", r.Authority.Address)
		}
	})

	t.Run("recipients", func(t *testing.T) {
		// The seed names them, nothing more: where they are is a deployment fact.
		want := map[string]bool{"Webflow": true, "Calendly": true, "Airtable": true, "Brevo": true, "ActiveCampaign": true}
		for _, p := range r.Recipients.Processors {
			if !want[p] {
				t.Errorf("unexpected processor %q", p)
				continue
			}
			delete(want, p)
		}
		if len(r.Deployment.Processors) != 0 {
			t.Errorf("the shipped registry states deployment facts: %v", r.Deployment.Processors)
		}
		for name := range want {
			t.Errorf("processor %s missing", name)
		}
		pt := r.Recipients.Partners
		if pt.ConsentKind != "partner_transfer" || !slices.Equal(pt.Purposes, []string{"contact", "ai_challenge"}) || pt.Agreement.IsZero() {
			t.Errorf("partners = %+v", pt)
		}
		if !r.Recipients.NeverSold || len(r.Recipients.Authorities) != 3 {
			t.Errorf("never_sold = %v, %d authority cases", r.Recipients.NeverSold, len(r.Recipients.Authorities))
		}
	})

	t.Run("transfers", func(t *testing.T) {
		all := strings.Join(Texts(r.Transfers.Safeguards, i18n.EN), " ")
		for _, want := range []string{"Standard Contractual Clauses", "June 2021", "Schrems II", "16 July 2020"} {
			if !strings.Contains(all, want) {
				t.Errorf("safeguards do not mention %q", want)
			}
		}
		if !r.Transfers.OutsideEEA {
			t.Error("outside_eea must be true")
		}
	})

	t.Run("connection data", func(t *testing.T) {
		rt := r.ConnectionData.Retention
		if rt.Years != 0 || rt.Months != 13 || rt.Days != 0 {
			t.Errorf("connection data = %+v", r.ConnectionData)
		}
	})

	t.Run("roles", func(t *testing.T) {
		all := make([]string, len(r.Purposes))
		for i, p := range r.Purposes {
			all[i] = p.Key
		}
		tests := []struct {
			role string
			want []string
		}{
			{"sales", []string{"contact", "quote", "newsletter", "appointment", "ai_challenge"}},
			{"training", []string{"training", "ai_challenge"}},
			{"recruitment", []string{"recruitment"}},
			{"dpo", all},
			{"admin", nil},
			{"intruder", nil},
		}
		for _, tt := range tests {
			if got := r.PurposesFor(tt.role); !slices.Equal(got, tt.want) {
				t.Errorf("PurposesFor(%q) = %v, want %v", tt.role, got, tt.want)
			}
		}
		if dpo, _ := r.Role("dpo"); !dpo.ReadOnly || !dpo.SeesRestricted {
			t.Errorf("dpo = %+v", dpo)
		}
		if admin, _ := r.Role("admin"); !admin.ManagesStaff {
			t.Errorf("admin = %+v", admin)
		}
	})

	t.Run("ai_challenge consents", func(t *testing.T) {
		p, _ := r.Purpose("ai_challenge")
		kinds := map[string]Consent{}
		for _, c := range p.Form.Consents {
			kinds[c.Kind] = c
		}
		if len(kinds) != len(p.Form.Consents) {
			t.Error("consent kinds are not distinct")
		}
		for _, k := range []string{"sms", "whatsapp", "automated_calls", "offers_sms", "offers_whatsapp", "offers_automated_calls", "partner_transfer"} {
			c, ok := kinds[k]
			if !ok || c.Required {
				t.Errorf("consent %q: present %v, required %v (want a distinct optional box)", k, ok, c.Required)
			}
		}
		if c := kinds["processing"]; !c.Required {
			t.Error("the processing consent must be required")
		}
		if r.AutomatedCalls.ConsentKind != "automated_calls" || len(r.AutomatedCalls.OptOut) != 2 {
			t.Errorf("automated calls = %+v", r.AutomatedCalls)
		}
	})

	t.Run("forms", func(t *testing.T) {
		nl, _ := r.Purpose("newsletter")
		if len(nl.Form.Fields) != 1 || nl.Form.Fields[0].Name != "email" {
			t.Errorf("newsletter fields = %+v, want only email", nl.Form.Fields)
		}
		for _, p := range r.FormPurposes() {
			for _, f := range p.Form.Fields {
				if f.Type == FieldEmail && (f.Identifies != "email" || !f.Masked) {
					t.Errorf("%s.%s: email fields identify the subject and are masked", p.Key, f.Name)
				}
				if f.Type == FieldPhone && (f.Identifies != "phone" || !f.Masked) {
					t.Errorf("%s.%s: phone fields identify the subject and are masked", p.Key, f.Name)
				}
			}
		}
		cv, ok := mustPurpose(t, r, "recruitment").Field("cv")
		if !ok || cv.Required || cv.MaxBytes != 5<<20 || len(cv.Accept) != 3 {
			t.Errorf("cv field = %+v", cv)
		}
		age, _ := mustPurpose(t, r, "recruitment").Field("age")
		if *age.Min != 16 || *age.Max != 99 {
			t.Errorf("age bounds = %d..%d", *age.Min, *age.Max)
		}
		q := mustPurpose(t, r, "training").Form.Quiz
		if q == nil || len(q.Questions) < 3 || len(q.Questions) > 5 {
			t.Errorf("training quiz = %+v", q)
		}
	})

	t.Run("rights", func(t *testing.T) {
		var got []string
		for _, rt := range r.RequestableRights() {
			got = append(got, rt.Key)
		}
		want := []string{"access", "rectification", "erasure", "restriction", "objection", "portability", "post_mortem", "withdraw_consent"}
		if !slices.Equal(got, want) {
			t.Errorf("requestable rights = %v, want %v", got, want)
		}
		conds := map[string]int{"erasure": 6, "restriction": 3, "portability": 2}
		for key, n := range conds {
			if rt, ok := r.Right(key); !ok || len(rt.Conditions) != n {
				t.Errorf("right %q: want %d conditions", key, n)
			}
		}
		for _, key := range []string{"automated_decision", "complaint"} {
			if rt, ok := r.Right(key); !ok || rt.Requestable {
				t.Errorf("right %q must be listed and not requestable", key)
			}
		}
	})

	t.Run("cookies", func(t *testing.T) {
		nec, ok := r.Category("necessary")
		if !ok || !nec.Necessary || len(nec.Cookies) != 4 { // consent, session, two form tokens
			t.Errorf("necessary category = %+v", nec)
		}
		var opt []string
		for _, c := range r.OptionalCategories() {
			opt = append(opt, c.Key)
		}
		if !slices.Equal(opt, []string{"audience", "marketing"}) {
			t.Errorf("optional categories = %v", opt)
		}
		if len(r.Scripts) != 1 || r.Scripts[0].Key != "audience-demo" || r.Scripts[0].Category != "audience" {
			t.Errorf("scripts = %+v", r.Scripts)
		}
	})
}

func mustPurpose(t *testing.T, r *Registry, key string) *Purpose {
	t.Helper()
	p, ok := r.Purpose(key)
	if !ok {
		t.Fatalf("purpose %q missing", key)
	}
	return p
}

func TestLookup(t *testing.T) {
	r := mustDefault(t)
	t.Run("CanSee denies by default", func(t *testing.T) {
		tests := []struct {
			role, purpose string
			want          bool
		}{
			{"sales", "contact", true},
			{"sales", "recruitment", false},
			{"training", "ai_challenge", true},
			{"recruitment", "contact", false},
			{"dpo", "rights", true},
			{"dpo", "nope", false},
			{"admin", "contact", false},
			{"", "contact", false},
			{"root", "contact", false},
		}
		for _, tt := range tests {
			if got := r.CanSee(tt.role, tt.purpose); got != tt.want {
				t.Errorf("CanSee(%q, %q) = %v, want %v", tt.role, tt.purpose, got, tt.want)
			}
		}
	})
	t.Run("PurposesFor returns a copy", func(t *testing.T) {
		got := r.PurposesFor("recruitment")
		got[0] = "contact"
		if r.CanSee("recruitment", "contact") {
			t.Error("changing the result changed the registry")
		}
	})
	t.Run("forms", func(t *testing.T) {
		if p, ok := r.FormByPath("/apply"); !ok || p.Key != "recruitment" {
			t.Errorf("FormByPath(/apply) = %v, %v", p, ok)
		}
		if _, ok := r.FormByPath("/objection"); ok {
			t.Error("objection has no form")
		}
		var keys []string
		for _, p := range r.FormPurposes() {
			keys = append(keys, p.Key)
		}
		want := []string{"contact", "quote", "newsletter", "appointment", "rights", "training", "recruitment", "ai_challenge"}
		if !slices.Equal(keys, want) {
			t.Errorf("FormPurposes = %v, want %v", keys, want)
		}
		p := mustPurpose(t, r, "recruitment")
		if p.InitialStatus() != "new" || !p.HasBasis(BasisConsent) || p.HasBasis(BasisLegitimate) {
			t.Errorf("recruitment: initial %q, bases %v", p.InitialStatus(), p.Bases)
		}
		if f, ok := p.Field("email"); !ok || !f.IsTextLike() {
			t.Errorf("Field(email) = %v, %v", f, ok)
		}
		if f, _ := p.Field("age"); f.IsTextLike() {
			t.Error("a number field is not text-like")
		}
		if _, ok := mustPurpose(t, r, "objection").Field("email"); ok {
			t.Error("a purpose without a form has no fields")
		}
	})
}

func TestExpiresAt(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 30, 0, 0, time.UTC) }
	tests := []struct {
		name string
		rt   Retention
		from time.Time
		want time.Time
	}{
		{"three years", Retention{Years: 3}, day(2026, 3, 15), day(2029, 3, 15)},
		{"13 months", Retention{Months: 13}, day(2026, 1, 10), day(2027, 2, 10)},
		{"13 months from the 31st clamps", Retention{Months: 13}, day(2026, 1, 31), day(2027, 2, 28)},
		{"leap day plus a year clamps", Retention{Years: 1}, day(2028, 2, 29), day(2029, 2, 28)},
		{"leap day plus four years", Retention{Years: 4}, day(2028, 2, 29), day(2032, 2, 29)},
		{"days", Retention{Days: 30}, day(2026, 1, 31), day(2026, 3, 2)},
		{"mixed", Retention{Years: 1, Months: 1, Days: 1}, day(2026, 1, 31), day(2027, 3, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rt.ExpiresAt(tt.from); !got.Equal(tt.want) {
				t.Errorf("ExpiresAt(%s) = %s, want %s", tt.from, got, tt.want)
			}
		})
	}
}

// minimalYAML is a small valid registry; the invalid cases edit it.
const minimalYAML = `version: "t1"
date: "2026-01-01"
controller:
  name: Acme
  legal_form: {en: SAS, fr: SAS}
  share_capital: {en: "€1", fr: "€1"}
  registry: RCS Paris
  reg_number: "1"
  address: 1 rue X, Paris
  site: https://example.com/
dpo:
  email: dpo@example.com
authority:
  name: CNIL
  address: Paris
  complaint_url: https://www.cnil.fr/
purposes:
  - key: contact
    title: {en: Contact, fr: Contact}
    description: {en: Answer messages., fr: Answer messages.}
    bases: [consent]
    form:
      path: /contact
      fields:
        - name: email
          label: {en: Email, fr: Email}
          type: email
          required: true
          max_length: 254
          identifies: email
        - name: topic
          label: {en: Topic, fr: Topic}
          type: select
          options:
            - value: a
              label: {en: A, fr: A}
      consents:
        - kind: processing
          label: {en: I agree., fr: I agree.}
          required: true
    retention:
      years: 3
      from: last_contact
      action: delete
    statuses: [new, closed]
connection_data:
  retention:
    months: 13
    from: last_contact
    action: delete
recipients:
  internal: {en: Staff only., fr: Staff only.}
roles:
  - key: sales
    title: {en: Sales, fr: Sales}
    purposes: [contact]
cookie_categories:
  - key: necessary
    title: {en: Necessary, fr: Necessary}
    description: {en: Needed., fr: Needed.}
    necessary: true
scripts: []
`

const selectField = `        - name: topic
          label: {en: Topic, fr: Topic}
          type: select
          options:
            - value: a
              label: {en: A, fr: A}
`

// invalidCases edit minimalYAML; "#!" marks the line the error must name.
var invalidCases = []struct {
	name, old, new, want string
}{
	{"unknown key", "    title: {en: Contact, fr: Contact}\n", "    title: {en: Contact, fr: Contact}\n    colour: blue #!\n", `unknown key "colour" in Purpose`},
	{"duplicate yaml key", "    title: {en: Contact, fr: Contact}\n", "    title: {en: Contact, fr: Contact}\n    title: {en: Again, fr: Again} #!\n", `mapping key "title" already defined`},
	{"wrong scalar type", "      years: 3\n", "      years: three #!\n", "cannot unmarshal"},
	{"duplicate purpose key", "connection_data:\n", `  - key: contact #!
    title: {en: Again, fr: Again}
    description: {en: Again., fr: Again.}
    bases: [consent]
    retention: {years: 1, from: created, action: delete}
    statuses: [new]
connection_data:
`, `duplicate purpose key "contact"`},
	{"unknown role purpose", "    purposes: [contact]\n", "    purposes: [contact, billing] #!\n", `unknown purpose "billing"`},
	{"bad field type", "          type: select\n", "          type: dropdown #!\n", `unknown field type "dropdown"`},
	{"select without options", selectField, "        - name: topic #!\n          label: {en: Topic, fr: Topic}\n          type: select\n", "a select field needs options"},
	{"text field without max_length", "          max_length: 254\n", "", "max_length between 1 and 20000"},
	{"number min above max", selectField, "        - name: age\n          label: {en: Age, fr: Age}\n          type: number\n          min: 99 #!\n          max: 16\n", "min 99 is greater than max 16"},
	{"unknown legal basis", "    bases: [consent]\n", "    bases: [consent, vibes] #!\n", `unknown legal basis "vibes"`},
	{"destroy_on unknown status", "      action: delete\n    statuses", "      action: delete\n      destroy_on: [rejected] #!\n    statuses", `status "rejected" is not one of`},
	{"no retention period", "      years: 3\n", "      years: 0 #!\n", "a retention period"},
	{"unknown retention start", "      from: last_contact\n      action: delete\n    statuses", "      from: birthday #!\n      action: delete\n    statuses", `unknown start "birthday"`},
	{"free-text retention summary", "      action: delete\n    statuses", "      action: delete\n      summary: Forever. #!\n    statuses", `unknown key "summary"`},
	{"form without an email identifier", "          identifies: email\n", "", "a form needs a required email field with identifies: email"},
	{"optional email identifier", "          type: email\n          required: true\n", "          type: email\n          required: false\n", "a form needs a required email field with identifies: email"},
	{"unknown purpose kind", "    title: {en: Contact, fr: Contact}\n", "    kind: ticket #!\n    title: {en: Contact, fr: Contact}\n", `unknown kind "ticket"`},
	{"rights request without confirmation", "    title: {en: Contact, fr: Contact}\n", "    kind: rights_request\n    title: {en: Contact, fr: Contact}\n", `must confirm the requester's address`},
	{"rights request without a right field", "    title: {en: Contact, fr: Contact}\n", "    kind: rights_request\n    title: {en: Contact, fr: Contact}\n", `needs a required select field "right"`},
	{"rights request with its own statuses", "    title: {en: Contact, fr: Contact}\n", "    kind: rights_request\n    title: {en: Contact, fr: Contact}\n", `are the software's`},
	{"double opt-in without wording", "      consents:\n", "      double_opt_in: true #!\n      consents:\n", "a double opt-in needs confirm_wording"},
	{"duplicate consent kind", "      consents:\n", "      consents:\n        - kind: processing\n          label: {en: Again., fr: Again.}\n", `duplicate consent kind "processing"`},
	{"bad date", `date: "2026-01-01"`, `date: "2026-13-01" #!`, "not a valid date"},
	{"script in necessary category", "scripts: []\n", "scripts:\n  - key: demo\n    src: /x.js\n    category: necessary #!\n", "cannot be in the necessary category"},
	{"unknown google consent type", "scripts: []\n", "  - key: other\n    title: {en: Other, fr: Other}\n    description: {en: Other., fr: Other.}\n    google_consent: [cookie_storage] #!\nscripts: []\n", `unknown Google consent type "cookie_storage"`},
	{"two necessary categories", "scripts: []\n", "  - key: other\n    title: {en: Other, fr: Other}\n    description: {en: Other., fr: Other.}\n    necessary: true #!\nscripts: []\n", "only one cookie category can be necessary"},
	{"partner consent missing", "  internal: {en: Staff only., fr: Staff only.}\n", "  internal: {en: Staff only., fr: Staff only.}\n  partners:\n    consent_kind: partner_transfer\n    agreement: {en: Signed., fr: Signed.}\n    purposes: [contact] #!\n", `has no "partner_transfer" consent box`},
	{"purpose seen by no role", "    purposes: [contact]\n", "    purposes: []\n", `purpose "contact" is visible to no role`},
	{"missing dpo email", "  email: dpo@example.com\n", "  email: \"\" #!\n", "dpo.email: must be a plain email address"},
	// Every text of the registry is written in English and French (the
	// pages speak both): a missing or empty language is refused by its path.
	{"text without French", "    title: {en: Contact, fr: Contact}\n", "    title: {en: Contact} #!\n", "purposes[0].title.fr: the French text is missing"},
	{"text with empty English", "    title: {en: Contact, fr: Contact}\n", "    title: {en: \"  \", fr: Contact} #!\n", "purposes[0].title.en: the English text is missing"},
	{"text in one language only", "    title: {en: Contact, fr: Contact}\n", "    title: Contact #!\n", "purposes[0].title: a text needs both languages"},
	{"text in another language", "    title: {en: Contact, fr: Contact}\n", "    title: {en: Contact, fr: Contact, de: Kontakt} #!\n", `unknown language "de"`},
	{"nested text without French", "              label: {en: A, fr: A}\n", "              label: {en: A, fr: \"\"} #!\n", "purposes[0].form.fields[1].options[0].label.fr: the French text is missing"},
	{"required text left out", "  internal: {en: Staff only., fr: Staff only.}\n", "  internal: {} #!\n", "recipients.internal: is required"},
	{"bad time zone", "scripts: []\n", "deployment:\n  time_zone: Mars/Olympus #!\nscripts: []\n", `"Mars/Olympus" is not a time zone`},
	{"form path without slash", "      path: /contact\n", "      path: contact #!\n", `form path "contact" must start with /`},
}

// expectedLine finds the "#!" marker, or for edits that delete a line, the
// line of the enclosing list item the validator falls back to.
func expectedLine(t *testing.T, doc, name string) int {
	t.Helper()
	for i, l := range strings.Split(doc, "\n") {
		if strings.Contains(l, "#!") {
			return i + 1
		}
	}
	fallback := map[string]string{
		"text field without max_length":        "        - name: email",
		"duplicate consent kind":               "        - kind: processing\n          label: {en: I agree.",
		"purpose seen by no role":              "  - key: contact",
		"form without an email identifier":     "      fields:",
		"optional email identifier":            "      fields:",
		"rights request without confirmation":  "    form:",
		"rights request without a right field": "      fields:",
		"rights request with its own statuses": "    statuses:",
	}[name]
	i := strings.Index(doc, fallback)
	if fallback == "" || i < 0 {
		t.Fatalf("case %q has no #! marker", name)
	}
	return strings.Count(doc[:i], "\n") + 1
}

func TestMinimalIsValid(t *testing.T) {
	if _, err := Parse([]byte(minimalYAML), ""); err != nil {
		t.Fatalf("minimal registry: %v", err)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Count(minimalYAML, tc.old) != 1 {
				t.Fatalf("edit target occurs %d times", strings.Count(minimalYAML, tc.old))
			}
			doc := strings.Replace(minimalYAML, tc.old, tc.new, 1)
			line := expectedLine(t, doc, tc.name)
			_, err := Parse([]byte(doc), "")
			if err == nil {
				t.Fatal("Parse accepted an invalid registry")
			}
			prefix := fmt.Sprintf("registry.yaml:%d: ", line)
			for _, l := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(l, prefix) && strings.Contains(l, tc.want) {
					return
				}
			}
			t.Errorf("want a line %q…%q, got:\n%v", prefix, tc.want, err)
		})
	}
}

func TestParseEdges(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "", "registry.yaml:1: the registry is empty"},
		{"not a mapping", "- a\n- b\n", "registry.yaml:1: cannot unmarshal"},
		{"two documents", minimalYAML + "---\nversion: x\n", "only one YAML document is allowed"},
		{"syntax error", "version: [1\n", "registry.yaml:"},
		{"no legal basis", strings.Replace(minimalYAML, "    bases: [consent]\n", "    bases: []\n", 1), "at least one legal basis is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	t.Run("collects all problems", func(t *testing.T) {
		doc := strings.Replace(minimalYAML, "          type: select\n", "          type: dropdown\n", 1)
		doc = strings.Replace(doc, `date: "2026-01-01"`, `date: soon`, 1)
		_, err := Parse([]byte(doc), "")
		if err == nil || strings.Count(err.Error(), "\n") < 1 {
			t.Fatalf("want two problems, got %v", err)
		}
		if first := strings.SplitN(err.Error(), "\n", 2)[0]; !strings.HasPrefix(first, "registry.yaml:2: date") {
			t.Errorf("problems are not sorted by line: %v", err)
		}
	})
}

func TestLoad(t *testing.T) {
	def := mustDefault(t)
	got, err := Load("")
	if err != nil || got.Version != def.Version || len(got.Purposes) != len(def.Purposes) {
		t.Fatalf("Load(\"\") = %v, %v", got, err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(minimalYAML, "    title: {en: Contact, fr: Contact}\n", "    title: {en: Contact, fr: Contact}\n    titel: x\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad+":20: unknown key") {
		t.Errorf("Load(bad) = %v, want the path and line", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

// FuzzParse checks that no input makes Parse panic, and that whatever it
// accepts satisfies the invariants the rest of the portal relies on.
//
// Go minimises every coverage-expanding input (up to -fuzzminimizetime,
// 60s by default), and the real registry seed is 26 KB: on a cold cache a
// 20s run spends most of its time there. For a useful short run, add
// -fuzzminimizetime=2s.
func FuzzParse(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(minimalYAML))
	for _, tc := range invalidCases {
		f.Add([]byte(strings.Replace(minimalYAML, tc.old, tc.new, 1)))
	}
	f.Add([]byte(""))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("purposes:\n  - form: null\n"))
	from := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data, "f.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml:") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		necessary := 0
		for _, c := range r.Cookies {
			if c.Necessary {
				necessary++
			}
		}
		if necessary != 1 || len(r.OptionalCategories()) != len(r.Cookies)-1 {
			t.Fatalf("%d necessary cookie categories", necessary)
		}
		for i := range r.Purposes {
			p := &r.Purposes[i]
			if p.Line < 1 || !keyRE.MatchString(p.Key) || p.InitialStatus() == "" || len(p.Bases) == 0 {
				t.Fatalf("purpose %d = %+v", i, p)
			}
			if got, ok := r.Purpose(p.Key); !ok || got != p {
				t.Fatalf("Purpose(%q) does not find it", p.Key)
			}
			if !p.Retention.ExpiresAt(from).After(from) {
				t.Fatalf("purpose %q expires at once", p.Key)
			}
			if p.Form == nil {
				continue
			}
			if !strings.HasPrefix(p.Form.Path, "/") {
				t.Fatalf("form path %q", p.Form.Path)
			}
			if got, ok := r.FormByPath(p.Form.Path); !ok || got != p {
				t.Fatalf("FormByPath(%q) does not find %q", p.Form.Path, p.Key)
			}
			for _, fd := range p.Form.Fields {
				if fd.IsTextLike() && (fd.MaxLength < 1 || fd.MaxLength > maxTextLength) {
					t.Fatalf("field %q unbounded", fd.Name)
				}
				if fd.Type == FieldSelect && len(fd.Options) == 0 {
					t.Fatalf("select %q without options", fd.Name)
				}
			}
		}
		for _, ro := range r.Roles {
			for _, k := range r.PurposesFor(ro.Key) {
				if !r.CanSee(ro.Key, k) {
					t.Fatalf("role %q: purpose %q listed but not visible", ro.Key, k)
				}
			}
		}
		if r.PurposesFor("no such role") != nil {
			t.Fatal("unknown role sees purposes")
		}
	})
}
