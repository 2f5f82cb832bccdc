package policy

import (
	"cmp"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

var (
	keyRE    = regexp.MustCompile(`^[a-z][a-z_]*$`)
	scriptRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	dateRE   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

const maxTextLength = 20000

var (
	knownBases = []LegalBasis{BasisConsent, BasisPreContract, BasisContract, BasisLegal, BasisLegitimate}
	knownTypes = []FieldType{FieldText, FieldTextarea, FieldEmail, FieldPhone, FieldNumber, FieldSelect, FieldDateTime, FieldFile}
	knownFrom  = []RetentionFrom{FromLastContact, FromCreated, FromEventEnd}
	knownRoles = []string{"sales", "training", "recruitment", "dpo", "admin"}
	knownRight = []string{"access", "rectification", "erasure", "restriction", "objection", "portability",
		"withdraw_consent", "automated_decision", "post_mortem", "complaint"}
	knownActions = []string{"delete", "anonymise"}
	knownKinds   = []PurposeKind{KindRecord, KindRightsRequest, KindObjection}
	// googleConsentTypes are Google Consent Mode v2's storage and use types.
	googleConsentTypes = []string{"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
		"functionality_storage", "personalization_storage", "security_storage"}
)

type problem struct {
	line int
	msg  string
}

// validator collects every problem, so one start-up shows them all.
type validator struct {
	root     *yaml.Node
	index    lineIndex // built on the first problem: a valid registry never pays for it
	problems []problem
}

// line returns the line where path is written (see lineIndex.line).
func (v *validator) line(path string) int {
	if v.index == nil {
		v.index = lineIndex{}
		v.index.add(v.root, "")
	}
	return v.index.line(path)
}

func (v *validator) errorf(path, format string, args ...any) {
	v.problems = append(v.problems, problem{v.line(path), path + ": " + fmt.Sprintf(format, args...)})
}

func (v *validator) required(path, value string) {
	if strings.TrimSpace(value) == "" {
		v.errorf(path, "is required")
	}
}

// validate checks what YAML decoding cannot: that the registry is a
// coherent policy the portal can enforce.
func validate(r *Registry, name string, root *yaml.Node) error {
	v := &validator{root: root}
	v.header(r)
	v.purposes(r)
	v.retention("connection_data.retention", r.ConnectionData.Retention, nil)
	v.recipients(r)
	v.rights(r)
	v.roles(r)
	v.cookies(r)
	v.texts(reflect.ValueOf(r).Elem(), "")

	if len(v.problems) == 0 {
		return nil
	}
	slices.SortStableFunc(v.problems, func(a, b problem) int { return cmp.Compare(a.line, b.line) })
	errs := make([]error, len(v.problems))
	for i, p := range v.problems {
		errs[i] = fmt.Errorf("%s:%d: %s", name, p.line, p.msg)
	}
	return errors.Join(errs...)
}

func (v *validator) header(r *Registry) {
	v.required("version", r.Version)
	if r.Version != "" && !versionRE.MatchString(r.Version) {
		v.errorf("version", "must be letters, digits, '.', '_' or '-' (it names a file and a URL), got %q", r.Version)
	}
	v.history(r)
	if !dateRE.MatchString(r.Date) {
		v.errorf("date", "must be a date written YYYY-MM-DD, got %q", r.Date)
	} else if _, err := time.Parse(time.DateOnly, r.Date); err != nil {
		v.errorf("date", "is not a valid date: %q", r.Date)
	}
	c := r.Controller // art. 13(1)(a): identity and contact details
	v.required("controller.name", c.Name)
	v.requiredText("controller.legal_form", c.LegalForm)
	v.requiredText("controller.share_capital", c.ShareCapital)
	v.required("controller.registry", c.Registry)
	v.required("controller.reg_number", c.RegNumber)
	v.required("controller.address", c.Address)
	v.url("controller.site", c.Site)
	if _, err := mail.ParseAddress(r.DPO.Email); err != nil || strings.ContainsAny(r.DPO.Email, "<> ") {
		v.errorf("dpo.email", "must be a plain email address, got %q", r.DPO.Email)
	}
	a := r.Authority // art. 13(2)(d): the right to complain
	v.required("authority.name", a.Name)
	v.required("authority.address", a.Address)
	v.url("authority.complaint_url", a.ComplaintURL)
}

// history checks the list of published versions: each one once, dated, in
// order, summarised, the last being this version with its date and
// materiality. A registry without one has only its own version.
func (v *validator) history(r *Registry) {
	if len(r.History) == 0 {
		// No history written: this version is the only one known.
		r.History = []PolicyVersion{{Version: r.Version, Date: r.Date, Material: r.Material}}
		return
	}
	seen := map[string]bool{}
	prev := ""
	for i, h := range r.History {
		at := fmt.Sprintf("history[%d]", i)
		if !versionRE.MatchString(h.Version) {
			v.errorf(at+".version", "must be letters, digits, '.', '_' or '-', got %q", h.Version)
		}
		if seen[h.Version] {
			v.errorf(at+".version", "%q is listed twice", h.Version)
		}
		seen[h.Version] = true
		if _, err := time.Parse(time.DateOnly, h.Date); err != nil || !dateRE.MatchString(h.Date) {
			v.errorf(at+".date", "must be a date written YYYY-MM-DD, got %q", h.Date)
		} else if h.Date < prev {
			v.errorf(at+".date", "%s is before the previous version's %s: list versions oldest first", h.Date, prev)
		}
		prev = h.Date
		v.requiredText(at+".summary", h.Summary)
	}
	last := r.History[len(r.History)-1]
	if last.Version != r.Version || last.Date != r.Date || last.Material != r.Material {
		v.errorf(fmt.Sprintf("history[%d]", len(r.History)-1),
			"the last version must be this one (version %q, date %q, material %v)", r.Version, r.Date, r.Material)
	}
}

func (v *validator) url(path, s string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.errorf(path, "must be an http(s) URL, got %q", s)
	}
}

func (v *validator) purposes(r *Registry) {
	if len(r.Purposes) == 0 {
		v.errorf("purposes", "at least one purpose is required")
	}
	keys := map[string]string{}  // purpose key → its path
	paths := map[string]string{} // form path → its path
	rightsAt := ""               // the purpose of kind rights_request
	for i := range r.Purposes {
		p := &r.Purposes[i]
		at := fmt.Sprintf("purposes[%d]", i)
		switch p.Kind {
		case KindRecord, KindObjection:
		case KindRightsRequest:
			if rightsAt != "" {
				v.errorf(at+".kind", "a second purpose of kind %q (the first at line %d)", p.Kind, v.line(rightsAt))
			}
			rightsAt = at + ".kind"
			v.rightsForm(at, p)
		default:
			v.errorf(at+".kind", "unknown kind %q (want one of %v)", p.Kind, knownKinds)
		}
		if !keyRE.MatchString(p.Key) {
			v.errorf(at+".key", "purpose key %q must match %s", p.Key, keyRE)
		} else if first, dup := keys[p.Key]; dup {
			v.errorf(at+".key", "duplicate purpose key %q (first at line %d)", p.Key, v.line(first))
		} else {
			keys[p.Key] = at + ".key"
		}
		v.requiredText(at+".title", p.Title)
		v.requiredText(at+".description", p.Description)
		if len(p.Bases) == 0 {
			v.errorf(at+".bases", "at least one legal basis is required")
		}
		for j, b := range p.Bases {
			if !slices.Contains(knownBases, b) {
				v.errorf(fmt.Sprintf("%s.bases[%d]", at, j), "unknown legal basis %q (want one of %v)", b, knownBases)
			}
		}
		v.retention(at+".retention", p.Retention, p.Statuses)
		v.statuses(at, p)
		if p.Form != nil {
			v.form(at+".form", p, paths)
		}
	}
}

// rightsForm checks what the rights-request store needs: a public form
// that confirms the requester's address and says which right is used.
func (v *validator) rightsForm(at string, p *Purpose) {
	if p.Form == nil {
		v.errorf(at+".form", "a purpose of kind %q needs a form", p.Kind)
		return
	}
	if !p.Form.DoubleOptIn {
		v.errorf(at+".form.double_opt_in", "a purpose of kind %q must confirm the requester's address (double_opt_in: true)", p.Kind)
	}
	if !slices.Equal(p.Statuses, RightsRequestStatuses) {
		v.errorf(at+".statuses", "the statuses of a purpose of kind %q are the software's %v: remove them", p.Kind, RightsRequestStatuses)
	}
	if f, ok := p.Field(RightField); !ok || f.Type != FieldSelect || !f.Required {
		v.errorf(at+".form.fields", "a purpose of kind %q needs a required select field %q", p.Kind, RightField)
	}
}

func (v *validator) retention(at string, rt Retention, statuses []string) {
	if rt.Years < 0 || rt.Months < 0 || rt.Days < 0 {
		v.errorf(at+".years", "years, months and days cannot be negative")
	} else if rt.Years == 0 && rt.Months == 0 && rt.Days == 0 {
		v.errorf(at+".years", "a retention period (years, months or days) is required")
	} else if rt.Years > 100 || rt.Months > 1200 || rt.Days > 36600 || rt.Years*366+rt.Months*31+rt.Days > 100*366 {
		v.errorf(at+".years", "retention period longer than 100 years")
	}
	if !slices.Contains(knownFrom, rt.From) {
		v.errorf(at+".from", "unknown start %q (want one of %v)", rt.From, knownFrom)
	}
	if !slices.Contains(knownActions, rt.Action) {
		v.errorf(at+".action", "unknown action %q (want one of %v)", rt.Action, knownActions)
	}
	if rt.EventEnd != "" {
		if _, err := time.Parse(time.DateOnly, rt.EventEnd); err != nil {
			v.errorf(at+".event_end", "event_end %q is not a date (YYYY-MM-DD)", rt.EventEnd)
		} else if rt.From != FromEventEnd {
			v.errorf(at+".event_end", "event_end needs from: event_end")
		}
	}
	for j, s := range rt.DestroyOn {
		if !slices.Contains(statuses, s) {
			v.errorf(fmt.Sprintf("%s.destroy_on[%d]", at, j), "status %q is not one of the purpose's statuses", s)
		} else if s == statuses[0] {
			v.errorf(fmt.Sprintf("%s.destroy_on[%d]", at, j), "the initial status %q cannot destroy records", s)
		}
	}
}

func (v *validator) statuses(at string, p *Purpose) {
	if len(p.Statuses) == 0 {
		v.errorf(at+".statuses", "at least one status is required")
	}
	seen := map[string]bool{}
	for j, s := range p.Statuses {
		switch {
		case !keyRE.MatchString(s):
			v.errorf(fmt.Sprintf("%s.statuses[%d]", at, j), "status %q must match %s", s, keyRE)
		case seen[s]:
			v.errorf(fmt.Sprintf("%s.statuses[%d]", at, j), "duplicate status %q", s)
		}
		seen[s] = true
	}
}

func (v *validator) form(at string, p *Purpose, paths map[string]string) {
	f := p.Form
	if !strings.HasPrefix(f.Path, "/") || strings.ContainsAny(f.Path, " ?#") {
		v.errorf(at+".path", "form path %q must start with / (no spaces, query or fragment)", f.Path)
	} else if first, dup := paths[f.Path]; dup {
		v.errorf(at+".path", "form path %q already used (line %d)", f.Path, v.line(first))
	} else {
		paths[f.Path] = at + ".path"
	}
	if len(f.Fields) == 0 {
		v.errorf(at+".fields", "a form needs at least one field")
	}
	// Every submission is tied to a subject by its email address and
	// answered by email (receipt or confirmation link): the stores need it.
	if !slices.ContainsFunc(f.Fields, func(fd Field) bool {
		return fd.Type == FieldEmail && fd.Identifies == "email" && fd.Required
	}) {
		v.errorf(at+".fields", "a form needs a required email field with identifies: email (submissions are tied to it and answered by email)")
	}
	names := map[string]bool{} // fields and quiz questions share the form's namespace
	for j := range f.Fields {
		v.field(fmt.Sprintf("%s.fields[%d]", at, j), &f.Fields[j], names)
	}
	kinds := map[string]bool{}
	hasRequired := false
	for j, c := range f.Consents {
		cat := fmt.Sprintf("%s.consents[%d]", at, j)
		switch {
		case !keyRE.MatchString(c.Kind):
			v.errorf(cat+".kind", "consent kind %q must match %s", c.Kind, keyRE)
		case kinds[c.Kind]:
			// Art. 7(2): each consent must be distinct and separately given.
			v.errorf(cat+".kind", "duplicate consent kind %q in this form", c.Kind)
		}
		kinds[c.Kind] = true
		if c.Channel != "" && !slices.Contains(Channels, c.Channel) {
			v.errorf(cat+".channel", "unknown channel %q (one of %s)", c.Channel, strings.Join(Channels, ", "))
		}
		v.requiredText(cat+".label", c.Label)
		hasRequired = hasRequired || c.Required
	}
	// Art. 7(1): when consent is the only basis, the form must collect it.
	if len(p.Bases) == 1 && p.Bases[0] == BasisConsent && !hasRequired {
		v.errorf(at+".consents", "purpose %q rests on consent alone: its form needs a required consent box", p.Key)
	}
	if q := f.Quiz; q != nil {
		v.quiz(at+".quiz", q, names)
	}
	if f.DoubleOptIn {
		if w := f.ConfirmWording; w == nil {
			v.errorf(at+".double_opt_in", "a double opt-in needs confirm_wording (subject, lead, page)")
		} else {
			v.requiredText(at+".confirm_wording.subject", w.Subject)
			v.requiredText(at+".confirm_wording.lead", w.Lead)
			v.requiredText(at+".confirm_wording.page", w.Page)
		}
	}
}

func (v *validator) field(at string, fd *Field, names map[string]bool) {
	switch {
	case !keyRE.MatchString(fd.Name):
		v.errorf(at+".name", "field name %q must match %s", fd.Name, keyRE)
	case names[fd.Name]:
		v.errorf(at+".name", "duplicate field name %q", fd.Name)
	}
	names[fd.Name] = true
	v.requiredText(at+".label", fd.Label)
	if !slices.Contains(knownTypes, fd.Type) {
		v.errorf(at+".type", "unknown field type %q (want one of %v)", fd.Type, knownTypes)
		return
	}
	// Input limits are part of data minimisation (art. 5(1)(c)) and of
	// the handlers' input validation: no unbounded field.
	if fd.IsTextLike() && (fd.MaxLength <= 0 || fd.MaxLength > maxTextLength) {
		v.errorf(at+".max_length", "a %s field needs max_length between 1 and %d", fd.Type, maxTextLength)
	}
	switch fd.Type {
	case FieldSelect:
		v.options(at+".options", fd.Options, "a select field needs options")
	case FieldNumber:
		if fd.Min == nil || fd.Max == nil {
			v.errorf(at, "a number field needs min and max")
		} else if *fd.Min > *fd.Max {
			v.errorf(at+".min", "min %d is greater than max %d", *fd.Min, *fd.Max)
		}
	case FieldFile:
		if len(fd.Accept) == 0 {
			v.errorf(at+".accept", "a file field needs accept (MIME types)")
		}
		for k, m := range fd.Accept {
			if !strings.Contains(m, "/") {
				v.errorf(fmt.Sprintf("%s.accept[%d]", at, k), "%q is not a MIME type", m)
			}
		}
		if fd.MaxBytes <= 0 {
			v.errorf(at+".max_bytes", "a file field needs max_bytes > 0")
		}
	}
	switch fd.Identifies {
	case "":
	case "email", "phone":
		if want := map[string]FieldType{"email": FieldEmail, "phone": FieldPhone}[fd.Identifies]; fd.Type != want {
			v.errorf(at+".identifies", "identifies %q needs a field of type %q", fd.Identifies, want)
		}
	default:
		v.errorf(at+".identifies", "unknown identifier %q (want email or phone)", fd.Identifies)
	}
}

func (v *validator) options(at string, opts []Option, empty string) {
	if len(opts) == 0 {
		v.errorf(at, "%s", empty)
	}
	seen := map[string]bool{}
	for k, o := range opts {
		oat := fmt.Sprintf("%s[%d]", at, k)
		switch {
		case o.Value == "":
			v.errorf(oat+".value", "is required")
		case seen[o.Value]:
			v.errorf(oat+".value", "duplicate option %q", o.Value)
		}
		seen[o.Value] = true
		v.requiredText(oat+".label", o.Label)
	}
}

func (v *validator) quiz(at string, q *Quiz, names map[string]bool) {
	if len(q.Questions) == 0 {
		v.errorf(at+".questions", "a quiz needs questions")
	}
	if q.PassScore < 1 || q.PassScore > len(q.Questions) {
		v.errorf(at+".pass_score", "must be between 1 and the number of questions (%d)", len(q.Questions))
	}
	for j, qu := range q.Questions {
		qat := fmt.Sprintf("%s.questions[%d]", at, j)
		switch {
		case !keyRE.MatchString(qu.Name):
			v.errorf(qat+".name", "question name %q must match %s", qu.Name, keyRE)
		case names[qu.Name]:
			v.errorf(qat+".name", "duplicate field or question name %q", qu.Name)
		}
		names[qu.Name] = true
		v.requiredText(qat+".text", qu.Text)
		v.options(qat+".options", qu.Options, "a question needs options")
		if !slices.ContainsFunc(qu.Options, func(o Option) bool { return o.Value == qu.Answer }) {
			v.errorf(qat+".answer", "answer %q is not one of the options", qu.Answer)
		}
	}
}

// formConsents lists the consent kinds each purpose's form asks for.
func formConsents(r *Registry) map[string][]string {
	m := map[string][]string{}
	for _, p := range r.Purposes {
		if p.Form == nil {
			continue
		}
		for _, c := range p.Form.Consents {
			m[p.Key] = append(m[p.Key], c.Kind)
		}
	}
	return m
}

func (v *validator) recipients(r *Registry) {
	rc := r.Recipients
	v.requiredText("recipients.internal", rc.Internal)
	for i, name := range rc.Processors {
		v.required(fmt.Sprintf("recipients.processors[%d]", i), name)
	}
	outside := false
	for i, p := range r.Deployment.Processors {
		at := fmt.Sprintf("deployment.processors[%d]", i)
		if !slices.Contains(rc.Processors, p.Name) {
			v.errorf(at+".name", "%q is not one of recipients.processors %v", p.Name, rc.Processors)
		}
		v.requiredText(at+".service", p.Service)
		v.requiredText(at+".country", p.Country)
		outside = outside || !p.EEA
	}
	for key, cat := range r.Deployment.SubjectCategories {
		at := "deployment.subject_categories." + key
		if _, ok := r.Purpose(key); !ok {
			v.errorf(at, "unknown purpose %q", key)
		}
		v.requiredText(at, cat)
	}
	// Art. 13(1)(f), 46: a processor outside the EEA is a transfer that
	// must be declared with its safeguards.
	if outside && (!r.Transfers.OutsideEEA || len(r.Transfers.Safeguards) == 0) {
		v.errorf("transfers", "a processor is outside the EEA: outside_eea must be true, with safeguards")
	}

	consents := formConsents(r)
	pt := rc.Partners
	if pt.ConsentKind != "" || len(pt.Purposes) > 0 {
		v.required("recipients.partners.consent_kind", pt.ConsentKind)
		v.requiredText("recipients.partners.agreement", pt.Agreement)
		for i, key := range pt.Purposes {
			at := fmt.Sprintf("recipients.partners.purposes[%d]", i)
			if !slices.ContainsFunc(r.Purposes, func(p Purpose) bool { return p.Key == key }) {
				v.errorf(at, "unknown purpose %q", key)
			} else if !slices.Contains(consents[key], pt.ConsentKind) {
				// Partners receive data only on a box ticked for it.
				v.errorf(at, "the form of purpose %q has no %q consent box", key, pt.ConsentKind)
			}
		}
	}

	if tz := r.Deployment.TimeZone; tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			v.errorf("deployment.time_zone", "%q is not a time zone name such as Europe/Paris", tz)
		} else {
			r.Deployment.zone = loc
		}
	}

	for i, p := range r.Deployment.Partners {
		v.required(fmt.Sprintf("deployment.partners[%d].name", i), p.Name)
	}

	ac := r.AutomatedCalls
	if ac.ConsentKind != "" {
		found := false
		for _, kinds := range consents {
			found = found || slices.Contains(kinds, ac.ConsentKind)
		}
		if !found {
			v.errorf("automated_calls.consent_kind", "no form has a %q consent box", ac.ConsentKind)
		}
	}
}

