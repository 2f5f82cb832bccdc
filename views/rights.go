package views

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// RightTitle is the registry's title of a right in l, or its key.
func RightTitle(l i18n.Lang, reg *policy.Registry, key string) string {
	if rt, ok := reg.Right(key); ok {
		return rt.Title.Get(l)
	}
	return key
}

// StatusLabel is the DPO's wording of a request status.
func StatusLabel(ctx context.Context, s string) string { return labelIn(ctx, rightsStatusLabels, s) }

// RightsQueueView is the DPO's queue.
type RightsQueueView struct {
	Rows     []RightsQueueRow
	Status   string
	Right    string
	Overdue  bool
	Statuses []string
	Rights   []policy.Right
	Next     string // URL of the next page, "" on the last
}

// RightsQueueRow is one request in the queue.
type RightsQueueRow struct {
	ID, Right, Status    string
	Received, Due        string
	DaysLeft             int
	Overdue, Extended    bool
	Paused, Open         bool
	DaysLeftText, Detail string
}

// NewRightsQueueRow describes one row for now, in ctx's language and zone.
func NewRightsQueueRow(ctx context.Context, reg *policy.Registry, r models.RightsRow, now time.Time) RightsQueueRow {
	left := models.DaysLeft(r.DueAt, now)
	row := RightsQueueRow{ID: r.ID.String(), Right: RightTitle(i18n.From(ctx), reg, r.Right), Status: StatusLabel(ctx, r.Status),
		Received: i18n.Date(ctx, r.ReceivedAt), Due: i18n.Date(ctx, r.DueAt), DaysLeft: left, Overdue: r.Overdue(now), Extended: r.Extended,
		Paused: r.Paused, Open: models.RightsOpen(r.Status)}
	switch {
	case !row.Open:
		row.DaysLeftText = "—"
	case row.Paused:
		row.DaysLeftText = txtClockStopped.In(ctx)
	case row.Overdue:
		row.DaysLeftText = txtOverdueBy.F(ctx, -left)
	default:
		row.DaysLeftText = txtNDays.F(ctx, left)
	}
	return row
}

// RightsCaseView is the request page.
type RightsCaseView struct {
	Row          RightsQueueRow
	RightKey     string
	Email        string
	Details      string
	Moves        []string
	Events       []RightsEventView
	Records      []PersonRecordView
	Consents     []models.ConsentEntry
	ConsentKinds []string // kinds currently granted: what a withdrawal can take back
	CookieProofs []models.CookieProof
	Suppressed   string // since when, "" if not on the list
	Earlier      []RightsQueueRow
	Directives   []models.Directive
	IDDocuments  []models.IDDocument
	Problem      string
	FieldErrors  map[string]string // rectification: field → message
	Authority    policy.Authority
	Identity     string // the policy's sentence on identity checks
}

// RightsEventView is a timeline entry.
type RightsEventView struct {
	At, Kind, Actor, Note string
}

// PersonRecordView is one of the person's records, with its registry facts.
type PersonRecordView struct {
	ID, Purpose, PurposeTitle, Status, Origin string
	Created, LastContact, Expires             string
	Restricted, Objected                      bool
	Fields                                    []FieldValue
	Files                                     []models.AttachmentInfo
	Editable                                  []policy.Field // fields the DPO may rectify
}

// FieldValue is one labelled value.
type FieldValue struct{ Name, Label, Value string }

// origin says where a record came from, in l: the public form of its
// purpose (named by its title and address), or the staff who entered it.
func origin(l i18n.Lang, pu *policy.Purpose) string {
	if pu != nil && pu.Form != nil {
		return fmt.Sprintf(originForm.Get(l), pu.Title.Get(l), PathIn(l, pu.Form.Path))
	}
	return originStaff.Get(l)
}

func labelledFields(l i18n.Lang, pu *policy.Purpose, f models.Fields) []FieldValue {
	var out []FieldValue
	seen := map[string]bool{}
	if pu != nil && pu.Form != nil {
		for _, fd := range pu.Form.Fields {
			if v, ok := f[fd.Name]; ok {
				out = append(out, FieldValue{fd.Name, fd.Label.Get(l), v})
				seen[fd.Name] = true
			}
		}
	}
	var rest []string
	for k := range f {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, FieldValue{k, k, f[k]})
	}
	return out
}

