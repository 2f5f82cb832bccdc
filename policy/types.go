// Package policy holds the company's privacy policy as data: the single
// source of truth from which the public pages, the forms, the back-office
// permissions, the retention sweep and the record of processing are derived.
package policy

import (
	"io/fs"
	"time"
)

// Registry is the whole published policy. Every user-facing fact about how
// personal data is processed lives here, never in Go code.
type Registry struct {
	Version  string `yaml:"version"`  // e.g. "2026.1"
	Date     string `yaml:"date"`     // effective date, YYYY-MM-DD
	Material bool   `yaml:"material"` // true when this version's changes are material: consent is asked again

	Controller     Controller     `yaml:"controller"`
	DPO            DPO            `yaml:"dpo"`
	Authority      Authority      `yaml:"authority"`
	Services       []Text         `yaml:"services"` // what the site offers (home page)
	Purposes       []Purpose      `yaml:"purposes"`
	ConnectionData ConnectionData `yaml:"connection_data"`
	Recipients     Recipients     `yaml:"recipients"`
	Transfers      Transfers      `yaml:"transfers"`
	Security       []Text         `yaml:"security"` // technical and organisational measures (art. 32)
	Storage        Text           `yaml:"storage"`  // general storage-limitation statement (art. 5(1)(e))
	AutomatedCalls AutomatedCalls `yaml:"automated_calls"`
	Rights         []Right        `yaml:"rights"`
	Identity       Text           `yaml:"identity"` // how identity is checked on a rights request, and what happens to the ID copy
	// IdentityDocument is the upload the DPO may ask for on reasonable doubt
	// (accepted types, size cap), checked like every form's file field.
	IdentityDocument Field            `yaml:"identity_document"`
	ThirdPartyLink   Text             `yaml:"third_party_links"`
	Changes          Text             `yaml:"changes"` // how changes to the policy are announced
	Roles            []Role           `yaml:"roles"`
	Cookies          []CookieCategory `yaml:"cookie_categories"`
	Scripts          []Script         `yaml:"scripts"`
	Deployment       Deployment       `yaml:"deployment"`
	// History lists every published version, oldest first; the last one is
	// this version. Past versions' registries are kept in versions/.
	History []PolicyVersion `yaml:"history"`

	snapshots fs.FS // the past versions' registries (see PolicyAt)
}

// Deployment holds the facts only the deploying company can state (the
// published policy does not): empty by default, shown only when filled.
type Deployment struct {
	Processors []Processor `yaml:"processors"` // what each named processor does, and where
	// SubjectCategories names, per purpose key, the categories of people
	// whose data the purpose processes (art. 30(1)(c)): prospects,
	// customers, applicants… The published policy does not state them.
	SubjectCategories map[string]Text `yaml:"subject_categories"`
	// Partners are the authorised partners a partner transfer may go to
	// (recipients.partners): the policy does not name them, the company does.
	Partners []Partner `yaml:"partners"`
	// TimeZone is the company's time zone (an IANA name): times shown to
	// staff and visitors are in it, with the zone named. Empty means
	// Europe/Paris (i18n.DefaultZone).
	TimeZone string `yaml:"time_zone"`

	zone *time.Location // TimeZone, loaded by the validator
}

// Partner is one authorised partner receiving data under the
// partner-transfer consent box.
type Partner struct {
	Name string `yaml:"name"`
}

// Controller is the data controller (art. 13(1)(a)).
type Controller struct {
	Name         string `yaml:"name"`
	LegalForm    Text   `yaml:"legal_form"`
	ShareCapital Text   `yaml:"share_capital"`
	Registry     string `yaml:"registry"`   // trade register, e.g. "RCS Paris"
	RegNumber    string `yaml:"reg_number"` // e.g. "890581986"
	Address      string `yaml:"address"`
	Site         string `yaml:"site"`
}

// DPO is the data protection officer's contact (art. 13(1)(b)).
type DPO struct {
	Email string `yaml:"email"`
}

// Authority is the supervisory authority a visitor may complain to (art. 13(2)(d)).
type Authority struct {
	Name         string `yaml:"name"`
	Short        string `yaml:"short"` // "CNIL"
	Address      string `yaml:"address"`
	Phone        string `yaml:"phone"`
	ComplaintURL string `yaml:"complaint_url"`
}

// LegalBasis is one of the art. 6(1) grounds.
type LegalBasis string

