package handlers_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/policy"
)

// editedRegistry is the shipped registry with each edit (old → new text)
// applied once: a deployment's registry edit, with no code change.
func editedRegistry(t *testing.T, edits ...string) *policy.Registry {
	t.Helper()
	data, err := os.ReadFile("../policy/registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(edits); i += 2 {
		if strings.Count(s, edits[i]) != 1 {
			t.Fatalf("edit %q does not match exactly once", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	reg, err := policy.Parse([]byte(s), "edited registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// scopedCount runs a count as the owner with every purpose of the server's
// own registry in scope (row-level security applies to the owner too).
func scopedCount(t *testing.T, s server, query string) int {
	t.Helper()
	db, err := sql.Open("pgx", s.urls.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`SELECT set_config('portal.purposes', $1, false)`, strings.Join(s.reg.PurposeKeys(), ",")); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func withRegistry(reg *policy.Registry) func(*handlers.Deps) {
	return func(d *handlers.Deps) { d.Registry = reg }
}

// The rights-request purpose is found by its kind: another key and another
// path work end to end, and every link points at the new path.
func TestRightsRequestPurposeUnderAnotherKeyAndPath(t *testing.T) {
	reg := editedRegistry(t,
		"  - key: rights\n    kind: rights_request", "  - key: my_rights\n    kind: rights_request",
		"      path: /rights\n", "      path: /my-rights\n")
	s := newServer(t, withRegistry(reg))
	v := newVisitor(t, s)
	for _, path := range []string{"/", "/privacy", "/contact", "/my-rights"} {
		res, body := v.get(path)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		if !strings.Contains(body, `href="/en/my-rights"`) {
			t.Errorf("GET %s: no link to /my-rights", path)
		}
		if strings.Contains(body, `href="/en/rights"`) || strings.Contains(body, `href="/rights"`) {
			t.Errorf("GET %s: a link to /rights remains", path)
		}
	}
	if res, _ := get(t, s, "/rights"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /rights: %d, want 404", res.StatusCode)
	}
	if res, body := v.post("/my-rights", url.Values{"email": {"me@example.org"}, "right": {"access"}, "consent_processing": {"on"}}); res.StatusCode != 303 {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	if n := scopedCount(t, s, `SELECT count(*) FROM rights_requests WHERE purpose = 'my_rights' AND status = 'unconfirmed'`); n != 1 {
		t.Fatal("the request was not stored under its purpose")
	}
	link := outboxLink(t, s, "rights_confirm")
	if !strings.HasPrefix(link, "/en/my-rights/confirm?") {
		t.Fatalf("confirmation link %q", link)
	}
	v.get(link)
	if res, _ := v.post(link, url.Values{}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if n := scopedCount(t, s, `SELECT count(*) FROM rights_requests WHERE purpose = 'my_rights' AND status = 'received'`); n != 1 {
		t.Error("the request was not confirmed")
	}
}

// A file field added to a second form in the registry makes that form take
// uploads, within its own limit.
func TestUploadOnASecondFormFromARegistryEdit(t *testing.T) {
	reg := editedRegistry(t, `        - name: company
          label: {en: Company, fr: "Entreprise"}
          type: text
          required: false
          max_length: 200
          autocomplete: organization
`, `        - name: company
          label: {en: Company, fr: "Entreprise"}
          type: text
          required: false
          max_length: 200
          autocomplete: organization
        - name: brief
          label: {en: Your brief (optional), fr: Votre cahier des charges (facultatif)}
          type: file
          required: false
          accept: [application/pdf]
          max_bytes: 2097152
`)
	s := newServer(t, withRegistry(reg))
	pu, _ := s.reg.Purpose("quote")
	v := newVisitor(t, s)
	v.get("/quote")
	if res, body := v.postMultipart("/quote", validPost(pu), "brief", "brief.pdf", pdf(1<<20)); res.StatusCode != 303 {
		t.Fatalf("1 MB brief: %d %s", res.StatusCode, body)
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM attachments a JOIN records r ON r.id = a.record_id WHERE r.purpose = 'quote'`); n != 1 {
		t.Errorf("%d attachments stored on the quote, want 1", n)
	}
	res, body := v.postMultipart("/quote", validPost(pu), "brief", "brief.pdf", pdf(3<<20))
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "2 MB at most") {
		t.Errorf("3 MB brief: %d, want 413 saying 2 MB at most", res.StatusCode)
	}
}
