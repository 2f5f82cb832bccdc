package policy

import (
	"iter"
	"slices"
	"time"

	"github.com/alegria/privacy-portal/i18n"
)

// Purpose returns the purpose with this key. Pointers point into the
// registry: treat them as read-only.
func (r *Registry) Purpose(key string) (*Purpose, bool) {
	for i := range r.Purposes {
		if r.Purposes[i].Key == key {
			return &r.Purposes[i], true
		}
	}
	return nil, false
}

// RightsPurpose returns the purpose of kind rights_request: the one whose
// form takes requests to use one's rights. The validator allows at most one.
func (r *Registry) RightsPurpose() (*Purpose, bool) {
	for i := range r.Purposes {
		if r.Purposes[i].Kind == KindRightsRequest {
			return &r.Purposes[i], true
		}
	}
	return nil, false
}

// RightsPath is the path of the rights-request form, or "" when the
// registry has none.
func (r *Registry) RightsPath() string {
	if p, ok := r.RightsPurpose(); ok && p.Form != nil {
		return p.Form.Path
	}
	return ""
}

// UploadLimits maps the path of every form with a file field to the largest
// file its fields accept (max_bytes). Its body may hold that plus
// UploadMargin for the other fields.
func (r *Registry) UploadLimits() map[string]int64 {
	limits := map[string]int64{}
	for _, p := range r.FormPurposes() {
		for _, f := range p.Form.Fields {
			if f.Type == FieldFile {
				limits[p.Form.Path] = max(limits[p.Form.Path], f.MaxBytes)
			}
		}
	}
	return limits
}

// UploadMargin is the room a form with files has for its other fields.
const UploadMargin = 256 << 10

// Role returns the staff role with this key.
func (r *Registry) Role(key string) (*Role, bool) {
	for i := range r.Roles {
		if r.Roles[i].Key == key {
			return &r.Roles[i], true
		}
	}
	return nil, false
}

// PurposesFor lists the purposes a role may see. Access is denied by
// default (art. 5(1)(f), 25, 32): an unknown role or one that manages staff
// gets nil. The result is a copy; it feeds the row-level security setting.
func (r *Registry) PurposesFor(role string) []string {
	ro, ok := r.Role(role)
	if !ok || ro.ManagesStaff {
		return nil
	}
	if ro.AllPurposes {
		return r.PurposeKeys()
	}
	return slices.Clone(ro.Purposes)
}

// PurposeKeys lists every purpose's key, in registry order (a new slice).
func (r *Registry) PurposeKeys() []string {
	keys := make([]string, len(r.Purposes))
	for i, p := range r.Purposes {
		keys[i] = p.Key
	}
	return keys
}

// CanSee reports whether role may see records of purpose (need-to-know,
// art. 5(1)(f) and 32(4)).
func (r *Registry) CanSee(role, purpose string) bool {
	_, ok := r.Purpose(purpose)
	return ok && slices.Contains(r.PurposesFor(role), purpose)
}

// FormByPath returns the purpose whose public form is at path.
func (r *Registry) FormByPath(path string) (*Purpose, bool) {
	for i := range r.Purposes {
		if f := r.Purposes[i].Form; f != nil && f.Path == path {
			return &r.Purposes[i], true
		}
	}
	return nil, false
}

// FormPurposes lists, in registry order, the purposes with a public form.
func (r *Registry) FormPurposes() []*Purpose {
	var ps []*Purpose
	for i := range r.Purposes {
		if r.Purposes[i].Form != nil {
			ps = append(ps, &r.Purposes[i])
		}
	}
	return ps
}

// Category returns the cookie category with this key.
func (r *Registry) Category(key string) (*CookieCategory, bool) {
	for i := range r.Cookies {
		if r.Cookies[i].Key == key {
			return &r.Cookies[i], true
		}
	}
	return nil, false
}

// OptionalCategories lists the categories that need the visitor's consent
// (ePrivacy art. 5(3)): every one but the strictly necessary.
func (r *Registry) OptionalCategories() []CookieCategory {
	var cs []CookieCategory
	for c := range r.Optional() {
		cs = append(cs, *c)
	}
	return cs
}

// Optional walks the categories OptionalCategories lists, in place: a
// cookie choice walks them on every post, and need not copy them.
func (r *Registry) Optional() iter.Seq[*CookieCategory] {
	return func(yield func(*CookieCategory) bool) {
		for i := range r.Cookies {
			if !r.Cookies[i].Necessary && !yield(&r.Cookies[i]) {
				return
			}
		}
	}
}

// Right returns the data subject's right with this key.
func (r *Registry) Right(key string) (*Right, bool) {
	for i := range r.Rights {
		if r.Rights[i].Key == key {
			return &r.Rights[i], true
		}
	}
	return nil, false
}

