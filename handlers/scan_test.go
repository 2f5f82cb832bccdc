package handlers_test

import (
	"html"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/scan"
)

// eicarPDF is a PDF carrying the EICAR anti-virus test string (assembled at
// run time so that no scanner flags this source file).
func eicarPDF() []byte {
	return append(pdf(100), `X5O!P%@AP[4\PZX54(P^)7CC)7}$`+`EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`...)
}

func clamdAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("CLAMD_ADDR")
	if addr == "" {
		t.Fatal("CLAMD_ADDR is not set: run the tests with `make test`, which starts a private clamd")
	}
	return addr
}

// Uploads are scanned by the real clamd before anything is stored: the
// EICAR file is refused with a message on its field and every other value
// kept; a clean file goes through.
func TestUploadsAreScanned(t *testing.T) {
	s := newServer(t, func(d *handlers.Deps) { d.Scanner = scan.NewClamd(clamdAddr(t)) })
	pu, _ := s.reg.Purpose("recruitment")

	v := newVisitor(t, s)
	v.get("/apply")
	vals := validPost(pu)
	res, body := v.postMultipart("/apply", vals, "cv", "cv.pdf", eicarPDF())
	if res.StatusCode != 422 || !strings.Contains(body, "virus scanner found malicious content") {
		t.Errorf("EICAR upload: %d, want 422 with the scanner's message", res.StatusCode)
	}
	if !strings.Contains(body, html.EscapeString(vals.Get("email"))) {
		t.Error("the other values were lost")
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM records`); n != 0 {
		t.Errorf("%d records stored with an infected file", n)
	}

	v.get("/apply")
	if res, _ := v.postMultipart("/apply", validPost(pu), "cv", "cv.pdf", pdf(1000)); res.StatusCode != 303 {
		t.Errorf("clean upload: %d, want 303", res.StatusCode)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM attachments`); n != 1 {
		t.Errorf("%d attachments, want 1", n)
	}
}

// A scanner that cannot be reached refuses the upload (never stores it
// unchecked) with a message saying so, and keeps the form.
func TestUnreachableScannerRefusesUploads(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	s := newServer(t, func(d *handlers.Deps) { d.Scanner = scan.NewClamd(dead) })
	pu, _ := s.reg.Purpose("recruitment")
	v := newVisitor(t, s)
	v.get("/apply")
	vals := validPost(pu)
	res, body := v.postMultipart("/apply", vals, "cv", "cv.pdf", pdf(1000))
	if res.StatusCode != 422 || !strings.Contains(body, "could not check this file for viruses") {
		t.Errorf("scanner down: %d, want 422 with a clear message", res.StatusCode)
	}
	if !strings.Contains(body, html.EscapeString(vals.Get("email"))) {
		t.Error("the other values were lost")
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM attachments`); n != 0 {
		t.Errorf("%d attachments stored unscanned", n)
	}
}

// An uploaded file's name is cleaned and capped before it is stored, and
// the download's Content-Disposition carries the clean name.
func TestUploadNameIsCleanedAndCapped(t *testing.T) {
	s := newBOServer(t)
	pu, _ := s.reg.Purpose("recruitment")
	srv := server{Server: s.Server, e: s.e, db: s.db, urls: s.urls, reg: s.reg, vault: s.v}
	v := newVisitor(t, srv)
	v.get("/apply")
	name := strings.Repeat("a", 200<<10) + "\"\r\n/..\\evil\u202e.pdf"
	vals := validPost(pu)
	// a 200 KB name is over the body margin: the form is refused or the name cut
	res, _ := v.postMultipart("/apply", vals, "cv", name, pdf(1000))
	if res.StatusCode != 303 && res.StatusCode != 413 {
		t.Fatalf("long name: %d", res.StatusCode)
	}
	v.get("/apply")
	res, _ = v.postMultipart("/apply", validPost(pu), "cv", strings.Repeat("é", 300)+"\"; x=\"y\r\nSet-Cookie: a=b.pdf", pdf(1000))
	if res.StatusCode != 303 {
		t.Fatalf("odd name: %d", res.StatusCode)
	}
	rec := s.browser(t)
	rec.login(s.account(t, "recruitment", true))
	_, list := rec.do("GET", "/admin/records/recruitment", nil)
	ids := regexp.MustCompile(`/admin/records/recruitment/([0-9a-f-]{36})"`).FindAllStringSubmatch(list, -1)
	if len(ids) == 0 {
		t.Fatal("no record listed")
	}
	for _, m := range ids {
		id := m[1]
		_, page := rec.do("GET", "/admin/records/recruitment/"+id, nil)
		file := regexpFind(t, page, `/admin/records/recruitment/`+id+`/files/([0-9a-f-]{36})`)
		dl, _ := rec.do("GET", "/admin/records/recruitment/"+id+"/files/"+file, nil)
		cd := dl.Header.Get("Content-Disposition")
		if dl.StatusCode != 200 || !strings.HasPrefix(cd, "attachment; filename") || len(cd) > 3*policy.MaxFileNameBytes+40 ||
			strings.ContainsAny(cd, "\r\n") || strings.Contains(strings.Join(dl.Header.Values("Set-Cookie"), ";"), "a=b") {
			t.Errorf("download %d, Content-Disposition (%d bytes) %q", dl.StatusCode, len(cd), cd)
		}
	}
	stored := ownerCount(t, srv, `SELECT count(*) FROM attachments`)
	if stored != len(ids) {
		t.Errorf("%d attachments for %d records", stored, len(ids))
	}
}
