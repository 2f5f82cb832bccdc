package views

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// TitleROPA is the record of processing activities' page title.
const TitleROPA = "Record of processing activities"

// ROPA is the record of processing activities (GDPR art. 30(1)), built from
// the registry alone: one entry per purpose. Where the registry does not
// state something the article requires, the entry names it in Missing
// rather than leaving a blank the reader could take for "none".
type ROPA struct {
	PolicyVersion string      `json:"policy_version"`
	PolicyDate    string      `json:"policy_date"`
	Controller    string      `json:"controller"` // art. 30(1)(a): name and contact details
	DPO           string      `json:"dpo"`
	Entries       []ROPAEntry `json:"entries"`
}

// ROPAEntry is one processing activity.
type ROPAEntry struct {
	Purpose           string   `json:"purpose"` // the registry key
	Title             string   `json:"title"`
	Description       string   `json:"description"`         // art. 30(1)(b)
	LegalBases        []string `json:"legal_bases"`         // art. 6(1)
	SubjectCategories string   `json:"subject_categories"`  // art. 30(1)(c)
	DataCategories    []string `json:"data_categories"`     // art. 30(1)(c)
	Recipients        []string `json:"recipients"`          // art. 30(1)(d)
	Transfers         []string `json:"transfers"`           // art. 30(1)(e)
	Retention         string   `json:"retention"`           // art. 30(1)(f)
	Security          []string `json:"security_measures"`   // art. 30(1)(g)
	Missing           []string `json:"missing"`             // what art. 30 asks that the registry does not state
	MissingFields     []string `json:"missing_registry_at"` // where in the registry to state it
}

// What the record says when the registry lacks a fact art. 30 requires.
const (
	missingSubjects   = "Categories of data subjects: not stated in the registry."
	missingData       = "Categories of personal data: not stated in the registry."
	missingRetention  = "Retention period: not stated in the registry."
	missingSecurity   = "Security measures: not stated in the registry."
	missingProcessors = "Which processor handles this purpose, what it does and in which country: not stated in the registry."
	missingCountries  = "Countries the data is transferred to: not stated in the registry."
	noTransfer        = "No transfer outside the European Economic Area."
)

// NewROPA builds the record of processing activities from reg.
func NewROPA(reg *policy.Registry) ROPA {
	c := reg.Controller
	r := ROPA{PolicyVersion: reg.Version, PolicyDate: reg.Date,
		Controller: fmt.Sprintf("%s, %s, %s %s, %s", c.Name, c.LegalForm.EN, c.Registry, c.RegNumber, c.Address),
		DPO:        "Data Protection Officer: " + reg.DPO.Email}
	for i := range reg.Purposes {
		r.Entries = append(r.Entries, ropaEntry(reg, &reg.Purposes[i]))
	}
	return r
}

func ropaEntry(reg *policy.Registry, p *policy.Purpose) ROPAEntry {
	e := ROPAEntry{Purpose: p.Key, Title: p.Title.EN, Description: p.Description.EN,
		DataCategories: policy.Texts(p.DataKinds, i18n.EN), Retention: RetentionText(p.Retention),
		Security: policy.Texts(reg.Security, i18n.EN), SubjectCategories: reg.Deployment.SubjectCategories[p.Key].EN}
	missing := func(what, at string) {
		e.Missing = append(e.Missing, what)
		e.MissingFields = append(e.MissingFields, at)
	}
	for _, b := range p.Bases {
		e.LegalBases = append(e.LegalBases, BasisLabel(b))
	}
	if e.SubjectCategories == "" {
		missing(missingSubjects, "deployment.subject_categories."+p.Key)
	}
	if len(e.DataCategories) == 0 {
		missing(missingData, "purposes."+p.Key+".data")
	}
	if e.Retention == "" {
		missing(missingRetention, "purposes."+p.Key+".retention")
	}
	if len(e.Security) == 0 {
		missing(missingSecurity, "security")
	}

	// Recipients: the staff whose role sees the purpose (enforced by the
	// back-office and row-level security), the processors, the partners on
	// a ticked box, and the authorities when the law requires it.
	var teams []string
	for _, ro := range reg.Roles {
		if !ro.ManagesStaff && (ro.AllPurposes || slices.Contains(ro.Purposes, p.Key)) {
			teams = append(teams, ro.Title.EN)
		}
	}
	if len(teams) > 0 {
		e.Recipients = append(e.Recipients, "Internal: "+strings.Join(teams, ", "))
	}
	if len(reg.Deployment.Processors) > 0 {
		for _, pr := range reg.Deployment.Processors {
			e.Recipients = append(e.Recipients, fmt.Sprintf("Processor: %s (%s, %s)", pr.Name, pr.Service.EN, pr.Country.EN))
		}
	} else if len(reg.Recipients.Processors) > 0 {
		e.Recipients = append(e.Recipients, "Processors named in the policy: "+strings.Join(reg.Recipients.Processors, ", "))
		missing(missingProcessors, "deployment.processors")
	}
	if slices.Contains(reg.Recipients.Partners.Purposes, p.Key) {
		e.Recipients = append(e.Recipients, "Authorised partners, only for people who ticked the box for it ("+
			reg.Recipients.Partners.ConsentKind+")")
	}
	for _, a := range reg.Recipients.Authorities {
		e.Recipients = append(e.Recipients, "Authorities: "+a.EN)
	}

	if !reg.Transfers.OutsideEEA {
		e.Transfers = []string{noTransfer}
		return e
	}
	var countries []string
	for _, pr := range reg.Deployment.Processors {
		if !pr.EEA {
			countries = append(countries, pr.Name+": "+pr.Country.EN)
		}
	}
	if len(countries) > 0 {
		e.Transfers = append(e.Transfers, "Outside the European Economic Area: "+strings.Join(countries, "; "))
	} else {
		e.Transfers = append(e.Transfers, "Outside the European Economic Area (the policy says data may be transferred there).")
		missing(missingCountries, "deployment.processors")
	}
	e.Transfers = append(e.Transfers, policy.Texts(reg.Transfers.Safeguards, i18n.EN)...)
	return e
}

// WriteJSON writes the record as indented JSON.
func (r ROPA) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ropaCSVHeader names the CSV columns: one row per processing activity.
var ropaCSVHeader = []string{"policy_version", "controller", "dpo", "purpose", "title", "description", "legal_bases",
	"subject_categories", "data_categories", "recipients", "transfers", "retention", "security_measures", "missing"}

// WriteCSV writes one row per processing activity; lists are joined with
// " | ". Cells are neutralised against formula injection in spreadsheets.
func (r ROPA) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ropaCSVHeader)
	join := func(s []string) string { return strings.Join(s, " | ") }
	for _, e := range r.Entries {
		row := []string{r.PolicyVersion, r.Controller, r.DPO, e.Purpose, e.Title, e.Description, join(e.LegalBases),
			e.SubjectCategories, join(e.DataCategories), join(e.Recipients), join(e.Transfers), e.Retention,
			join(e.Security), join(e.Missing)}
		for i := range row {
			row[i] = models.NeutraliseCSV(row[i])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// notStated fills a field the registry leaves empty.
const notStated = "Not stated in the registry."

func orMissing(s string) string {
	if s == "" {
		return notStated
	}
	return s
}
