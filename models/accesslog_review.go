package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/vault"
)

// AccessFilter narrows the DPO's review of the access log.
type AccessFilter struct {
	StaffID *uuid.UUID
	Role    string
	Action  string
	Purpose string
	Email   string // the subject, found through the blind index
	Outcome string
	From    time.Time
	To      time.Time
	Before  int64 // keyset cursor: events with a smaller id
	Limit   int
}

// AccessRow is one event as the DPO sees it.
type AccessRow struct {
	ID         int64
	At         time.Time
	StaffID    *uuid.UUID `gorm:"type:uuid"`
	StaffName  string
	Role       string
	Action     string
	Purpose    string
	RecordID   *uuid.UUID `gorm:"type:uuid"`
	SubjectID  *uuid.UUID `gorm:"type:uuid"`
	IP         string
	UserAgent  string
	Outcome    string
	Restricted bool
}

// AccessPage is one page of events and the cursor of the next.
type AccessPage struct {
	Rows []AccessRow
	Next int64 // 0 when this is the last page
}

func (f AccessFilter) apply(q *gorm.DB, v *vault.Vault) *gorm.DB {
	if f.StaffID != nil {
		q = q.Where("e.staff_id = ?", *f.StaffID)
	}
	if f.Role != "" {
		q = q.Where("e.role = ?", f.Role)
	}
	if f.Action != "" {
		q = q.Where("e.action = ?", f.Action)
	}
	if f.Purpose != "" {
		q = q.Where("e.purpose = ?", f.Purpose)
	}
	if f.Outcome != "" {
		q = q.Where("e.outcome = ?", f.Outcome)
	}
	if f.Email != "" {
		q = q.Where("e.subject_id IN (SELECT id FROM subjects WHERE email_index = ?)", v.BlindIndex(vault.KindEmail, f.Email))
	}
	if !f.From.IsZero() {
		q = q.Where("e.at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("e.at < ?", f.To)
	}
	return q
}

// ReviewAccessLog is one page of the log, newest first, keyset-paginated on
// the id (an index per filter column ends in id, so a page costs the same on
// a million rows as on a hundred). Reading the log is itself logged, in the
// same transaction.
func (db *DB) ReviewAccessLog(ctx context.Context, v *vault.Vault, a Actor, f AccessFilter) (AccessPage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var page AccessPage
	err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := f.apply(tx.Table("access_events e"), v).
			Select("e.id, e.at, e.staff_id, coalesce(s.name, '') AS staff_name, e.role, e.action, e.purpose, e.record_id, e.subject_id, e.ip, e.user_agent, e.outcome, e.restricted").
			Joins("LEFT JOIN staff s ON s.id = e.staff_id")
		if f.Before > 0 {
			q = q.Where("e.id < ?", f.Before)
		}
		if err := q.Order("e.id DESC").Limit(f.Limit + 1).Scan(&page.Rows).Error; err != nil {
			return fmt.Errorf("models: access log: %w", err)
		}
		if len(page.Rows) > f.Limit {
			page.Rows = page.Rows[:f.Limit]
			page.Next = page.Rows[len(page.Rows)-1].ID
		}
		return LogAccess(tx, a.event(ActionReadLog, f.Purpose))
	})
	return page, err
}

// ExportAccessLog returns up to limit events matching f, logged as an export
// of the log.
func (db *DB) ExportAccessLog(ctx context.Context, v *vault.Vault, a Actor, f AccessFilter, limit int) ([]AccessRow, error) {
	f.Limit = limit
	var rows []AccessRow
	err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := f.apply(tx.Table("access_events e"), v).
			Select("e.id, e.at, e.staff_id, coalesce(s.name, '') AS staff_name, e.role, e.action, e.purpose, e.record_id, e.subject_id, e.ip, e.user_agent, e.outcome, e.restricted").
			Joins("LEFT JOIN staff s ON s.id = e.staff_id")
		if err := q.Order("e.id DESC").Limit(limit).Scan(&rows).Error; err != nil {
			return fmt.Errorf("models: access log export: %w", err)
		}
		ev := a.event(ActionExport, "access_log")
		return LogAccess(tx, ev)
	})
	return rows, err
}