const (
	BasisConsent     LegalBasis = "consent"             // art. 6(1)(a)
	BasisPreContract LegalBasis = "pre_contract"        // art. 6(1)(b), steps before a contract
	BasisContract    LegalBasis = "contract"            // art. 6(1)(b)
	BasisLegal       LegalBasis = "legal_obligation"    // art. 6(1)(c)
	BasisLegitimate  LegalBasis = "legitimate_interest" // art. 6(1)(f)
)

// Purpose is one processing activity: why data is collected, on what basis,
// through which form, who may see it and how long it is kept.
type Purpose struct {
	Key         string       `yaml:"key"`         // contact, quote, …; also the back-office URL segment
	Kind        PurposeKind  `yaml:"kind"`        // how the software handles it; empty means KindRecord
	Title       Text         `yaml:"title"`       // short name shown in tables
	Description Text         `yaml:"description"` // what the processing is for
	Bases       []LegalBasis `yaml:"bases"`
	BasisNote   Text         `yaml:"basis_note"` // the basis in plain words
	DataKinds   []Text       `yaml:"data"`       // categories of data processed (art. 30(1)(c))
	Form        *Form        `yaml:"form"`       // nil when the purpose has no public form of its own
	Retention   Retention    `yaml:"retention"`
	Statuses    []string     `yaml:"statuses"` // back-office workflow; the first is the initial status

	Line int `yaml:"-"` // line in the registry file, for error messages
}

// PurposeKind says how the software handles a purpose's submissions. The
// code finds a purpose by its kind, never by its key or its path.
type PurposeKind string

const (
	// KindRecord is an ordinary purpose: each submission is a record.
	KindRecord PurposeKind = "record"
	// KindRightsRequest is the purpose of requests to use one's rights
	// (art. 12-22): submissions are rights requests with a deadline.
	KindRightsRequest PurposeKind = "rights_request"
	// KindObjection is the purpose of objections to marketing: its
	// retention rule applies to the suppressions list.
	KindObjection PurposeKind = "objection"
)

// Rights-request statuses: RightsRequestStatuses is the one list, the
// statuses of the registry's rights_request purpose (set by the loader, not
// written in the registry), and the DPO's workflow follows it.
const (
	RightsUnconfirmed      = "unconfirmed"        // waiting for the requester to confirm their email
	RightsReceived         = "received"           // confirmed: the one-month deadline runs (art. 12(3))
	RightsInProgress       = "in_progress"        // the DPO is handling it
	RightsWaitingForPerson = "waiting_for_person" // the DPO asked the person for something (e.g. an ID copy)
	RightsDone             = "done"               // answered
	RightsRefused          = "refused"            // refused, with the reason given to the person (art. 12(4))
)

// RightsRequestStatuses is the workflow of a rights request, in order.
var RightsRequestStatuses = []string{RightsUnconfirmed, RightsReceived, RightsInProgress, RightsWaitingForPerson, RightsDone, RightsRefused}

// RightField is the select field of the rights-request form that names the
// right used; the rights-request store files the request under it.
const RightField = "right"

// Form is the public form of a purpose. Its fields and consent boxes are
// rendered and validated from here (data minimisation: nothing else is asked).
type Form struct {
	Path     string    `yaml:"path"`  // e.g. /contact
	Intro    Text      `yaml:"intro"` // one sentence above the form
	Submit   Text      `yaml:"submit"`
	Fields   []Field   `yaml:"fields"`
	Consents []Consent `yaml:"consents"`
	Quiz     *Quiz     `yaml:"quiz"`
	Confirm  Text      `yaml:"confirm"` // what the confirmation page says was done
	// DoubleOptIn: the submission counts only once the person follows the
	// signed link emailed to them (newsletter: CNIL double opt-in; rights
	// requests: the requester proves the address is theirs).
	DoubleOptIn bool `yaml:"double_opt_in"`
	// ConfirmWording is what the double opt-in says; required with it.
	ConfirmWording *ConfirmWording `yaml:"confirm_wording"`
}

// ConfirmWording is what a double opt-in says: in the email with the signed
// link, and on the page that link opens.
type ConfirmWording struct {
	Subject Text `yaml:"subject"` // the email's subject, after the controller's name
	Lead    Text `yaml:"lead"`    // the email's first paragraph, before the link
	Page    Text `yaml:"page"`    // the page's sentence above the Confirm button
}

// FieldType is how a field is rendered and validated.
type FieldType string