func (v *validator) rights(r *Registry) {
	seen := map[string]bool{}
	var requestable []string
	for i, rt := range r.Rights {
		at := fmt.Sprintf("rights[%d]", i)
		switch {
		case !slices.Contains(knownRight, rt.Key):
			v.errorf(at+".key", "unknown right %q (want one of %v)", rt.Key, knownRight)
		case seen[rt.Key]:
			v.errorf(at+".key", "duplicate right %q", rt.Key)
		}
		seen[rt.Key] = true
		v.requiredText(at+".title", rt.Title)
		v.requiredText(at+".description", rt.Description)
		if rt.Requestable {
			requestable = append(requestable, rt.Key)
		}
	}
	// The rights-request form must offer exactly the rights the page says can be
	// requested there, so the page and the form cannot drift apart.
	for i, p := range r.Purposes {
		if p.Kind != KindRightsRequest || p.Form == nil {
			continue
		}
		for j, f := range p.Form.Fields {
			if f.Name != "right" || f.Type != FieldSelect {
				continue
			}
			var offered []string
			for _, o := range f.Options {
				offered = append(offered, o.Value)
			}
			slices.Sort(offered)
			want := slices.Sorted(slices.Values(requestable))
			if !slices.Equal(offered, want) {
				v.errorf(fmt.Sprintf("purposes[%d].form.fields[%d].options", i, j),
					"the options %v differ from the requestable rights %v", offered, want)
			}
		}
	}
}