// Anomaly is a pattern the DPO should look at (CNIL: logs are analysed, with
// alerts on abnormal behaviour).
type Anomaly struct {
	Kind      string     // bulk_views, out_of_hours, denied, restricted_reads
	StaffID   *uuid.UUID `gorm:"type:uuid"`
	StaffName string
	Period    time.Time // the hour or day concerned
	Count     int64
}

// Anomaly kinds.
const (
	AnomalyBulkViews       = "bulk_views"
	AnomalyOutOfHours      = "out_of_hours"
	AnomalyDenied          = "denied"
	AnomalyRestrictedReads = "restricted_reads"
)

// AnomalyRules are the thresholds of the anomalies panel.
type AnomalyRules struct {
	Since         time.Time
	ViewsPerHour  int    // more views than this in one hour is flagged
	WorkStartHour int    // local hour the working day starts (7)
	WorkEndHour   int    // local hour it ends (20)
	TimeZone      string // the company's, "Europe/Paris"
}

// DefaultAnomalyRules looks at the last seven days.
func DefaultAnomalyRules(now time.Time) AnomalyRules {
	return AnomalyRules{Since: now.Add(-7 * 24 * time.Hour), ViewsPerHour: 50, WorkStartHour: 7, WorkEndHour: 20, TimeZone: "Europe/Paris"}
}

// dataActions are the accesses to personal data.
var dataActions = []string{ActionView, ActionDownload, ActionExport, ActionList, ActionUpdate, ActionErase}

// Anomalies runs the panel's four checks over the rules' window.
func (db *DB) Anomalies(ctx context.Context, r AnomalyRules) ([]Anomaly, error) {
	const sel = "SELECT ? AS kind, e.staff_id, coalesce(max(s.name), '') AS staff_name, "
	queries := []struct {
		sql  string
		args []any
	}{
		{sel + `date_trunc('hour', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= ? AND e.action IN ('view', 'download') AND e.outcome = 'ok'
			GROUP BY e.staff_id, 4 HAVING count(*) > ?`, []any{AnomalyBulkViews, r.Since, r.ViewsPerHour}},
		{sel + `date_trunc('day', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= ? AND e.action IN ? AND e.staff_id IS NOT NULL
			  AND (extract(hour FROM e.at AT TIME ZONE ?) < ? OR extract(hour FROM e.at AT TIME ZONE ?) >= ?)
			GROUP BY e.staff_id, 4`, []any{AnomalyOutOfHours, r.Since, dataActions, r.TimeZone, r.WorkStartHour, r.TimeZone, r.WorkEndHour}},
		{sel + `date_trunc('day', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= ? AND e.outcome = 'denied'
			GROUP BY e.staff_id, 4`, []any{AnomalyDenied, r.Since}},
		{sel + `date_trunc('day', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= ? AND e.restricted AND e.action IN ('view', 'download', 'export')
			GROUP BY e.staff_id, 4`, []any{AnomalyRestrictedReads, r.Since}},
	}
	var out []Anomaly
	for _, q := range queries {
		var rows []Anomaly
		if err := db.Gorm.WithContext(ctx).Raw(q.sql+" ORDER BY 4 DESC LIMIT 20", q.args...).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("models: anomalies: %w", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// DayCount is the number of accesses one role made on one day.
type DayCount struct {
	Day   time.Time
	Role  string
	Count int64
}

// AccessesPerDay counts the accesses per day and role since a moment (the
// DPO's chart), in the company's time zone.
func (db *DB) AccessesPerDay(ctx context.Context, since time.Time, tz string) ([]DayCount, error) {
	var rows []DayCount
	err := db.Gorm.WithContext(ctx).Raw(`SELECT date_trunc('day', at AT TIME ZONE ?) AS day, role, count(*) AS count
		FROM access_events WHERE at >= ? AND role <> '' GROUP BY 1, 2 ORDER BY 1, 2`, tz, since).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: accesses per day: %w", err)
	}
	return rows, nil
}
