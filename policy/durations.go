package policy

import (
	"fmt"
	"strings"
	"time"
)

// Period is a span written in whole calendar units, so that the pages say it
// as it is declared ("7 days", "6 months") and the code computes with the
// same value.
type Period struct {
	Months  int `yaml:"months"`
	Days    int `yaml:"days"`
	Hours   int `yaml:"hours"`
	Minutes int `yaml:"minutes"`
}

// After is the moment the period ends when it starts at t. Months are
// calendar months, ending on the last day of a shorter month (31 August +
// 6 months is 28 or 29 February), never later.
func (p Period) After(t time.Time) time.Time {
	if p.Months != 0 {
		t = Retention{Months: p.Months}.ExpiresAt(t)
	}
	return t.AddDate(0, 0, p.Days).Add(time.Duration(p.Hours)*time.Hour + time.Duration(p.Minutes)*time.Minute)
}

// Before is the moment the period that ends at t started: records older
// than it have outlived the period.
func (p Period) Before(t time.Time) time.Time {
	if p.Months != 0 {
		t = t.AddDate(0, -p.Months, 0)
	}
	return t.AddDate(0, 0, -p.Days).Add(-time.Duration(p.Hours)*time.Hour - time.Duration(p.Minutes)*time.Minute)
}

// Duration is the period as a fixed duration, for the fixed units only:
// a month counts as 30.5 days (cookie Max-Age and similar).
func (p Period) Duration() time.Duration {
	return time.Duration(p.Months)*732*time.Hour + time.Duration(p.Days)*24*time.Hour +
		time.Duration(p.Hours)*time.Hour + time.Duration(p.Minutes)*time.Minute
}

// IsZero reports whether the period is empty.
func (p Period) IsZero() bool { return p == Period{} }

// String says the period in English words: "6 months", "7 days", "15 minutes".
func (p Period) String() string { return p.Text().EN }

// periodUnits are the units a period is said in, singular and plural, in
// English and in French.
var periodUnits = [4][2][2]string{
	{{"month", "months"}, {"mois", "mois"}},
	{{"day", "days"}, {"jour", "jours"}},
	{{"hour", "hours"}, {"heure", "heures"}},
	{{"minute", "minutes"}, {"minute", "minutes"}},
}

// Text says the period in words in both languages: "6 months" / "6 mois",
// "1 day and 12 hours" / "1 jour et 12 heures".
func (p Period) Text() Text {
	var en, fr []string
	for i, n := range []int{p.Months, p.Days, p.Hours, p.Minutes} {
		if n <= 0 {
			continue
		}
		plural := 0
		if n > 1 {
			plural = 1
		}
		en = append(en, fmt.Sprintf("%d %s", n, periodUnits[i][0][plural]))
		fr = append(fr, fmt.Sprintf("%d %s", n, periodUnits[i][1][plural]))
	}
	return Text{EN: strings.Join(en, " and "), FR: strings.Join(fr, " et ")}
}

// Durations and limits the software enforces and the pages state. Each is
// declared here once: the code that enforces it reads it, and the pages say
// it from it, so the two cannot disagree.
var Durations = struct {
	LinkValidity         Period // an emailed confirmation link works this long; unconfirmed requests are then deleted
	PreferencesLink      Period // the link to one's consent preferences that every email carries works this long
	ConsentChoice        Period // a cookie choice stands this long before the banner asks again (CNIL: about 6 months)
	AccessLogRetention   Period // staff access events are kept this long (CNIL: six months to a year)
	SentEmailRetention   Period // a sent email leaves the outbox after this
	FailedEmailRetention Period // an email that could not be sent leaves the outbox after this
	Lockout              Period // the longest wait between sign-in tries on one account from one address; the per-address limit's window
	LoginBackoff         Period // the first wait after LoginFreeFailures failures on one account from one address; it doubles with each failure
	LoginThrottleMemory  Period // failed sign-ins older than this no longer count toward the waits
	Invitation           Period // a staff invitation link works this long
	SessionIdle          Period // a staff session ends after this long without use
	SessionAbsolute      Period // and after this long in any case
	AnomalyWindow        Period // the DPO's anomaly review looks this far back
}{
	LinkValidity:         Period{Days: 7},
	PreferencesLink:      Period{Days: 30},
	ConsentChoice:        Period{Months: 6},
	AccessLogRetention:   Period{Months: 12},
	SentEmailRetention:   Period{Hours: 24},
	FailedEmailRetention: Period{Days: 7},
	Lockout:              Period{Minutes: 15},
	LoginBackoff:         Period{Minutes: 1},
	LoginThrottleMemory:  Period{Days: 1},
	Invitation:           Period{Days: 3},
	SessionIdle:          Period{Minutes: 30},
	SessionAbsolute:      Period{Hours: 12},
	AnomalyWindow:        Period{Days: 7},
}

// Limits are the other numbers the software enforces and the pages state.
var Limits = struct {
	MinPasswordLength      int // characters of a staff password
	AnomalyViewsPerHour    int // record views per hour by one staff member that the DPO's review flags
	LoginFreeFailures      int // failed sign-ins on one account from one address before the waits start
	FailedLoginsPerAddress int // failed sign-ins from one address within Durations.Lockout before it is refused outright
	AccountFailureCeiling  int // failed sign-ins on one account from all addresses within LoginThrottleMemory after which every address that failed waits the longest
}{
	MinPasswordLength:      12,
	AnomalyViewsPerHour:    50,
	LoginFreeFailures:      3,
	FailedLoginsPerAddress: 20,
	AccountFailureCeiling:  100,
}
