package views

import (
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/policy"
)

// TitleRetention is the DPO's retention page.
const TitleRetention = "Retention"

// Messages of the retention page's forms.
const (
	MsgHoldTarget = "Give either a record id or the email address of a person we hold data about."
	MsgHoldReason = "Give the reason for the hold (at most 500 characters)."
	MsgHoldEnd    = "Give an end date in the future (YYYY-MM-DD)."
	MsgEventEnd   = "Choose a purpose that counts from the end of an event, and a date (YYYY-MM-DD)."
)

// RetentionView is the DPO's retention page.
type RetentionView struct {
	Rows      []RetentionRow
	Holds     []HoldRow
	Runs      []RunRow
	EventEnds []EventEndRow
	Form      RetentionForm
	Saved     string // hold, lifted, event
}

// RetentionRow is one purpose or kind of data: its rule, what is due now
// (the dry-run preview), what falls due in the next 30 days, what holds keep.
type RetentionRow struct {
	Name, Rule     string
	DueNow, Next30 int64
	Held           int64
}

// HoldRow is one legal hold in force.
type HoldRow struct {
	ID               uuid.UUID
	Target, Reason   string
	EndsAt, PlacedAt time.Time
}

// RunRow is one past run (counts only).
type RunRow struct {
	ID                        int64
	Started, Ended            time.Time
	Trigger                   string
	Deleted, Anonymised, Held int64
	Errors                    int
}

// EventEndRow is a purpose whose retention counts from the end of an event.
type EventEndRow struct {
	Key, Title, Date string
}

// RetentionForm keeps what the DPO typed, with per-field messages.
type RetentionForm struct {
	Record, Email, Reason, Ends string
	Errors                      map[string]string
}

// RetentionDataName names a kind of data that is not a purpose's records,
// with its rule.
func RetentionDataName(key string, reg *policy.Registry) (string, string) {
	switch key {
	case "unconfirmed":
		return "Unconfirmed sign-ups and requests", "after the link's validity (" + policy.Durations.LinkValidity.String() + ")"
	case "cookie_proofs":
		return "Proofs of cookie choices (connection data)", RetentionText(reg.ConnectionData.Retention)
	case "sent_emails":
		return "Sent emails", "sent: after " + policy.Durations.SentEmailRetention.String() + "; failed: after " + policy.Durations.FailedEmailRetention.String()
	case "access_log":
		return "Access log", "after " + policy.Durations.AccessLogRetention.String() + ", leaving a signed checkpoint"
	}
	return key, ""
}

func dateOnly(t time.Time) string { return t.In(paris).Format(time.DateOnly) }