// NewRightsCaseView describes a case for the DPO, in ctx's language and zone.
func NewRightsCaseView(ctx context.Context, reg *policy.Registry, c models.RightsCase, now time.Time) RightsCaseView {
	v := RightsCaseView{Row: NewRightsQueueRow(ctx, reg, c.Request.RightsRow, now), RightKey: c.Request.Right,
		Email: c.Email(), Details: c.Request.Fields["details"], Moves: models.RightsMoves(c.Request.Status),
		Consents: c.Consents, CookieProofs: c.CookieProofs, Directives: c.Directives, IDDocuments: c.IDDocuments,
		Authority: reg.Authority, Identity: reg.Identity.In(ctx)}
	l := i18n.From(ctx)
	for _, e := range c.Events {
		v.Events = append(v.Events, RightsEventView{i18n.Time(ctx, e.At), EventLabel(ctx, e.Kind), e.Actor, e.Note})
	}
	for _, r := range c.Records {
		pu, _ := reg.Purpose(r.Purpose)
		pv := PersonRecordView{ID: r.ID.String(), Purpose: r.Purpose, PurposeTitle: r.Purpose, Status: r.Status, Origin: origin(l, pu),
			Created: i18n.Time(ctx, r.CreatedAt), LastContact: i18n.Time(ctx, r.LastContactAt), Expires: i18n.Date(ctx, r.ExpiresAt),
			Restricted: r.Restricted, Objected: r.Objected, Fields: labelledFields(l, pu, r.Fields), Files: r.Files}
		if pu != nil {
			pv.PurposeTitle = pu.Title.In(ctx)
			if pu.Form != nil {
				for _, f := range pu.Form.Fields {
					if f.Type != policy.FieldFile {
						pv.Editable = append(pv.Editable, f)
					}
				}
			}
		}
		v.Records = append(v.Records, pv)
	}
	latest := map[string]bool{}
	for _, cs := range c.Consents {
		latest[cs.Purpose+"\x00"+cs.Kind] = cs.Granted
	}
	kinds := map[string]bool{}
	for k, granted := range latest {
		if granted {
			_, kind, _ := strings.Cut(k, "\x00")
			kinds[kind] = true
		}
	}
	for k := range kinds {
		v.ConsentKinds = append(v.ConsentKinds, k)
	}
	sort.Strings(v.ConsentKinds)
	if c.Suppressed != nil {
		v.Suppressed = i18n.Date(ctx, *c.Suppressed)
	}
	for _, r := range c.Earlier {
		v.Earlier = append(v.Earlier, NewRightsQueueRow(ctx, reg, r, now))
	}
	return v
}

// ---- emails to the person and to the DPO ------------------------------

func signature(l i18n.Lang, reg *policy.Registry) string {
	return fmt.Sprintf(mailDPO.Get(l)+"\n\n%s\n", reg.DPO.Email, reg.Controller.Name)
}

func complaint(l i18n.Lang, reg *policy.Registry) string {
	a := reg.Authority
	return fmt.Sprintf(mailComplaint.Get(l)+"\n", a.Short, a.Name, a.Address, a.Phone, a.ComplaintURL)
}

// The emails below go to the person in l, the language they used for their
// request.

// AnswerEmail closes a request: what was done, or why it was refused (with
// the supervisory authority's contact, art. 12(4)).
func AnswerEmail(l i18n.Lang, reg *policy.Registry, to, right, status, reason, message string) models.Email {
	var b strings.Builder
	subject := fmt.Sprintf(mailAnswerSubj.Get(l), reg.Controller.Name, RightTitle(l, reg, right))
	b.WriteString(mailHello.Get(l) + "\n\n")
	if status == policy.RightsRefused {
		fmt.Fprintf(&b, mailRefused.Get(l)+"\n\n%s\n\n", RightTitle(l, reg, right), reason)
		b.WriteString(complaint(l, reg))
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, mailDone.Get(l)+"\n\n", RightTitle(l, reg, right))
	}
	if strings.TrimSpace(message) != "" {
		b.WriteString(message + "\n\n")
	}
	b.WriteString(signature(l, reg))
	return models.Email{To: to, Subject: subject, Body: b.String()}
}