const (
	FieldText     FieldType = "text"
	FieldTextarea FieldType = "textarea"
	FieldEmail    FieldType = "email"
	FieldPhone    FieldType = "tel"
	FieldNumber   FieldType = "number"
	FieldSelect   FieldType = "select"
	FieldDateTime FieldType = "datetime" // datetime-local
	FieldFile     FieldType = "file"
)

// Field is one input of a form.
type Field struct {
	Name         string    `yaml:"name"` // form field name and key in the stored record
	Label        Text      `yaml:"label"`
	Type         FieldType `yaml:"type"`
	Required     bool      `yaml:"required"`
	MaxLength    int       `yaml:"max_length"` // characters; required for text-like fields
	Min          *int      `yaml:"min"`        // number fields
	Max          *int      `yaml:"max"`
	Options      []Option  `yaml:"options"` // select fields
	Accept       []string  `yaml:"accept"`  // file fields: allowed MIME types, detected from content
	MaxBytes     int64     `yaml:"max_bytes"`
	Autocomplete string    `yaml:"autocomplete"`
	Help         Text      `yaml:"help"`
	Identifies   string    `yaml:"identifies"` // "email" or "phone": feeds the subject's blind index
	Masked       bool      `yaml:"masked"`     // shown masked in back-office lists
}

// Option is one choice of a select field.
type Option struct {
	Value string `yaml:"value"`
	Label Text   `yaml:"label"`
}

// Consent is one distinct, unticked box. Its exact wording is hashed into
// the consents ledger so the proof names what the person agreed to.
type Consent struct {
	Kind     string `yaml:"kind"` // newsletter, sms, whatsapp, automated_calls, offers_sms, offers_whatsapp, offers_automated_calls, partner_transfer, processing
	Label    Text   `yaml:"label"`
	Required bool   `yaml:"required"` // the purpose itself rests on this consent: the form cannot be sent without it
	// Channel is how the box lets us reach the person (one of Channels);
	// empty for a box that only allows the processing itself.
	Channel string `yaml:"channel"`
}

// The channels a consent box may open. An objection to prospecting covers
// them all; a suppression may also name one (an opt-out during a call).
const (
	ChannelEmail           = "email"
	ChannelSMS             = "sms"
	ChannelWhatsApp        = "whatsapp"
	ChannelAutomatedCalls  = "automated_calls"
	ChannelPartnerTransfer = "partner_transfer"
)

// Channels lists every channel, in the order the pages show them.
var Channels = []string{ChannelEmail, ChannelSMS, ChannelWhatsApp, ChannelAutomatedCalls, ChannelPartnerTransfer}

// Quiz is a short admission prerequisite test (training).
type Quiz struct {
	Title     Text       `yaml:"title"`
	PassScore int        `yaml:"pass_score"`
	Questions []Question `yaml:"questions"`
}

// Question is one multiple-choice question of a quiz.
type Question struct {
	Name    string   `yaml:"name"`
	Text    Text     `yaml:"text"`
	Options []Option `yaml:"options"`
	Answer  string   `yaml:"answer"` // value of the correct option
}

// RetentionFrom is the moment a retention period counts from.
type RetentionFrom string

const (
	FromLastContact RetentionFrom = "last_contact" // records.last_contact_at
	FromCreated     RetentionFrom = "created"      // records.created_at (receipt of the request)
	FromEventEnd    RetentionFrom = "event_end"    // end of the event (AI challenge), else last contact
)

// Retention says how long a purpose keeps its records (art. 5(1)(e), art. 13(2)(a)).
type Retention struct {
	Years          int           `yaml:"years"`
	Months         int           `yaml:"months"`
	Days           int           `yaml:"days"`
	From           RetentionFrom `yaml:"from"`
	Action         string        `yaml:"action"`          // "delete" or "anonymise"
	UntilWithdrawn bool          `yaml:"until_withdrawn"` // ends earlier when consent is withdrawn
	DestroyOn      []string      `yaml:"destroy_on"`      // statuses that destroy the record at once (unsuccessful application)
	EventEnd       string        `yaml:"event_end"`       // with from: event_end, the event's last day (YYYY-MM-DD); staff may set it instead
}

// ConnectionData is what the site keeps about a visit: the proof of each
// cookie choice (truncated IP address, hashed user agent), kept for Retention.
type ConnectionData struct {
	Retention Retention `yaml:"retention"`
}

