package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// PreferenceBox is one consent box of one purpose as it stands for the
// person.
type PreferenceBox struct {
	Purpose      string // key, posted back to withdraw
	PurposeTitle string
	Kind         string
	Label        string // the wording of the box
	Channel      string
	Granted      bool
	Answered     bool // the person answered this box at least once
	At           time.Time
}

// PreferencesView is the person's own page, reached through a signed link.
type PreferencesView struct {
	Query      string // the signed link's query string, carried by every button
	CSRF       string
	Boxes      []PreferenceBox
	Objected   bool
	ObjectedAt time.Time
	Channels   []ChannelObjection // objections to one channel
	Done       string             // what the last click did
}

// ChannelObjection is an objection to one channel.
type ChannelObjection struct {
	Channel string
	At      time.Time
}

// Done messages after a change on the preferences page.
const (
	DoneWithdrawn = "withdrawn"
	DoneObjected  = "objected"
)

// PreferencesLinkEmail carries the link to the preferences page.
func PreferencesLinkEmail(l i18n.Lang, reg *policy.Registry, link string) (subject, body string) {
	subject = fmt.Sprintf(mailPrefsSubj.Get(l), reg.Controller.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n"+mailPrefsAsked.Get(l)+"\n\n%s\n\n", mailHello.Get(l), reg.Controller.Name, link)
	fmt.Fprintf(&b, mailPrefsValid.Get(l)+"\n\n", policy.Durations.PreferencesLink)
	fmt.Fprintf(&b, mailDPO.Get(l)+"\n\n%s\n", reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// PreferencesFooter is the paragraph every email ends with: the signed link
// to the person's preferences.
func PreferencesFooter(l i18n.Lang, link string) string {
	return "\n--\n" + fmt.Sprintf(mailFooter.Get(l), link) + "\n"
}

// AudienceChoice is one consent box a list can be drawn on.
type AudienceChoice struct {
	Value string // purpose.kind
	Label string
}

// AudiencesView is the sales audiences page.
type AudiencesView struct {
	Choices  []AudienceChoice
	Selected string
	Count    int64
	Counted  bool
	Criteria string
}

// PartnerView is the partner transmission page.
type PartnerView struct {
	Purposes   []AudienceChoice
	Partners   []string
	Agreement  string
	NoPartners bool
}

// SubjectConsentRow is one box of the record page's consent table.
type SubjectConsentRow struct {
	PurposeTitle string
	Label        string
	Channel      string
	Granted      bool
	At           time.Time
}

// SubjectConsentView is the consent state the record page shows.
type SubjectConsentView struct {
	Rows          []SubjectConsentRow
	Objected      bool
	ObjectedAt    time.Time
	Suppressed    []ChannelObjection
	CanRecordCall bool // the staff member may record an opt-out said during a call
}
