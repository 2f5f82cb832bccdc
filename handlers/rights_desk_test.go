package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/vault"
)

// rightsDesk drives a rights request end to end over HTTP: the person's
// form and emailed links (visitor) and the DPO's back-office (browser).
type rightsDesk struct {
	s       *boServer
	pub     server
	dpo     *browser
	secrets *vault.Secrets
}

func newRightsDesk(t *testing.T) *rightsDesk {
	t.Helper()
	var secrets *vault.Secrets
	s := newBOServerWith(t, func(d *handlers.Deps) { secrets = d.Secrets })
	d := &rightsDesk{s: s, pub: server{Server: s.Server, e: s.e, db: s.db, urls: s.urls, reg: s.reg, vault: s.v}, dpo: s.browser(t), secrets: secrets}
	if res := d.dpo.login(s.account(t, "dpo", true)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dpo login: %d", res.StatusCode)
	}
	return d
}

var anyLinkRE = regexp.MustCompile(`https://portal\.example((?:/en|/fr)?/[a-z-]+/[a-z]+\?[^\s]+)`)

// mailLink is the link of the newest email of kind in the outbox.
func (d *rightsDesk) mailLink(t *testing.T, kind string) (string, models.Email) {
	t.Helper()
	list, err := models.NewOutbox(d.s.db, d.s.v).List(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Kind == kind {
			l := anyLinkRE.FindStringSubmatch(m.Email.Body)
			if l == nil {
				return "", m.Email
			}
			return l[1], m.Email
		}
	}
	t.Fatalf("no %s email in the outbox", kind)
	return "", models.Email{}
}