// Recipients says who receives the data (art. 13(1)(e)).
type Recipients struct {
	Internal    Text     `yaml:"internal"`   // which teams see what
	Processors  []string `yaml:"processors"` // names, as the policy gives them; details in Deployment
	Partners    Partners `yaml:"partners"`
	Authorities []Text   `yaml:"authorities"` // when the law requires disclosure
	NeverSold   bool     `yaml:"never_sold"`
}

// Processor is what the deployment states about a subcontractor processing
// data on the controller's behalf (art. 28).
type Processor struct {
	Name    string `yaml:"name"`
	Service Text   `yaml:"service"`
	Country Text   `yaml:"country"`
	EEA     bool   `yaml:"eea"` // false: a transfer outside the EEA
}

// Partners are the commercial partners who may receive data for CPF prospecting.
type Partners struct {
	Description Text     `yaml:"description"`
	ConsentKind string   `yaml:"consent_kind"` // the consent box that alone allows the transmission
	Purposes    []string `yaml:"purposes"`     // forms that carry that box
	Agreement   Text     `yaml:"agreement"`
}

// Transfers describes transfers outside the EEA (art. 44-46).
type Transfers struct {
	OutsideEEA bool   `yaml:"outside_eea"`
	Safeguards []Text `yaml:"safeguards"`
}

// AutomatedCalls covers pre-recorded calls (CNIL rules on automated prospecting).
type AutomatedCalls struct {
	Description Text   `yaml:"description"`
	ConsentKind string `yaml:"consent_kind"`
	OptOut      []Text `yaml:"opt_out"`
}

// Right is one of the data subject's rights (art. 15-22, art. 77, and
// article 85 of the French Data Protection Act for post-mortem directives).
type Right struct {
	Key         string `yaml:"key"` // access, rectification, erasure, restriction, objection, portability, withdraw_consent, automated_decision, post_mortem, complaint
	Title       Text   `yaml:"title"`
	Description Text   `yaml:"description"`
	Conditions  []Text `yaml:"conditions"`
	Requestable bool   `yaml:"requestable"` // offered on the rights-request form
}

// Role is a staff role and the purposes it may see.
type Role struct {
	Key            string   `yaml:"key"` // sales, training, recruitment, dpo, admin
	Title          Text     `yaml:"title"`
	Purposes       []string `yaml:"purposes"`
	AllPurposes    bool     `yaml:"all_purposes"`    // the DPO
	ReadOnly       bool     `yaml:"read_only"`       // may read but not change records (outside rights requests)
	SeesRestricted bool     `yaml:"sees_restricted"` // restricted records (art. 18) are hidden from everyone else
	ManagesStaff   bool     `yaml:"manages_staff"`   // the admin: staff accounts, no personal data
	ReviewsLog     bool     `yaml:"reviews_log"`     // the DPO: reviews the access log (CNIL délibération 2021-122)
	Markets        bool     `yaml:"markets"`         // draws marketing lists (audiences) and partner transmissions
}

// CookieCategory groups cookies a visitor consents to together.
type CookieCategory struct {
	Key         string   `yaml:"key"` // necessary, audience, marketing
	Title       Text     `yaml:"title"`
	Description Text     `yaml:"description"`
	Necessary   bool     `yaml:"necessary"` // always on, no consent needed (ePrivacy art. 5(3) exemption)
	Cookies     []Cookie `yaml:"cookies"`
	// GoogleConsent are the Google Consent Mode v2 types this category
	// grants (analytics_storage, ad_storage, ad_user_data,
	// ad_personalization…), signalled when a script is a Google tag.
	GoogleConsent []string `yaml:"google_consent"`
}

// Cookie is one cookie the site sets or lets a third party set.
type Cookie struct {
	Name     string  `yaml:"name"`
	Provider Text    `yaml:"provider"`
	Purpose  Text    `yaml:"purpose"`
	Lifetime *Period `yaml:"lifetime"` // nil: a session cookie, gone when the browser closes
}

// LifetimeText says how long the cookie lasts, for the cookie page.
func (c Cookie) LifetimeText() Text {
	if c.Lifetime == nil || c.Lifetime.IsZero() {
		return Text{EN: "Until the browser is closed", FR: "Jusqu’à la fermeture du navigateur"}
	}
	return c.Lifetime.Text()
}

// Script is a script gated by cookie consent: rendered inert until the
// visitor's choice covers its category.
type Script struct {
	Key       string `yaml:"key"`
	Src       string `yaml:"src"`
	Category  string `yaml:"category"`
	GoogleTag bool   `yaml:"google_tag"` // emit Consent Mode v2 signals
}
