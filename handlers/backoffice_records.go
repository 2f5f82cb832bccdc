package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// recordStore is what the records pages need of the records.
type recordStore interface {
	CountByPurpose(ctx context.Context, s models.Scope) (map[string]int64, error)
	List(ctx context.Context, a models.Actor, p *policy.Purpose, f models.RecordFilter) (models.RecordPage, error)
	View(ctx context.Context, a models.Actor, purpose string, id uuid.UUID) (models.RecordDetail, error)
	Attachment(ctx context.Context, a models.Actor, purpose string, recordID, id uuid.UUID) (models.AttachmentFile, error)
	Update(ctx context.Context, a models.Actor, p *policy.Purpose, id uuid.UUID, ch models.RecordChange) (models.UpdateResult, error)
	Export(ctx context.Context, a models.Actor, purpose string, excludeObjected bool, each func(models.ExportRow) error) error
	OptOut(ctx context.Context, a models.Actor, purpose string, id uuid.UUID, channel, source string) error
}

// recordsHandler serves the home page and the purpose-restricted records:
// lists, detail, changes, files and exports.
type recordsHandler struct {
	*staffGate
	records   recordStore
	eventEnds eventEnds // nil: "Deleted on" counts from the last contact alone
}

// eventEnds gives the end of the event a purpose's retention counts from.
type eventEnds interface {
	EventEnd(ctx context.Context, p *policy.Purpose) (*time.Time, error)
}

func newRecordsHandler(g *staffGate, records recordStore) *recordsHandler {
	return &recordsHandler{staffGate: g, records: records}
}

// showHome lists the purposes the role may see, from the registry.
func (b *recordsHandler) showHome(c echo.Context) error {
	s, _ := currentStaff(c)
	a := b.actor(c)
	counts, err := b.records.CountByPurpose(c.Request().Context(), a.Scope)
	if err != nil {
		return err
	}
	var cards []views.PurposeCard
	for _, key := range a.Scope.Purposes {
		if p, ok := b.reg.Purpose(key); ok {
			cards = append(cards, views.PurposeCard{Key: key, Title: p.Title.In(c.Request().Context()), Count: counts[key]})
		}
	}
	return render(c, http.StatusOK, views.AdminHome(b.page(c, views.TitleStaffHome), cards, s.Role.ReviewsLog, s.Role.ManagesStaff))
}

// purposeFor checks role × purpose on every request (deny by default): an
// unknown purpose or one outside the role is refused and logged. write also
// refuses read-only roles (the DPO outside rights requests).
func (b *recordsHandler) purposeFor(c echo.Context, write bool) (*policy.Purpose, error) {
	s, _ := currentStaff(c)
	key := c.Param("purpose")
	var rec *uuid.UUID
	if id, err := uuid.Parse(c.Param("id")); err == nil {
		rec = &id
	}
	p, ok := b.reg.Purpose(key)
	if !ok || !b.reg.CanSee(s.Role.Key, key) || (write && s.Role.ReadOnly) {
		if !ok {
			key = "" // never log a made-up purpose name
		}
		return nil, b.deny(c, key, rec)
	}
	return p, nil
}

func recordID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return id, echo.NewHTTPError(http.StatusNotFound, "")
	}
	return id, nil
}

func parseDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// listRecords is a purpose's list: masked values, filters, keyset pages.
func (b *recordsHandler) listRecords(c echo.Context) error {
	p, err := b.purposeFor(c, false)
	if err != nil {
		return err
	}
	vf := views.RecordsFilter{Status: c.QueryParam("status"), From: c.QueryParam("from"), To: c.QueryParam("to"), Search: c.QueryParam("q")}
	vf.Email = b.search.open(vf.Search)
	f := models.RecordFilter{Status: vf.Status, From: parseDay(vf.From), Email: vf.Email, After: c.QueryParam("after")}
	if to := parseDay(vf.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // "until" includes that day
	}
	page, err := b.records.List(c.Request().Context(), b.actor(c), p, f)
	if err != nil {
		return dataError(err)
	}
	v := views.RecordsView{Purpose: p, Page: page, Filter: vf, CanExport: true}
	for _, mf := range models.MaskedFields(p) {
		v.Columns = append(v.Columns, mf.Label.In(c.Request().Context()))
	}
	if page.Next != "" {
		v.NextURL = views.RecordsURL(p.Key, vf, page.Next)
	}
	return render(c, http.StatusOK, views.AdminRecords(b.page(c, views.TitleRecords, p.Title.In(c.Request().Context())), v))
}

// showRecord shows everything about one record. Row-level security answers
// "not found" for a record of another purpose even if this check were gone.
func (b *recordsHandler) showRecord(c echo.Context) error {
	p, err := b.purposeFor(c, false)
	if err != nil {
		return err
	}
	id, err := recordID(c)
	if err != nil {
		return err
	}
	d, err := b.records.View(c.Request().Context(), b.actor(c), p.Key, id)
	if errors.Is(err, models.ErrSessionEnded) {
		return b.sessionEnded(c)
	}
	if err != nil {
		return dataError(err)
	}
	s, _ := currentStaff(c)
	info := recordInfo(d)
	if b.eventEnds != nil {
		end, err := b.eventEnds.EventEnd(c.Request().Context(), p)
		if err != nil {
			return err
		}
		info.ExpiresAt = models.RetentionEnd(p, d.Record, end)
	}
	v := views.RecordView{Purpose: p, Record: info, CanEdit: !s.Role.ReadOnly, Saved: c.QueryParam("saved") == "1"}
	if p.Form != nil {
		for _, f := range p.Form.Fields {
			if f.Type != policy.FieldFile {
				v.Fields = append(v.Fields, views.FieldRow{Label: f.Label.In(c.Request().Context()), Value: d.Fields[f.Name]})
			}
		}
	}
	if d.Record.SubjectID != nil {
		v.Consents = subjectConsentView(c.Request().Context(), b.reg, d.Consents, !s.Role.ReadOnly)
	}
	return render(c, http.StatusOK, views.AdminRecord(b.page(c, views.TitleRecordDetail), v))
}