// RequestableRights lists the rights offered on the rights-request form
// (art. 12(2): make exercising them easy).
func (r *Registry) RequestableRights() []Right {
	var rs []Right
	for _, rt := range r.Rights {
		if rt.Requestable {
			rs = append(rs, rt)
		}
	}
	return rs
}

// ExpiresAt is when a record kept under this rule must be deleted
// (art. 5(1)(e)). Calendar arithmetic, but a month or year that lands on a
// day the target month lacks (31 January + 1 month, 29 February + 1 year)
// ends on that month's last day instead of overflowing into the next: the
// data is never kept longer than promised.
func (rt Retention) ExpiresAt(from time.Time) time.Time {
	t := from.AddDate(rt.Years, rt.Months, 0)
	if t.Day() != from.Day() {
		t = t.AddDate(0, 0, -t.Day()) // back to the last day of the intended month
	}
	return t.AddDate(0, 0, rt.Days)
}

// IsTextLike reports whether the field takes free text, which must be
// bounded by MaxLength (data minimisation, art. 5(1)(c)).
func (f Field) IsTextLike() bool {
	switch f.Type {
	case FieldText, FieldTextarea, FieldEmail, FieldPhone:
		return true
	}
	return false
}

// HasBasis reports whether the purpose rests on basis b (art. 6(1)); for
// consent this means a withdrawal must stop the processing (art. 7(3)).
func (p *Purpose) HasBasis(b LegalBasis) bool {
	return slices.Contains(p.Bases, b)
}

// InitialStatus is the status a new record starts in: the first one listed.
func (p *Purpose) InitialStatus() string {
	if len(p.Statuses) == 0 {
		return ""
	}
	return p.Statuses[0]
}

// Field returns the form field with this name; only declared fields are
// stored (art. 5(1)(c)), so an unknown name is rejected by the caller.
func (p *Purpose) Field(name string) (*Field, bool) {
	if p.Form == nil {
		return nil, false
	}
	for i := range p.Form.Fields {
		if p.Form.Fields[i].Name == name {
			return &p.Form.Fields[i], true
		}
	}
	return nil, false
}

// SeesPersonalData says whether the role reads records of the people the
// portal serves: creating or re-roling such an account is notified to the
// DPO.
func (r *Role) SeesPersonalData() bool { return r.AllPurposes || len(r.Purposes) > 0 }

// PurposeOfKind returns the first purpose of kind k (objection, rights_request).
func (r *Registry) PurposeOfKind(k PurposeKind) (*Purpose, bool) {
	for i := range r.Purposes {
		if r.Purposes[i].Kind == k {
			return &r.Purposes[i], true
		}
	}
	return nil, false
}

// ChannelConsents are the consent boxes of the registry's forms that open a
// channel (Consent.Channel), purpose by purpose, in registry order.
func (r *Registry) ChannelConsents() []PurposeConsent {
	var out []PurposeConsent
	for i := range r.Purposes {
		p := &r.Purposes[i]
		if p.Form == nil {
			continue
		}
		for j := range p.Form.Consents {
			if p.Form.Consents[j].Channel != "" {
				out = append(out, PurposeConsent{Purpose: p, Consent: &p.Form.Consents[j]})
			}
		}
	}
	return out
}

// PurposeConsent is one consent box of one purpose's form.
type PurposeConsent struct {
	Purpose *Purpose
	Consent *Consent
}

// ConsentBox finds the box of kind in purpose's form.
func (r *Registry) ConsentBox(purpose, kind string) (PurposeConsent, bool) {
	p, ok := r.Purpose(purpose)
	if !ok || p.Form == nil {
		return PurposeConsent{}, false
	}
	for j := range p.Form.Consents {
		if p.Form.Consents[j].Kind == kind {
			return PurposeConsent{Purpose: p, Consent: &p.Form.Consents[j]}, true
		}
	}
	return PurposeConsent{}, false
}

// Partner finds a declared partner by name.
func (r *Registry) Partner(name string) (*Partner, bool) {
	for i := range r.Deployment.Partners {
		if r.Deployment.Partners[i].Name == name {
			return &r.Deployment.Partners[i], true
		}
	}
	return nil, false
}

// Zone is the company's time zone (deployment.time_zone, Europe/Paris by
// default): the back-office and the pages show times in it.
func (r *Registry) Zone() *time.Location {
	if r.Deployment.zone != nil {
		return r.Deployment.zone
	}
	loc, err := time.LoadLocation(i18n.DefaultZone)
	if err != nil {
		return time.UTC // unreachable: i18n embeds the zone database
	}
	return loc
}
