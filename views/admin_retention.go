package views

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
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
	Errors                      map[string]i18n.Msg
}

// RetentionDataName names a kind of data that is not a purpose's records,
// with its rule, in ctx's language.
func RetentionDataName(ctx context.Context, key string, reg *policy.Registry) (string, string) {
	switch key {
	case "unconfirmed":
		return txtUnconfirmed.In(ctx), txtUnconfirmedRule.F(ctx, PeriodText(ctx, policy.Durations.LinkValidity))
	case "cookie_proofs":
		return txtCookieProofs.In(ctx), RetentionText(reg.ConnectionData.Retention).In(ctx)
	case "sent_emails":
		return txtSentEmails.In(ctx), txtSentEmailsRule.F(ctx, PeriodText(ctx, policy.Durations.SentEmailRetention),
			PeriodText(ctx, policy.Durations.FailedEmailRetention))
	case "access_log":
		return TitleAccessLog.In(ctx), txtAccessLogRule.F(ctx, PeriodText(ctx, policy.Durations.AccessLogRetention))
	}
	return key, ""
}