// RestrictionLiftedEmail tells the person that the restriction of their
// data's processing is lifted, and why (art. 18(3)).
func RestrictionLiftedEmail(l i18n.Lang, reg *policy.Registry, to, reason string) models.Email {
	body := mailHello.Get(l) + "\n\n" + mailLiftLead.Get(l) + "\n\n" + reason + "\n\n" + complaint(l, reg) + "\n" + signature(l, reg)
	return models.Email{To: to, Subject: fmt.Sprintf(mailLiftSubj.Get(l), reg.Controller.Name), Body: body, Lang: l.String()}
}

// ExtensionEmail tells the person, before the first month ends, that the
// answer will take up to two more months, and why (art. 12(3)).
func ExtensionEmail(l i18n.Lang, reg *policy.Registry, to, right, reason string, due time.Time) models.Email {
	ctx := i18n.WithLang(context.Background(), l)
	body := mailHello.Get(l) + "\n\n" + fmt.Sprintf(mailMoreTime.Get(l), RightTitle(l, reg, right)) + "\n\n" + reason + "\n\n" +
		fmt.Sprintf(mailAnswerBy.Get(l), i18n.Date(ctx, due)) + "\n\n" + complaint(l, reg) + "\n" + signature(l, reg)
	return models.Email{To: to, Subject: fmt.Sprintf(mailMoreSubj.Get(l), reg.Controller.Name), Body: body}
}

// PackageEmail carries the signed single-use link to the person's data.
func PackageEmail(l i18n.Lang, reg *policy.Registry, to, link string, expires time.Time) models.Email {
	ctx := i18n.WithLang(context.Background(), l)
	body := mailHello.Get(l) + "\n\n" + mailDataLead.Get(l) + "\n\n" + link + "\n\n" +
		fmt.Sprintf(mailDataOnce.Get(l), i18n.Time(ctx, expires)) + "\n\n" + signature(l, reg)
	return models.Email{To: to, Subject: fmt.Sprintf(mailDataSubj.Get(l), reg.Controller.Name), Body: body}
}

// IdentityEmail asks for an identity document, with the reason, and the
// single-use upload link.
func IdentityEmail(l i18n.Lang, reg *policy.Registry, to, reason, link string) models.Email {
	body := mailHello.Get(l) + "\n\n" + mailIDLead.Get(l) + "\n\n" + reason + "\n\n" + mailIDSend.Get(l) + "\n\n" + link +
		"\n\n" + reg.Identity.Get(l) + "\n\n" + signature(l, reg)
	return models.Email{To: to, Subject: fmt.Sprintf(mailIDSubj.Get(l), reg.Controller.Name), Body: body}
}

// ReminderEmail warns the DPO of a deadline. Like every staff email it is
// written in French, then in English: the DPO's address is the registry's,
// not an account with a language.
func ReminderEmail(reg *policy.Registry, baseURL string, r models.Reminder) models.Email {
	when := reminderWhen[r.Kind]
	ctx := context.Background()
	body := bilingual(ctx, func(ctx context.Context) string {
		l := i18n.From(ctx)
		return fmt.Sprintf(mailReminderBody.Get(l), RightTitle(l, reg, r.Row.Right), when.Get(l), i18n.Date(ctx, r.Row.DueAt), baseURL, r.Row.ID)
	})
	fr, en := i18n.WithLang(ctx, i18n.FR), i18n.WithLang(ctx, i18n.EN)
	return models.Email{To: reg.DPO.Email, Subject: mailReminderSubj.F(fr, when.In(fr)) + " / " + mailReminderSubj.F(en, when.In(en)), Body: body}
}

// ---- the access and portability package --------------------------------

// PackageItem is one record of the package, with the registry's facts.
type PackageItem struct {
	Purpose    string            `json:"purpose"`
	LegalBasis string            `json:"legal_basis"`
	Recipients string            `json:"recipients"`
	Retention  string            `json:"retention"`
	Origin     string            `json:"origin"`
	Created    string            `json:"created"`
	Data       map[string]string `json:"data"`
	Labelled   []FieldValue      `json:"-"` // Data in the form's order, with its labels, for the summary
	Files      []string          `json:"files,omitempty"`
}

// PackageConsent is one consent answer of the package.
type PackageConsent struct {
	At      string `json:"at"`
	Purpose string `json:"purpose"`
	Kind    string `json:"kind"`
	Label   string `json:"label"` // the box's wording, in the package's language
	Granted bool   `json:"granted"`
}

