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
var TitleROPA = i18n.New("Record of processing activities", "Registre des activités de traitement")

// ROPA is the record of processing activities (GDPR art. 30(1)), built from
// the registry alone: one entry per purpose. Where the registry does not
// state something the article requires, the entry names it in Missing
// rather than leaving a blank the reader could take for "none".
type ROPA struct {
	Lang          i18n.Lang   `json:"lang"` // the language of every text below
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
var (
	missingSubjects   = i18n.New("Categories of data subjects: not stated in the registry.", "Catégories de personnes concernées : non indiquées dans le registre.")
	missingData       = i18n.New("Categories of personal data: not stated in the registry.", "Catégories de données personnelles : non indiquées dans le registre.")
	missingRetention  = i18n.New("Retention period: not stated in the registry.", "Durée de conservation : non indiquée dans le registre.")
	missingSecurity   = i18n.New("Security measures: not stated in the registry.", "Mesures de sécurité : non indiquées dans le registre.")
	missingProcessors = i18n.New("Which processor handles this purpose, what it does and in which country: not stated in the registry.", "Sous-traitants de cette finalité, leur prestation et leur pays : non indiqués dans le registre.")
	missingCountries  = i18n.New("Countries the data is transferred to: not stated in the registry.", "Pays vers lesquels les données sont transférées : non indiqués dans le registre.")
	msgNoTransfer     = policy.T("No transfer outside the European Economic Area.", "Aucun transfert hors de l’Espace économique européen.")
	ropaDPO           = i18n.New("Data Protection Officer: %s", "Délégué à la protection des données (DPO) : %s")
	ropaInternal      = i18n.New("Internal: %s", "En interne : %s")
	ropaProcessor     = i18n.New("Processor: %s (%s, %s)", "Sous-traitant : %s (%s, %s)")
	ropaProcessors    = i18n.New("Processors named in the policy: %s", "Sous-traitants cités dans la politique : %s")
	ropaPartners      = i18n.New("Authorised partners, only for people who ticked the box for it (%s)", "Partenaires habilités, uniquement pour les personnes ayant coché la case prévue à cet effet (%s)")
	ropaAuthorities   = i18n.New("Authorities: %s", "Autorités : %s")
	ropaOutside       = i18n.New("Outside the European Economic Area: %s", "Hors de l’Espace économique européen : %s")
	ropaGenerated     = i18n.New("Generated from the policy registry, version %s of %s.", "Établi à partir du registre de la politique, version %s du %s.")
	ropaDownload      = i18n.New("Download it as", "Téléchargez-le au format")
	ropaOr            = i18n.New("or", "ou")
	ropaOtherLang     = i18n.New("This record in", "Ce registre en")
	ropaController    = i18n.New("Controller", "Responsable du traitement")
	ropaMissing       = i18n.New("Missing from the registry (GDPR art. 30 requires it):", "Absent du registre (exigé par l’article 30 du RGPD) :")
	ropaStateAt       = i18n.New("State it at", "À indiquer à")
	ropaPurpose       = i18n.New("Purpose", "Finalité")
	ropaBasis         = i18n.New("Legal basis", "Base légale")
	ropaPeople        = i18n.New("Categories of people", "Catégories de personnes")
	ropaData          = i18n.New("Categories of data", "Catégories de données")
	ropaRecipients    = i18n.New("Recipients", "Destinataires")
	ropaTransfers     = i18n.New("Transfers and safeguards", "Transferts et garanties")
	ropaRetention     = i18n.New("Retention", "Durée de conservation")
	ropaSecurity      = i18n.New("Security measures", "Mesures de sécurité")
	ropaOutsideMaybe  = i18n.New("Outside the European Economic Area (the policy says data may be transferred there).", "Hors de l’Espace économique européen (la politique indique que des données peuvent y être transférées).")
)

// NewROPA builds the record of processing activities from reg, in l.
func NewROPA(reg *policy.Registry, l i18n.Lang) ROPA {
	c := reg.Controller
	r := ROPA{Lang: l, PolicyVersion: reg.Version, PolicyDate: reg.Date,
		Controller: fmt.Sprintf("%s, %s, %s %s, %s", c.Name, c.LegalForm.Get(l), c.Registry, c.RegNumber, c.Address),
		DPO:        fmt.Sprintf(ropaDPO.Get(l), reg.DPO.Email)}
	for i := range reg.Purposes {
		r.Entries = append(r.Entries, ropaEntry(reg, &reg.Purposes[i], l))
	}
	return r
}

func ropaEntry(reg *policy.Registry, p *policy.Purpose, l i18n.Lang) ROPAEntry {
	e := ROPAEntry{Purpose: p.Key, Title: p.Title.Get(l), Description: p.Description.Get(l),
		DataCategories: policy.Texts(p.DataKinds, l), Retention: RetentionText(p.Retention).Get(l),
		Security: policy.Texts(reg.Security, l), SubjectCategories: reg.Deployment.SubjectCategories[p.Key].Get(l)}
	missing := func(what i18n.Msg, at string) {
		e.Missing = append(e.Missing, what.Get(l))
		e.MissingFields = append(e.MissingFields, at)
	}
	for _, b := range p.Bases {
		e.LegalBases = append(e.LegalBases, basisText(b).Get(l))
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
			teams = append(teams, ro.Title.Get(l))
		}
	}
	if len(teams) > 0 {
		e.Recipients = append(e.Recipients, fmt.Sprintf(ropaInternal.Get(l), strings.Join(teams, ", ")))
	}
	if len(reg.Deployment.Processors) > 0 {
		for _, pr := range reg.Deployment.Processors {
			e.Recipients = append(e.Recipients, fmt.Sprintf(ropaProcessor.Get(l), pr.Name, pr.Service.Get(l), pr.Country.Get(l)))
		}
	} else if len(reg.Recipients.Processors) > 0 {
		e.Recipients = append(e.Recipients, fmt.Sprintf(ropaProcessors.Get(l), strings.Join(reg.Recipients.Processors, ", ")))
		missing(missingProcessors, "deployment.processors")
	}
	if slices.Contains(reg.Recipients.Partners.Purposes, p.Key) {
		e.Recipients = append(e.Recipients, fmt.Sprintf(ropaPartners.Get(l), reg.Recipients.Partners.ConsentKind))
	}
	for _, a := range reg.Recipients.Authorities {
		e.Recipients = append(e.Recipients, fmt.Sprintf(ropaAuthorities.Get(l), a.Get(l)))
	}

	if !reg.Transfers.OutsideEEA {
		e.Transfers = []string{msgNoTransfer.Get(l)}
		return e
	}
	var countries []string
	for _, pr := range reg.Deployment.Processors {
		if !pr.EEA {
			countries = append(countries, pr.Name+": "+pr.Country.Get(l))
		}
	}
	if len(countries) > 0 {
		e.Transfers = append(e.Transfers, fmt.Sprintf(ropaOutside.Get(l), strings.Join(countries, "; ")))
	} else {
		e.Transfers = append(e.Transfers, ropaOutsideMaybe.Get(l))
		missing(missingCountries, "deployment.processors")
	}
	e.Transfers = append(e.Transfers, policy.Texts(reg.Transfers.Safeguards, l)...)
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
var notStated = i18n.New("Not stated in the registry.", "Non indiqué dans le registre.")

func orMissing(l i18n.Lang, s string) string {
	if s == "" {
		return notStated.Get(l)
	}
	return s
}