// recordInfo is what the record page shows of a record.
func recordInfo(d models.RecordDetail) views.RecordInfo {
	r := d.Record
	info := views.RecordInfo{ID: r.ID, Status: r.Status, CreatedAt: r.CreatedAt, LastContactAt: r.LastContactAt,
		ExpiresAt: r.ExpiresAt, Restricted: r.Restricted, Note: d.Note}
	for _, a := range d.Attachments {
		info.Attachments = append(info.Attachments, views.AttachmentLink{ID: a.ID, Filename: a.Filename, Size: a.Size})
	}
	return info
}

// updateRecord changes the status, the note, or marks the record contacted.
func (b *recordsHandler) updateRecord(c echo.Context) error {
	p, err := b.purposeFor(c, true)
	if err != nil {
		return err
	}
	id, err := recordID(c)
	if err != nil {
		return err
	}
	ch := models.RecordChange{Status: c.FormValue("status"), MarkContacted: c.FormValue("contacted") == "1"}
	if c.FormValue("set_note") == "1" {
		note := c.FormValue("note")
		ch.Note = &note
	}
	res, err := b.records.Update(c.Request().Context(), b.actor(c), p, id, ch)
	if errors.Is(err, models.ErrBadStatus) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "")
	}
	if errors.Is(err, models.ErrNoteTooLong) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, views.MsgNoteTooLong.In(c.Request().Context()))
	}
	if err != nil {
		return dataError(err)
	}
	if res.Destroyed {
		return c.Redirect(http.StatusSeeOther, "/admin/records/"+p.Key)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/records/"+p.Key+"/"+id.String()+"?saved=1")
}

// downloadFile sends a CV as an attachment that the browser will neither
// sniff nor run (nosniff, a sandboxing CSP).
func (b *recordsHandler) downloadFile(c echo.Context) error {
	p, err := b.purposeFor(c, false)
	if err != nil {
		return err
	}
	id, err := recordID(c)
	if err != nil {
		return err
	}
	fileID, err := uuid.Parse(c.Param("file"))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	f, err := b.records.Attachment(c.Request().Context(), b.actor(c), p.Key, id, fileID)
	if err != nil {
		return dataError(err)
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", attachment(f.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	return c.Blob(http.StatusOK, f.MIME, f.Content)
}

// attachment is the Content-Disposition of a download: the name cleaned
// and capped again (names stored before the cap may be long), quoted, and
// with filename* (RFC 6266) when it is not ASCII.
func attachment(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": policy.CleanFileName(name)}); v != "" {
		return v
	}
	return "attachment"
}

// exportRecords sends a purpose as CSV. Cells a spreadsheet would run as
// formulas are neutralised; people who objected to prospecting are left out
// of every export but the DPO's (art. 21(3)).
func (b *recordsHandler) exportRecords(c echo.Context) error {
	p, err := b.purposeFor(c, false)
	if err != nil {
		return err
	}
	s, _ := currentStaff(c)
	header := []string{"id", "status", "received"}
	var fields []policy.Field
	if p.Form != nil {
		for _, f := range p.Form.Fields {
			if f.Type != policy.FieldFile {
				fields = append(fields, f)
				header = append(header, f.Name)
			}
		}
	}
	out := newCSVDownload(c, fmt.Sprintf("%s-%s.csv", p.Key, b.now().Format("2006-01-02")), header)
	err = b.records.Export(c.Request().Context(), b.actor(c), p.Key, !s.Role.SeesRestricted, func(r models.ExportRow) error {
		line := []string{r.ID.String(), models.NeutraliseCSV(r.Status), r.CreatedAt.UTC().Format(time.RFC3339)}
		for _, f := range fields {
			line = append(line, models.NeutraliseCSV(r.Fields[f.Name]))
		}
		return out.write(line)
	})
	return out.finish(err, dataError)
}

// csvDownload streams a CSV file. Rows are written as they are read, inside
// the logged transaction: the headers go out with the first row, so a
// refused log write is still an error status.
type csvDownload struct {
	c        echo.Context
	filename string
	header   []string
	w        *csv.Writer
}

func newCSVDownload(c echo.Context, filename string, header []string) *csvDownload {
	return &csvDownload{c: c, filename: filename, header: header}
}

func (d *csvDownload) start() error {
	h := d.c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment(d.filename))
	d.c.Response().WriteHeader(http.StatusOK)
	d.w = csv.NewWriter(d.c.Response())
	return d.w.Write(d.header)
}

// write sends one row, the headers first.
func (d *csvDownload) write(line []string) error {
	if d.w == nil {
		if err := d.start(); err != nil {
			return err
		}
	}
	return d.w.Write(line)
}

// finish ends the file. An error before the first row becomes the
// response (through failed); after it the response can only be cut short.
func (d *csvDownload) finish(err error, failed func(error) error) error {
	if err != nil {
		if d.w != nil {
			return fmt.Errorf("handlers: %s: %w", d.filename, err)
		}
		return failed(err)
	}
	if d.w == nil {
		if err := d.start(); err != nil {
			return err
		}
	}
	d.w.Flush()
	return d.w.Error()
}