// PackageView is the package's content, in one language.
type PackageView struct {
	Lang       i18n.Lang        `json:"language"`
	Controller string           `json:"controller"`
	Generated  string           `json:"generated"`
	At         time.Time        `json:"-"`
	Items      []PackageItem    `json:"records"`
	Consents   []PackageConsent `json:"consents"`
}

func recipientsOf(l i18n.Lang, reg *policy.Registry, pu *policy.Purpose) string {
	parts := []string{reg.Recipients.Internal.Get(l)}
	if len(reg.Recipients.Processors) > 0 {
		parts = append(parts, fmt.Sprintf(pkgProcessors.Get(l), strings.Join(reg.Recipients.Processors, ", ")))
	}
	for _, k := range reg.Recipients.Partners.Purposes {
		if pu != nil && k == pu.Key {
			parts = append(parts, fmt.Sprintf(pkgPartners.Get(l), reg.Recipients.Partners.Description.Get(l)))
		}
	}
	return strings.Join(parts, "; ")
}

// NewPackageView assembles the package of a case from the registry, in the
// language the person wrote their request in (art. 12(1): intelligible to
// them).
func NewPackageView(reg *policy.Registry, c models.RightsCase, now time.Time) PackageView {
	l, ok := i18n.Parse(c.Request.Lang)
	if !ok {
		l = i18n.Default
	}
	p := PackageView{Lang: l, Controller: reg.Controller.Name, Generated: now.UTC().Format(time.RFC3339), At: now}
	for _, r := range c.Records {
		pu, _ := reg.Purpose(r.Purpose)
		it := PackageItem{Purpose: r.Purpose, Origin: origin(l, pu), Created: r.CreatedAt.UTC().Format(time.RFC3339), Data: r.Fields,
			Labelled: labelledFields(l, pu, r.Fields), Recipients: recipientsOf(l, reg, pu)}
		if pu != nil {
			it.Purpose = pu.Title.Get(l)
			var bases []string
			for _, b := range pu.Bases {
				bases = append(bases, basisText(b).Get(l))
			}
			it.LegalBasis = strings.Join(bases, ", ") + ": " + pu.BasisNote.Get(l)
			it.Retention = RetentionText(pu.Retention).Get(l)
		}
		for _, f := range r.Files {
			it.Files = append(it.Files, f.Filename)
		}
		p.Items = append(p.Items, it)
	}
	for _, cs := range c.Consents {
		pc := PackageConsent{At: cs.At.UTC().Format(time.RFC3339), Purpose: cs.Purpose, Kind: cs.Kind, Label: cs.Kind, Granted: cs.Granted}
		if box, ok := reg.ConsentBox(cs.Purpose, cs.Kind); ok {
			pc.Purpose, pc.Label = box.Purpose.Title.Get(l), box.Consent.Label.Get(l)
		}
		p.Consents = append(p.Consents, pc)
	}
	return p
}

// PackageZip is the package as a ZIP: summary.html, data.json, data.csv.
func PackageZip(ctx context.Context, p PackageView) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("summary.html")
	if err != nil {
		return nil, err
	}
	if err := PackageSummary(p).Render(i18n.WithLang(ctx, p.Lang), w); err != nil {
		return nil, err
	}
	if w, err = zw.Create("data.json"); err != nil {
		return nil, err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	if w, err = zw.Create("data.csv"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"purpose", "legal_basis", "recipients", "retention", "origin", "created", "field", "value"})
	for _, it := range p.Items {
		keys := make([]string, 0, len(it.Data))
		for k := range it.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			_ = cw.Write([]string{it.Purpose, it.LegalBasis, it.Recipients, it.Retention, it.Origin, it.Created, k, csvSafe(it.Data[k])})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// csvSafe keeps a spreadsheet from running a value as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// FieldProblem is the sentence for a refused field of purpose, as the
// public form says it.
func FieldProblem(ctx context.Context, pu *policy.Purpose, name string, p policy.Problem) string {
	for _, f := range pu.Form.Fields {
		if f.Name == name {
			return problemMessage(ctx, f, p)
		}
	}
	return string(p)
}

// FileProblem is the sentence for a refused file, as the public form says it.
func FileProblem(ctx context.Context, f policy.Field, p policy.Problem) string {
	return problemMessage(ctx, f, p)
}