func (v *validator) roles(r *Registry) {
	seen := map[string]bool{}
	visible := map[string]bool{}
	for i, ro := range r.Roles {
		at := fmt.Sprintf("roles[%d]", i)
		switch {
		case !slices.Contains(knownRoles, ro.Key):
			v.errorf(at+".key", "unknown role %q (want one of %v)", ro.Key, knownRoles)
		case seen[ro.Key]:
			v.errorf(at+".key", "duplicate role %q", ro.Key)
		}
		seen[ro.Key] = true
		v.requiredText(at+".title", ro.Title)
		if ro.AllPurposes && len(ro.Purposes) > 0 {
			v.errorf(at+".purposes", "all_purposes and purposes exclude each other")
		}
		if ro.ManagesStaff && (ro.AllPurposes || len(ro.Purposes) > 0) {
			v.errorf(at, "a role that manages staff sees no personal data: no purposes")
		}
		for j, key := range ro.Purposes {
			pat := fmt.Sprintf("%s.purposes[%d]", at, j)
			switch {
			case !slices.ContainsFunc(r.Purposes, func(p Purpose) bool { return p.Key == key }):
				v.errorf(pat, "unknown purpose %q", key)
			case slices.Index(ro.Purposes, key) != j:
				v.errorf(pat, "duplicate purpose %q", key)
			}
			visible[key] = true
		}
		if ro.AllPurposes {
			for _, p := range r.Purposes {
				visible[p.Key] = true
			}
		}
	}
	for i, p := range r.Purposes {
		if !visible[p.Key] {
			v.errorf(fmt.Sprintf("purposes[%d].key", i), "purpose %q is visible to no role", p.Key)
		}
	}
}