// request sends and confirms a request as the person would, and returns its id.
func (d *rightsDesk) request(t *testing.T, email, right string) uuid.UUID {
	t.Helper()
	d.s.clk.Add(time.Minute) // the outbox is read newest first: one request per minute
	v := newVisitor(t, d.pub)
	v.get("/rights")
	if res, body := v.post("/rights", url.Values{"email": {email}, "right": {right}, "details": {"please"}, "consent_processing": {"on"}}); res.StatusCode != 303 {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	link, _ := d.mailLink(t, "rights_confirm")
	v.get(link)
	if res, _ := v.post(link, url.Values{}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	db := testdb.OwnerAllPurposes(t, d.s.urls.Owner)
	var id uuid.UUID
	if err := db.QueryRow(`SELECT id FROM rights_requests WHERE "right" = $1 AND status = 'received' ORDER BY created_at DESC LIMIT 1`, right).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (d *rightsDesk) act(t *testing.T, id uuid.UUID, action string, form url.Values, want int) string {
	t.Helper()
	res, body := d.dpo.post("/admin/dpo/rights/"+id.String()+"/"+action, form)
	if res.StatusCode != want {
		t.Fatalf("%s: %d, want %d: %s", action, res.StatusCode, want, body)
	}
	if want == http.StatusSeeOther && res.Header.Get("Location") != "/admin/dpo/rights/"+id.String() {
		t.Fatalf("%s: redirected to %s", action, res.Header.Get("Location"))
	}
	return body
}

// ownerExec changes rows as the owner with every purpose in scope (row-level
// security is forced even for the owner).
func (d *rightsDesk) ownerExec(t *testing.T, q string) {
	t.Helper()
	if _, err := testdb.OwnerAllPurposes(t, d.s.urls.Owner).Exec(q); err != nil {
		t.Fatal(err)
	}
}

func (d *rightsDesk) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	return ownerCount(t, d.pub, q, args...)
}

func (d *rightsDesk) contact(t *testing.T, email, name string) uuid.UUID {
	return d.s.record(t, "contact", map[string]string{"email": email, "first_name": name, "last_name": "Durand", "message": "Hello from " + name}, false, false)
}

func TestRightsQueueAndRequestPage(t *testing.T) {
	d := newRightsDesk(t)
	d.contact(t, "lea@example.org", "Léa")
	id := d.request(t, "lea@example.org", "access")
	res, body := d.dpo.do("GET", "/admin/dpo/rights", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "/admin/dpo/rights/"+id.String()) || !strings.Contains(body, "Right of access") {
		t.Fatalf("queue: %d", res.StatusCode)
	}
	if _, body := d.dpo.do("GET", "/admin/dpo/rights?status=done", nil); strings.Contains(body, id.String()) {
		t.Error("the status filter lets a received request through")
	}
	// The request page finds the person's records through the blind index.
	views := d.s.count(t, "action = 'view' AND purpose = 'rights'")
	res, body = d.dpo.do("GET", "/admin/dpo/rights/"+id.String(), nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Hello from Léa") || !strings.Contains(body, "form (/en/contact)") {
		t.Fatalf("request page: %d lacks the contact record", res.StatusCode)
	}
	if d.s.count(t, "action = 'view' AND purpose = 'rights'") != views+1 {
		t.Error("viewing the request page is not logged")
	}
	// Overdue: marked in red and filtered. (The clock moves in the database:
	// moving the server's would end the DPO's session.)
	d.ownerExec(t, `UPDATE rights_requests SET received_at = received_at - interval '40 days', due_at = due_at - interval '40 days'`)
	_, body = d.dpo.do("GET", "/admin/dpo/rights?overdue=1", nil)
	if !strings.Contains(body, id.String()) || !strings.Contains(body, "overdue by") || !strings.Contains(body, "text-red-800") {
		t.Error("an overdue request is not shown as overdue")
	}
}

func TestAccessPackageSingleUse(t *testing.T) {
	d := newRightsDesk(t)
	d.contact(t, "lea@example.org", "Léa")
	id := d.request(t, "lea@example.org", "access")
	d.act(t, id, "package", nil, 303)
	if d.count(t, `SELECT count(*) FROM rights_requests WHERE id = $1 AND status = 'done' AND answered_at IS NOT NULL`, id) != 1 {
		t.Error("the request is not answered")
	}
	link, mail := d.mailLink(t, "rights_answer")
	if mail.To != "lea@example.org" || !strings.Contains(link, "/rights/download?") {
		t.Fatalf("package email to %q, link %q", mail.To, link)
	}
	v := newVisitor(t, d.pub)
	if res, _ := v.get(link); res.StatusCode != 200 {
		t.Fatalf("download page: %d", res.StatusCode)
	}
	res, err := v.c.PostForm(d.s.URL+link, url.Values{"_csrf": {v.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	var pkg struct {
		Records []struct {
			Purpose, LegalBasis, Recipients, Retention, Origin string `json:""`
			Data                                               map[string]string
		} `json:"records"`
	}
	if err := json.Unmarshal([]byte(files["data.json"]), &pkg); err != nil || len(pkg.Records) != 1 {
		t.Fatalf("data.json: %v %s", err, files["data.json"])
	}
	for _, want := range []string{"Hello from Léa", "legal_basis", "recipients", "retention", "form (/en/contact)"} {
		if !strings.Contains(files["data.json"], want) {
			t.Errorf("data.json lacks %q", want)
		}
	}
	if !strings.Contains(files["data.csv"], "Hello from Léa") || !strings.Contains(files["summary.html"], "How long we keep it") {
		t.Error("the CSV or the HTML summary lacks the data")
	}
	// A second use gets a clear page, not the data.
	res2, body := v.post(link, url.Values{})
	if res2.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") {
		t.Errorf("second download: %d", res2.StatusCode)
	}
}

func TestDownloadLinkExpires(t *testing.T) {
	d := newRightsDesk(t)
	d.contact(t, "lea@example.org", "Léa")
	id := d.request(t, "lea@example.org", "portability")
	d.act(t, id, "package", nil, 303)
	link, _ := d.mailLink(t, "rights_answer")
	d.s.clk.Add(models.LinkValidity + time.Minute)
	v := newVisitor(t, d.pub)
	if res, body := v.get(link); res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("expired link: %d", res.StatusCode)
	}
}

func TestDeadlinesExtensionAndClock(t *testing.T) {
	d := newRightsDesk(t)
	id := d.request(t, "lea@example.org", "access")
	due := func() time.Time {
		var t0 time.Time
		db := testdb.OwnerAllPurposes(t, d.s.urls.Owner)
		if err := db.QueryRow(`SELECT due_at FROM rights_requests WHERE id = $1`, id).Scan(&t0); err != nil {
			t.Fatal(err)
		}
		return t0
	}
	first := due()
	// Waiting for the person stops the clock: 5 days waited, 5 days later.
	d.act(t, id, "status", url.Values{"to": {"waiting_for_person"}, "reason": {"which contract?"}}, 303)
	d.ownerExec(t, `UPDATE rights_requests SET paused_at = paused_at - interval '5 days'`)
	_, body := d.dpo.do("GET", "/admin/dpo/rights", nil)
	if !strings.Contains(body, "clock stopped") {
		t.Error("the queue does not show the stopped clock")
	}
	d.act(t, id, "status", url.Values{"to": {"in_progress"}}, 303)
	if got := due(); !got.Equal(first.Add(5 * 24 * time.Hour)) {
		t.Errorf("due %v after waiting 5 days, first %v", got, first)
	}
	// An extension needs a reason, is emailed, and happens once.
	d.act(t, id, "extend", url.Values{"reason": {""}}, 422)
	d.act(t, id, "extend", url.Values{"reason": {"Many records to gather"}}, 303)
	if _, mail := d.mailLink(t, "rights_extension"); !strings.Contains(mail.Body, "Many records to gather") || !strings.Contains(mail.Body, "CNIL") {
		t.Error("the extension email lacks the reason")
	}
	if got := due(); got.Sub(first) < 58*24*time.Hour {
		t.Errorf("extended due %v, first %v", got, first)
	}
	if body := d.act(t, id, "extend", url.Values{"reason": {"again"}}, 422); !strings.Contains(body, "already extended") {
		t.Error("a second extension is not refused")
	}
	// Refused once the first month has ended.
	late := d.request(t, "sam@example.org", "access")
	d.ownerExec(t, `UPDATE rights_requests SET received_at = received_at - interval '32 days', due_at = due_at - interval '32 days' WHERE NOT extended_at IS NOT NULL`)
	if body := d.act(t, late, "extend", url.Values{"reason": {"complex"}}, 422); !strings.Contains(body, "Too late") {
		t.Error("an extension after the first month is not refused")
	}
	// Moves outside the table are refused; a refusal needs a reason and
	// carries the CNIL's contact.
	d.act(t, late, "status", url.Values{"to": {"received"}}, 422)
	d.act(t, late, "status", url.Values{"to": {"refused"}}, 422)
	d.act(t, late, "status", url.Values{"to": {"refused"}, "reason": {"Manifestly excessive"}}, 303)
	if _, mail := d.mailLink(t, "rights_answer"); !strings.Contains(mail.Body, "Manifestly excessive") || !strings.Contains(mail.Body, d.s.reg.Authority.ComplaintURL) {
		t.Error("the refusal lacks the reason or the CNIL contact")
	}
	if d.count(t, `SELECT count(*) FROM rights_request_events WHERE request_id = $1 AND kind = 'moved'`, late) != 1 {
		t.Error("the move is not on the timeline")
	}
}

func TestDueDates(t *testing.T) {
	day := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 9, 0, 0, 0, time.UTC) }
	for _, c := range []struct{ from, due, ext time.Time }{
		{day(2027, 1, 31), day(2027, 2, 28), day(2027, 4, 28)},
		{day(2028, 1, 31), day(2028, 2, 29), day(2028, 4, 29)},
		{day(2026, 3, 31), day(2026, 4, 30), day(2026, 6, 30)},
		{day(2026, 12, 15), day(2027, 1, 15), day(2027, 3, 15)},
		{day(2027, 12, 31), day(2028, 1, 31), day(2028, 3, 31)},
	} {
		if got := models.RightsDueDate(c.from); !got.Equal(c.due) {
			t.Errorf("due from %v: %v, want %v", c.from, got, c.due)
		}
		if got := models.ExtendedDueDate(c.due); !got.Equal(c.ext) {
			t.Errorf("extended from %v: %v, want %v", c.due, got, c.ext)
		}
	}
}

func TestRectificationValidatedLikeTheForm(t *testing.T) {
	d := newRightsDesk(t)
	rec := d.contact(t, "lea@example.org", "Lea")
	id := d.request(t, "lea@example.org", "rectification")
	body := d.act(t, id, "rectify", url.Values{"record": {rec.String()}, "email": {"not an address"}}, 422)
	if !strings.Contains(body, "nothing was changed") {
		t.Error("a bad value is not refused with a message")
	}
	d.act(t, id, "rectify", url.Values{"record": {rec.String()}, "first_name": {"Léa"}}, 303)
	_, body = d.dpo.do("GET", "/admin/records/contact/"+rec.String(), nil)
	if !strings.Contains(body, "Léa") {
		t.Error("the record is not corrected")
	}
	_, body = d.dpo.do("GET", "/admin/dpo/rights/"+id.String(), nil)
	if !strings.Contains(body, "data corrected") || !strings.Contains(body, "contact: first_name") {
		t.Error("the timeline does not name the field changed")
	}
	if strings.Contains(body, ">Lea<") {
		t.Error("the old value is shown")
	}
}

func TestErasureLeavesNoTraceButTheObjection(t *testing.T) {
	d := newRightsDesk(t)
	rec := d.contact(t, "lea@example.org", "Zébulon")
	cv := d.s.record(t, "recruitment", map[string]string{"email": "lea@example.org", "first_name": "Zébulon", "last_name": "Quasar"}, false, true)
	owner := testdb.OwnerAllPurposes(t, d.s.urls.Owner)
	var sealed []byte
	if err := owner.QueryRow(`SELECT fields FROM records WHERE id = $1`, rec).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	obj := d.request(t, "lea@example.org", "objection")
	d.act(t, obj, "object", nil, 303)
	d.act(t, obj, "status", url.Values{"to": {"done"}}, 303)
	id := d.request(t, "lea@example.org", "erasure")
	d.act(t, id, "erase", nil, 303)
	d.act(t, id, "status", url.Values{"to": {"done"}, "message": {"Everything is deleted."}}, 303)
	if n := d.count(t, `SELECT count(*) FROM records WHERE id = ANY ($1)`, []uuid.UUID{rec, cv}); n != 0 {
		t.Errorf("%d records left", n)
	}
	if n := d.count(t, `SELECT count(*) FROM attachments`); n != 0 {
		t.Errorf("%d files left", n)
	}
	if n := d.count(t, `SELECT count(*) FROM consents WHERE subject_id IS NOT NULL`); n != 0 {
		t.Errorf("%d consent proofs still linked to the person", n)
	}
	if n := d.count(t, `SELECT count(*) FROM consents`); n == 0 {
		t.Error("the consent proofs are gone, not reduced")
	}
	// Deliver the answers, as the outbox job does.
	if _, err := models.NewOutbox(d.s.db, d.s.v).SendPending(context.Background(), func(context.Context, models.Email) error { return nil }, 100, d.s.clk.Now); err != nil {
		t.Fatal(err)
	}
	testdb.Exec(t, d.s.urls.Owner, `DELETE FROM outbox WHERE status = 'sent'`) // the purge after SentEmailRetention
	dump := testdb.Dump(t, d.s.urls.Owner)
	for _, secret := range []string{"lea@example.org", "Zébulon", "Quasar", hex.EncodeToString(sealed[:24])} {
		if strings.Contains(dump, secret) {
			t.Errorf("the dump still holds %q", secret)
		}
	}
	idx := hex.EncodeToString(d.s.v.BlindIndex(vault.KindEmail, "lea@example.org"))
	if n := strings.Count(dump, idx); n != 1 {
		t.Errorf("the keyed hash appears %d times, want once (the suppression list)", n)
	}
	// The objection still works after erasure, on a later sign-up.
	v := newVisitor(t, d.pub)
	v.get("/contact")
	if res, body := v.post("/contact", url.Values{"email": {"lea@example.org"}, "first_name": {"Léa"}, "last_name": {"D"}, "message": {"Hi again"}, "consent_processing": {"on"}}); res.StatusCode != 303 {
		t.Fatalf("sign-up: %d %s", res.StatusCode, body)
	}
	if d.count(t, `SELECT count(*) FROM records WHERE objected`) != 1 {
		t.Error("a later sign-up is not flagged as objected")
	}
}

// An erasure on request is logged like the sweep's deletions: a restored
// backup that brings the person back loses them again on `portal retention
// replay` (art. 17).
func TestErasureReplayedAfterRestore(t *testing.T) {
	d := newRightsDesk(t)
	rec := d.contact(t, "max@example.org", "Maxence")
	id := d.request(t, "max@example.org", "erasure")
	owner := testdb.OwnerAllPurposes(t, d.s.urls.Owner)
	// The backup: the person's rows as they were before the erasure.
	row := func(q string, arg any) string {
		t.Helper()
		var j string
		if err := owner.QueryRow(q, arg).Scan(&j); err != nil {
			t.Fatal(err)
		}
		return j
	}
	subject := row(`SELECT row_to_json(s) FROM subjects s WHERE id = (SELECT subject_id FROM records WHERE id = $1)`, rec)
	record := row(`SELECT row_to_json(r) FROM records r WHERE id = $1`, rec)
	request := row(`SELECT row_to_json(q) FROM rights_requests q WHERE id = $1`, id)
	d.act(t, id, "erase", nil, 303)
	d.act(t, id, "status", url.Values{"to": {"done"}}, 303)
	gone := func(when string) {
		t.Helper()
		if n := d.count(t, `SELECT count(*) FROM records WHERE id = $1`, rec); n != 0 {
			t.Errorf("%s: the record is there", when)
		}
		if n := d.count(t, `SELECT count(*) FROM subjects WHERE email_index = $1`, d.s.v.BlindIndex(vault.KindEmail, "max@example.org")); n != 0 {
			t.Errorf("%s: the person's blind index is there", when)
		}
		if n := d.count(t, `SELECT count(*) FROM rights_requests WHERE id = $1 AND subject_id IS NULL`, id); n != 1 {
			t.Errorf("%s: the request still points to the person", when)
		}
		if _, body := d.dpo.do("GET", "/admin/dpo/rights/"+id.String(), nil); strings.Contains(body, "max@example.org") {
			t.Errorf("%s: the request still holds the address", when)
		}
	}
	gone("after the erasure")
	// The restore brings the rows back.
	restore := func(q, row string) {
		t.Helper()
		if _, err := owner.Exec(q, row); err != nil {
			t.Fatal(err)
		}
	}
	restore(`INSERT INTO subjects SELECT * FROM json_populate_record(NULL::subjects, $1)`, subject)
	restore(`INSERT INTO records SELECT * FROM json_populate_record(NULL::records, $1)`, record)
	restore(`UPDATE rights_requests r SET fields = b.fields, subject_id = b.subject_id
		FROM json_populate_record(NULL::rights_requests, $1) b WHERE r.id = b.id`, request)
	if n := d.count(t, `SELECT count(*) FROM records WHERE id = $1`, rec); n != 1 {
		t.Fatal("the restore did not bring the record back")
	}
	rep, err := models.NewRetentionStore(d.s.db, d.s.v, d.secrets.Key(models.ErasureLogKeyName)).Replay(context.Background(), d.s.reg, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 1 || rep.Subjects != 1 || rep.RequestDetails != 1 {
		t.Errorf("replay: %+v, want 1 record, 1 person, 1 request's details", rep)
	}
	gone("after the replay")
}

// A legal hold on the person refuses the erasure (art. 17(3)(e)): the page
// says why and nothing is deleted.
func TestErasureRefusedUnderLegalHold(t *testing.T) {
	d := newRightsDesk(t)
	rec := d.contact(t, "max@example.org", "Maxence")
	id := d.request(t, "max@example.org", "erasure")
	testdb.Exec(t, d.s.urls.Owner, `INSERT INTO legal_holds (id, record_id, reason, ends_at, placed_by) VALUES ($1, $2, 'claim', $3, $1)`,
		uuid.New(), rec, d.s.clk.Now().AddDate(1, 0, 0))
	if body := d.act(t, id, "erase", nil, 422); !strings.Contains(body, "legal hold") {
		t.Error("the refused erasure does not say why")
	}
	if n := d.count(t, `SELECT count(*) FROM records WHERE id = $1`, rec); n != 1 {
		t.Error("a held record was erased")
	}
}

func TestRestrictionHidesFromStaff(t *testing.T) {
	d := newRightsDesk(t)
	rec := d.contact(t, "lea@example.org", "Léa")
	id := d.request(t, "lea@example.org", "restriction")
	d.act(t, id, "restrict", url.Values{"on": {"1"}}, 303)
	sales := d.s.browser(t)
	sales.login(d.s.account(t, "sales", true))
	if res, _ := sales.do("GET", "/admin/records/contact/"+rec.String(), nil); res.StatusCode != 404 {
		t.Errorf("sales sees a restricted record: %d", res.StatusCode)
	}
	if res, _ := d.dpo.do("GET", "/admin/records/contact/"+rec.String(), nil); res.StatusCode != 200 {
		t.Errorf("the DPO cannot see it: %d", res.StatusCode)
	}
	d.act(t, id, "restrict", url.Values{}, 422) // lifting needs a reason
	d.act(t, id, "restrict", url.Values{"reason": {"accuracy checked"}}, 303)
	if res, _ := sales.do("GET", "/admin/records/contact/"+rec.String(), nil); res.StatusCode != 200 {
		t.Errorf("lifted, sales still cannot see it: %d", res.StatusCode)
	}
	// The person is told, with the reason (art. 18(3)).
	if _, mail := d.mailLink(t, "rights_restriction_lifted"); mail.To != "lea@example.org" || !strings.Contains(mail.Body, "accuracy checked") {
		t.Errorf("lifting notice: %+v", mail)
	}
}

func TestObjectionKeepsOutOfExports(t *testing.T) {
	d := newRightsDesk(t)
	d.contact(t, "lea@example.org", "Léa")
	d.contact(t, "bob@example.org", "Bob")
	id := d.request(t, "lea@example.org", "objection")
	d.act(t, id, "object", nil, 303)
	sales := d.s.browser(t)
	sales.login(d.s.account(t, "sales", true))
	_, csv := sales.do("GET", "/admin/records/contact/export", nil)
	if strings.Contains(csv, "lea@example.org") || !strings.Contains(csv, "bob@example.org") {
		t.Error("the export does not leave the objector out")
	}
	var objected bool
	err := d.s.db.Tx(context.Background(), func(q models.Querier) (err error) {
		objected, err = models.NewSuppressionStore(d.s.db, d.s.v).Suppressed(context.Background(), q,
			models.Suppression{Email: "lea@example.org"}, models.SuppressAll)
		return err
	})
	if err != nil || !objected {
		t.Errorf("not on the suppression list (%v)", err)
	}
}

func TestWithdrawalAppendsToTheLedger(t *testing.T) {
	d := newRightsDesk(t)
	v := newVisitor(t, d.pub)
	v.get("/newsletter")
	v.post("/newsletter", url.Values{"email": {"lea@example.org"}, "consent_newsletter": {"on"}})
	id := d.request(t, "lea@example.org", "withdraw_consent")
	before := d.count(t, `SELECT count(*) FROM consents`)
	d.act(t, id, "withdraw", url.Values{"kind": {"newsletter"}}, 303)
	if d.count(t, `SELECT count(*) FROM consents`) <= before {
		t.Fatal("no withdrawal appended")
	}
	if d.count(t, `SELECT count(*) FROM (SELECT DISTINCT ON (subject_id, purpose, kind) granted FROM consents WHERE kind = 'newsletter'
		ORDER BY subject_id, purpose, kind, created_at DESC, id DESC) l WHERE granted`) != 0 {
		t.Error("the newsletter consent is still the latest answer")
	}
}

func TestPostMortemDirectives(t *testing.T) {
	d := newRightsDesk(t)
	id := d.request(t, "lea@example.org", "post_mortem")
	d.act(t, id, "directives", url.Values{"designated": {"Camille Martin"}, "instructions": {"Delete everything"}}, 303)
	_, body := d.dpo.do("GET", "/admin/dpo/rights/"+id.String(), nil)
	if !strings.Contains(body, "Camille Martin") || !strings.Contains(body, "Delete everything") {
		t.Fatal("the directive is not shown to the DPO")
	}
	if strings.Contains(testdb.Dump(t, d.s.urls.Owner), "Camille") {
		t.Error("the directive is stored in clear")
	}
	did := regexpFind(t, body, `/directives/([0-9a-f-]{36})/revoke`)
	d.act(t, id, "directives/"+did+"/revoke", nil, 303)
	if _, body = d.dpo.do("GET", "/admin/dpo/rights/"+id.String(), nil); !strings.Contains(body, "Revoked") {
		t.Error("the revocation is not shown")
	}
}

func TestIdentityDocumentDestroyedWithTheAnswer(t *testing.T) {
	d := newRightsDesk(t)
	id := d.request(t, "lea@example.org", "access")
	d.act(t, id, "identity", url.Values{"reason": {""}}, 422)
	d.act(t, id, "identity", url.Values{"reason": {"The address differs from our records"}}, 303)
	link, mail := d.mailLink(t, "rights_identity")
	if !strings.Contains(mail.Body, "The address differs") {
		t.Error("the request lacks the reason")
	}
	v := newVisitor(t, d.pub)
	v.get(link)
	// The forms' checks: the content decides the type.
	if res, _ := v.postMultipart(link, url.Values{}, "document", "id.pdf", []byte("MZ not a pdf")); res.StatusCode != 422 {
		t.Errorf("a non-document: %d", res.StatusCode)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	if res, body := v.postMultipart(link, url.Values{}, "document", "id.png", png); res.StatusCode != 200 {
		t.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	if res, _ := v.postMultipart(link, url.Values{}, "document", "id.png", png); res.StatusCode != http.StatusGone {
		t.Errorf("second upload: %d", res.StatusCode)
	}
	_, body := d.dpo.do("GET", "/admin/dpo/rights/"+id.String(), nil)
	doc := regexpFind(t, body, `/identity/([0-9a-f-]{36})"`)
	downloads := d.s.count(t, "action = 'download'")
	if res, file := d.dpo.do("GET", "/admin/dpo/rights/"+id.String()+"/identity/"+doc, nil); res.StatusCode != 200 || file != string(png) {
		t.Fatalf("the DPO cannot read the document: %d", res.StatusCode)
	}
	if d.s.count(t, "action = 'download'") != downloads+1 {
		t.Error("reading the document is not logged")
	}
	d.act(t, id, "identity/checked", nil, 303)
	d.act(t, id, "package", nil, 303)
	if n := d.count(t, `SELECT count(*) FROM rights_id_documents WHERE content IS NOT NULL`); n != 0 {
		t.Error("the identity document outlived the answer")
	}
	if n := d.count(t, `SELECT count(*) FROM rights_request_events WHERE request_id = $1 AND kind IN ('identity_checked', 'identity_document_destroyed')`, id); n != 2 {
		t.Errorf("timeline: %d identity events, want checked and destroyed", n)
	}
}
