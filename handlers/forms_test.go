package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// visitor is a browser without JavaScript: a cookie jar, no redirects
// followed (the tests check the 303s).
type visitor struct {
	t    *testing.T
	s    server
	c    *http.Client
	csrf string
}

// preTicked finds a form consent box rendered ticked (the cookie banner's
// always-on "strictly necessary" switch is not one).
var preTicked = regexp.MustCompile(`name="consent_[a-z_]+"[^>]*checked`)

func newVisitor(t *testing.T, s server) *visitor {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &visitor{t: t, s: s, c: c}
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (v *visitor) get(path string) (*http.Response, string) {
	v.t.Helper()
	res, err := v.c.Get(v.s.URL + en(path))
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(b); m != nil {
		v.csrf = string(m[1])
	}
	return res, string(b)
}

func (v *visitor) post(path string, vals url.Values) (*http.Response, string) {
	v.t.Helper()
	if vals.Get("_csrf") == "" {
		vals.Set("_csrf", v.csrf)
	}
	res, err := v.c.PostForm(v.s.URL+en(path), vals)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (v *visitor) postMultipart(path string, vals url.Values, fileField, fileName string, data []byte) (*http.Response, string) {
	v.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	vals.Set("_csrf", v.csrf)
	for k, vv := range vals {
		for _, x := range vv {
			_ = mw.WriteField(k, x)
		}
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	res, err := v.c.Post(v.s.URL+en(path), mw.FormDataContentType(), &buf)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var seq int

// validPost fills a purpose's form from the registry with valid, unique
// values that the tests can look for in a dump.
func validPost(pu *policy.Purpose) url.Values {
	seq++
	v := url.Values{}
	for _, f := range pu.Form.Fields {
		switch f.Type {
		case policy.FieldEmail:
			v.Set(f.Name, fmt.Sprintf("typed.person%d@example.org", seq))
		case policy.FieldPhone:
			v.Set(f.Name, "06 12 34 56 78")
		case policy.FieldNumber:
			v.Set(f.Name, strconv.Itoa(*f.Min+10))
		case policy.FieldSelect:
			v.Set(f.Name, f.Options[0].Value)
		case policy.FieldDateTime:
			v.Set(f.Name, time.Now().Add(48*time.Hour).Format(policy.DateTimeLayout))
		case policy.FieldTextarea:
			v.Set(f.Name, fmt.Sprintf("Typedmessage%d with words", seq))
		case policy.FieldText:
			v.Set(f.Name, fmt.Sprintf("Typedname%d", seq))
		}
	}
	if q := pu.Form.Quiz; q != nil {
		for _, qu := range q.Questions {
			v.Set(qu.Name, qu.Answer)
		}
	}
	for _, c := range pu.Form.Consents {
		if c.Required {
			v.Set(policy.ConsentField(c.Kind), "yes")
		}
	}
	return v
}

func ownerCount(t *testing.T, s server, query string, args ...any) int {
	t.Helper()
	db := testdb.OwnerAllPurposes(t, s.urls.Owner)
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEveryFormHappyPathStoresEncrypted(t *testing.T) {
	s := newServer(t, nil)
	for _, pu := range s.reg.FormPurposes() {
		t.Run(pu.Key, func(t *testing.T) {
			v := newVisitor(t, s)
			res, page := v.get(pu.Form.Path)
			if res.StatusCode != 200 || v.csrf == "" {
				t.Fatalf("GET %s: %d, csrf %q", pu.Form.Path, res.StatusCode, v.csrf)
			}
			for _, want := range []string{pu.Description.EN, "/privacy", "required-mark"} {
				if !strings.Contains(page, html.EscapeString(want)) {
					t.Errorf("form page lacks %q", want)
				}
			}
			if preTicked.MatchString(page) {
				t.Error("a consent box is ticked in advance")
			}
			vals := validPost(pu)
			res, body := v.post(pu.Form.Path, vals)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/en"+pu.Form.Path+"/sent" {
				t.Fatalf("POST: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), body)
			}
			res, sent := v.get(pu.Form.Path + "/sent")
			if res.StatusCode != 200 || !strings.Contains(sent, "/rights") || !strings.Contains(sent, html.EscapeString(retentionSummary(pu))) {
				t.Errorf("confirmation page %d lacks the retention or the rights link", res.StatusCode)
			}
			dump := testdb.Dump(t, s.urls.Owner)
			for name, typed := range vals {
				if f, ok := pu.Field(name); ok && f.Type != policy.FieldSelect && f.Type != policy.FieldNumber && f.Type != policy.FieldDateTime && strings.Contains(dump, typed[0]) {
					t.Errorf("the dump holds the typed %s %q", name, typed[0])
				}
			}
			if strings.Contains(dump, "+33612345678") {
				t.Error("the dump holds the phone number")
			}
		})
	}
}

func retentionSummary(pu *policy.Purpose) string { return views.RetentionText(pu.Retention).EN }

func TestMissingFieldsAnswer422WithValuesKept(t *testing.T) {
	s := newServer(t, nil)
	for _, pu := range s.reg.FormPurposes() {
		for _, f := range pu.Form.Fields {
			if !f.Required {
				continue
			}
			t.Run(pu.Key+"/"+f.Name, func(t *testing.T) {
				v := newVisitor(t, s)
				v.get(pu.Form.Path)
				vals := validPost(pu)
				vals.Del(f.Name)
				res, body := v.post(pu.Form.Path, vals)
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", res.StatusCode)
				}
				if !strings.Contains(body, `id="e-`+f.Name+`"`) || !strings.Contains(body, "it is required") && !strings.Contains(body, "make a choice") {
					t.Error("no message for the missing field")
				}
				for name, typed := range vals {
					if name == "_csrf" || strings.HasPrefix(name, "consent_") {
						continue
					}
					if !strings.Contains(body, `value="`+html.EscapeString(typed[0])+`"`) && !strings.Contains(body, ">"+html.EscapeString(typed[0])+"<") {
						t.Errorf("value of %s (%q) lost", name, typed[0])
					}
				}
				if n := ownerCount(t, s, `SELECT count(*) FROM records`); n != 0 {
					t.Errorf("%d records stored from a refused form", n)
				}
			})
		}
	}
}

func TestXSSIsStoredAndRenderedEscaped(t *testing.T) {
	s := newServer(t, nil)
	pu, _ := s.reg.Purpose("contact")
	payload := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	v := newVisitor(t, s)
	v.get("/contact")
	vals := validPost(pu)
	vals.Set("message", payload)
	vals.Set("last_name", `"><svg onload=alert(1)>`)
	vals.Del("email")
	res, body := v.post("/contact", vals)
	if res.StatusCode != 422 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<svg onload") || strings.Contains(body, "<img src=x") {
		t.Error("payload rendered unescaped")
	}
	if !strings.Contains(body, html.EscapeString(payload)) {
		t.Error("payload not shown back (escaped)")
	}
	vals.Set("email", "xss@example.org")
	if res, _ := v.post("/contact", vals); res.StatusCode != 303 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var id string
	db := testdb.OwnerAllPurposes(t, s.urls.Owner)
	if err := db.QueryRow(`SELECT id FROM records`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	f, _, err := models.NewFormStore(s.db, s.vault).RecordFields(context.Background(), "contact", mustUUID(t, id))
	if err != nil || f["message"] != payload {
		t.Errorf("stored %q (%v), want the payload as typed", f["message"], err)
	}
}

func pdf(n int) []byte { return append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), n)...) }

func zipBombDocx(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	_, _ = w.Write([]byte("<Types/>"))
	w, _ = zw.Create("word/document.xml")
	_, _ = w.Write([]byte("<w:document/>"))
	w, _ = zw.Create("word/media/bomb.bin")
	_, _ = w.Write(make([]byte, 200<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploads(t *testing.T) {
	s := newServer(t, nil)
	pu, _ := s.reg.Purpose("recruitment")
	elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), make([]byte, 4096)...)
	tests := []struct {
		name, file string
		data       []byte
		status     int
		want       string
	}{
		{"pdf", "cv.pdf", pdf(1000), 303, ""},
		{"executable renamed cv.pdf", "cv.pdf", elf, 422, "whatever its name says"},
		{"html named .pdf", "cv.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), 422, "whatever its name says"},
		{"6 MB pdf", "cv.pdf", pdf(6 << 20), 413, "5 MB at most"},
		{"zip bomb named .docx", "cv.docx", zipBombDocx(t), 422, "expands to far more data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVisitor(t, s)
			v.get("/apply")
			vals := validPost(pu)
			res, body := v.postMultipart("/apply", vals, "cv", tt.file, tt.data)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.want != "" && !strings.Contains(body, tt.want) {
				t.Errorf("no clear message (%q)", tt.want)
			}
			if tt.status == 422 && !strings.Contains(body, html.EscapeString(vals.Get("email"))) {
				t.Error("the other values were lost")
			}
		})
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM attachments`); n != 1 {
		t.Errorf("%d attachments stored, want 1", n)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM attachments WHERE mime = 'application/pdf' AND position('%PDF'::bytea IN content) = 0`); n != 1 {
		t.Error("the attachment is not stored encrypted")
	}
}

var linkRE = regexp.MustCompile(`https://portal\.example((?:/en|/fr)?/[a-z-]+/confirm\?[^\s]+)`)

func outboxLink(t *testing.T, s server, kind string) string {
	t.Helper()
	list, err := models.NewOutbox(s.db, s.vault).List(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Kind == kind {
			if l := linkRE.FindStringSubmatch(m.Email.Body); l != nil {
				return l[1]
			}
		}
	}
	t.Fatalf("no %s email with a link in the outbox", kind)
	return ""
}

func TestNewsletterDoubleOptIn(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := newServer(t, func(d *handlers.Deps) { d.Now = func() time.Time { return clock() } })
	v := newVisitor(t, s)
	v.get("/newsletter")
	if res, _ := v.post("/newsletter", url.Values{"email": {"news@example.org"}, "consent_newsletter": {"yes"}}); res.StatusCode != 303 {
		t.Fatalf("subscribe: %d", res.StatusCode)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM records WHERE status = 'pending'`); n != 1 {
		t.Fatalf("%d pending subscriptions", n)
	}
	link := outboxLink(t, s, "receipt")

	res, page := v.get(link)
	if res.StatusCode != 200 || !strings.Contains(page, "Confirm") {
		t.Fatalf("opening the link: %d", res.StatusCode)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM records WHERE status = 'subscribed'`); n != 0 {
		t.Fatal("opening the link (a GET) confirmed the subscription")
	}
	if res, _ := v.post(link[:len(link)-2]+"xx", url.Values{}); res.StatusCode != 400 {
		t.Errorf("tampered link: %d, want 400", res.StatusCode)
	}
	newsletter, _ := s.reg.Purpose("newsletter")
	if res, body := v.post(link, url.Values{}); res.StatusCode != 200 || !strings.Contains(body, newsletter.Form.Confirm.Get(i18n.EN)) {
		t.Fatalf("confirming: %d", res.StatusCode)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM records WHERE status = 'subscribed'`); n != 1 {
		t.Error("the subscription was not confirmed")
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM consents WHERE kind = 'newsletter' AND source = 'email_confirmed' AND granted`); n != 1 {
		t.Error("the ledger lacks the confirmed consent")
	}
	clock = func() time.Time { return now.Add(8 * 24 * time.Hour) }
	if res, body := v.get(link); res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("expired link: %d", res.StatusCode)
	}
}

func TestRightsRequestIntake(t *testing.T) {
	s := newServer(t, nil)
	v := newVisitor(t, s)
	v.get("/rights")
	if res, body := v.post("/rights", url.Values{"email": {"me@example.org"}, "right": {"post_mortem"}, "details": {"Secretdetails"}, "consent_processing": {"on"}}); res.StatusCode != 303 {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM rights_requests WHERE status = 'unconfirmed' AND due_at IS NULL`); n != 1 {
		t.Fatal("no unconfirmed request")
	}
	link := outboxLink(t, s, "rights_confirm")
	v.get(link)
	res, body := v.post(link, url.Values{})
	if res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	due := models.RightsDueDate(time.Now()).In(i18n.Zone(context.Background())).Format("2 Jan 2006")
	if !strings.Contains(body, due) {
		t.Errorf("confirmation lacks the due date %s", due)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM rights_requests WHERE status = 'received' AND due_at = received_at + interval '1 month'`); n != 1 {
		t.Error("the request is not received with a due date one month later")
	}
	// The request rests on consent: the ledger proves the ticked box.
	if n := ownerCount(t, s, `SELECT count(*) FROM consents c JOIN rights_requests r ON r.id = c.record_id WHERE c.kind = 'processing' AND c.granted AND c.subject_id = r.subject_id`); n != 1 {
		t.Error("the ledger lacks the rights request's consent")
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM rights_request_events`); n != 2 {
		t.Errorf("%d timeline events, want 2", n)
	}
	if strings.Contains(testdb.Dump(t, s.urls.Owner), "Secretdetails") || strings.Contains(testdb.Dump(t, s.urls.Owner), "me@example.org") {
		t.Error("the dump holds the request's details")
	}
}

func TestConsentRowsMatchBoxes(t *testing.T) {
	s := newServer(t, nil)
	pu, _ := s.reg.Purpose("ai_challenge")
	v := newVisitor(t, s)
	v.get("/ai-challenge")
	vals := validPost(pu)
	vals.Set("consent_automated_calls", "yes")
	vals.Set("consent_partner_transfer", "yes")
	if res, _ := v.post("/ai-challenge", vals); res.StatusCode != 303 {
		t.Fatalf("status %d", res.StatusCode)
	}
	want := map[string]bool{"processing": true, "sms": false, "whatsapp": false, "automated_calls": true, "offers_sms": false, "offers_whatsapp": false, "offers_automated_calls": false, "partner_transfer": true}
	for _, c := range pu.Form.Consents {
		t.Run(c.Kind, func(t *testing.T) {
			n := ownerCount(t, s, `SELECT count(*) FROM consents WHERE kind = $1 AND granted = $2 AND policy_version = $3
				AND wording_hash = $4 AND subject_id IS NOT NULL AND record_id IS NOT NULL`, c.Kind, want[c.Kind], s.reg.Version, models.WordingHash(c.Label.EN))
			if n != 1 {
				t.Errorf("%d rows for %s granted=%v", n, c.Kind, want[c.Kind])
			}
		})
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM consents`); n != len(pu.Form.Consents) {
		t.Errorf("%d consent rows, want one per box (%d)", n, len(pu.Form.Consents))
	}
}

func TestFormDefences(t *testing.T) {
	t.Run("no CSRF token", func(t *testing.T) {
		s := newServer(t, nil)
		pu, _ := s.reg.Purpose("contact")
		v := newVisitor(t, s)
		v.get("/contact")
		vals := validPost(pu)
		vals.Set("_csrf", "forged")
		res, body := v.post("/contact", vals)
		if res.StatusCode != 403 || !strings.Contains(body, "has expired") {
			t.Errorf("forged token: %d", res.StatusCode)
		}
		req, _ := http.NewRequest("POST", s.URL+"/contact", strings.NewReader(validPost(pu).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 403 {
			t.Errorf("cross-site post: %d", res.StatusCode)
		}
	})
	t.Run("honeypot", func(t *testing.T) {
		s := newServer(t, nil)
		pu, _ := s.reg.Purpose("contact")
		v := newVisitor(t, s)
		v.get("/contact")
		vals := validPost(pu)
		vals.Set("website", "http://spam.example")
		if res, _ := v.post("/contact", vals); res.StatusCode != 303 {
			t.Errorf("honeypot: %d", res.StatusCode)
		}
		if n := ownerCount(t, s, `SELECT count(*) FROM records`); n != 0 {
			t.Error("a robot's post was stored")
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		s := newServer(t, func(d *handlers.Deps) { d.FormRate = 2 })
		pu, _ := s.reg.Purpose("quote")
		v := newVisitor(t, s)
		v.get("/quote")
		var last int
		for range 4 {
			res, _ := v.post("/quote", validPost(pu))
			last = res.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Errorf("fourth post in a second: %d, want 429", last)
		}
	})
	t.Run("hostile bodies never 500", func(t *testing.T) {
		s := newServer(t, nil)
		v := newVisitor(t, s)
		v.get("/contact")
		for _, body := range []string{"%zz", "email=%ff%fe", strings.Repeat("a=b&", 20000), "message=" + strings.Repeat("x", 6000)} {
			req, _ := http.NewRequest("POST", s.URL+"/contact", strings.NewReader(body+"&_csrf="+v.csrf))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := v.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Errorf("%.20q: %d", body, res.StatusCode)
			}
		}
	})
}

func mustUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