func (v *validator) cookies(r *Registry) {
	seen := map[string]bool{}
	names := map[string]bool{}
	necessary := 0
	for i, c := range r.Cookies {
		at := fmt.Sprintf("cookie_categories[%d]", i)
		switch {
		case !keyRE.MatchString(c.Key):
			v.errorf(at+".key", "category key %q must match %s", c.Key, keyRE)
		case seen[c.Key]:
			v.errorf(at+".key", "duplicate cookie category %q", c.Key)
		}
		seen[c.Key] = true
		v.requiredText(at+".title", c.Title)
		v.requiredText(at+".description", c.Description)
		if c.Necessary {
			necessary++
			if necessary > 1 {
				v.errorf(at+".necessary", "only one cookie category can be necessary")
			}
		}
		for j, ck := range c.Cookies {
			cat := fmt.Sprintf("%s.cookies[%d]", at, j)
			switch {
			case ck.Name == "":
				v.errorf(cat+".name", "is required")
			case names[ck.Name]:
				v.errorf(cat+".name", "cookie %q is declared twice", ck.Name)
			}
			names[ck.Name] = true
			v.requiredText(cat+".purpose", ck.Purpose)
		}
		for j, g := range c.GoogleConsent {
			if !slices.Contains(googleConsentTypes, g) {
				v.errorf(fmt.Sprintf("%s.google_consent[%d]", at, j), "unknown Google consent type %q (one of %s)", g, strings.Join(googleConsentTypes, ", "))
			}
		}
	}
	if necessary == 0 {
		v.errorf("cookie_categories", "exactly one cookie category must be necessary")
	}
	keys := map[string]bool{}
	for i, s := range r.Scripts {
		at := fmt.Sprintf("scripts[%d]", i)
		switch {
		case !scriptRE.MatchString(s.Key):
			v.errorf(at+".key", "script key %q must match %s", s.Key, scriptRE)
		case keys[s.Key]:
			v.errorf(at+".key", "duplicate script %q", s.Key)
		}
		keys[s.Key] = true
		local := strings.HasPrefix(s.Src, "/") && !strings.HasPrefix(s.Src, "//")
		if !local && !strings.HasPrefix(s.Src, "https://") {
			v.errorf(at+".src", "script src %q must be a local path (/…) or an https:// URL", s.Src)
		}
		// ePrivacy art. 5(3): a consent-gated script in the necessary
		// category would run without consent.
		ci := slices.IndexFunc(r.Cookies, func(c CookieCategory) bool { return c.Key == s.Category })
		switch {
		case ci < 0:
			v.errorf(at+".category", "unknown cookie category %q", s.Category)
		case r.Cookies[ci].Necessary:
			v.errorf(at+".category", "a script cannot be in the necessary category %q", s.Category)
		}
	}
}
