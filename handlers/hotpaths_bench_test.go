package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
)

// The hot paths through the whole stack (every middleware, the real
// database), without the network: run with -benchmem, allocs/op is the
// allocations per request (make bench measures the throughput).

// BenchmarkRecordView is the logged record view of a contact record whose
// person answered consent boxes, as a signed-in sales member.
func BenchmarkRecordView(b *testing.B) {
	s := newServer(b, nil)
	ctx := context.Background()
	now := time.Now()
	session := benchSession(b, s, "sales-bench@example.com", "sales", now)
	pu, _ := s.reg.Purpose("contact")
	var consents []models.ConsentChoice
	for _, c := range pu.Form.Consents {
		consents = append(consents, models.ConsentChoice{Kind: c.Kind, Label: c.Label.EN, Granted: true})
	}
	id := uuid.New()
	if _, err := models.NewFormStore(s.db, s.vault).Submit(ctx, models.FormSubmission{ID: id, Purpose: pu, PolicyVersion: s.reg.Version,
		Now: now, Fields: models.Fields{"email": "ada@example.org", "first_name": "Ada", "last_name": "L", "message": "Hello"},
		Email: "ada@example.org", Consents: consents}); err != nil {
		b.Fatal(err)
	}
	serveEach(b, s, "/admin/records/contact/"+id.String(), session)
}

// benchSession signs in a new staff member of role: their session cookie.
func benchSession(b *testing.B, s server, email, role string, now time.Time) *http.Cookie {
	b.Helper()
	ctx := context.Background()
	ns, err := demo.Account(ctx, s.db, s.vault, email, "Bench", role, now)
	if err != nil {
		b.Fatal(err)
	}
	token, err := benchkit.SignIn(ctx, s.db.Pool, models.NewSessionStore(s.db), ns.Staff.ID, now)
	if err != nil {
		b.Fatal(err)
	}
	return &http.Cookie{Name: "__Host-portal_session", Value: token}
}

// BenchmarkAccessLogPage is the DPO's review filtered on one staff member's
// views (make bench's filter), a full page of fifty events.
func BenchmarkAccessLogPage(b *testing.B) {
	s := newServer(b, nil)
	ctx := context.Background()
	now := time.Now()
	session := benchSession(b, s, "dpo-bench@example.com", "dpo", now)
	sales := uuid.New()
	log := models.NewAccessLog(s.db, s.vault, make([]byte, 32))
	for i := 0; i < 60; i++ {
		rec, subject := uuid.New(), uuid.New()
		if err := log.Log(ctx, models.AccessEvent{At: now.Add(-time.Duration(i) * time.Minute), StaffID: &sales, Role: "sales",
			Action: models.ActionView, Purpose: "contact", RecordID: &rec, SubjectID: &subject, IP: "192.0.2.1",
			UserAgent: "bench", Outcome: models.OutcomeOK}); err != nil {
			b.Fatal(err)
		}
	}
	serveEach(b, s, "/admin/dpo/access-log?staff="+sales.String()+"&action=view", session)
}

// BenchmarkPrivacyPage is the privacy policy as a first visit sees it
// (banner open).
func BenchmarkPrivacyPage(b *testing.B) {
	serveEach(b, newServer(b, nil), "/fr/privacy")
}

// BenchmarkContactPost is POST /fr/contact as make bench sends it (a valid
// form, a fixed CSRF pair, a new person each time), 16 posts at once so
// that the group commit forms its batches: the Go work of a form post and
// its allocations per request.
func BenchmarkContactPost(b *testing.B) {
	s := newServer(b, nil)
	const token = "benchbenchbenchbenchbenchbench01"
	var n atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := "_csrf=" + token + "&last_name=Bench&first_name=Mark&email=bench" + strconv.FormatInt(n.Add(1), 10) +
				"%40example.org&message=Hello%2C+I+would+like+to+know+more+about+your+courses.&consent_processing=yes"
			req := httptest.NewRequest(http.MethodPost, "/fr/contact", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "__Host-csrf", Value: token})
			rec := httptest.NewRecorder()
			s.e.ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				b.Errorf("POST /fr/contact: %d", rec.Code)
				return
			}
		}
	})
}

func serveEach(b *testing.B, s server, path string, cookies ...*http.Cookie) {
	b.Helper()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		s.e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
}

// BenchmarkConsentPost is a first visitor's banner answer without
// JavaScript, as make bench posts it: a ledger row, the signed cookie, the
// 303 back. Serial, so each row is its own batch; the parallel variant lets
// the group commit gather them as make bench's 16 connections do (its CPU
// profile is the server's work per request without the network).
func BenchmarkConsentPost(b *testing.B) {
	s := newServer(b, func(d *handlers.Deps) { d.ConsentRate = -1 })
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		postChoice(b, s)
	}
}

func BenchmarkConsentPostParallel(b *testing.B) {
	s := newServer(b, func(d *handlers.Deps) { d.ConsentRate = -1 })
	b.ReportAllocs()
	b.SetParallelism(8)
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			postChoice(b, s)
		}
	})
}

// reportCPU reports the process's CPU time (user and system) per
// operation, from its call to the returned function's: what the server's
// Go code costs a request, whatever else shares the machine's cores (the
// database runs in its own processes). The test's own client is counted.
func reportCPU(b *testing.B) func() {
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	return func() {
		var after syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &after) != nil || b.N == 0 {
			return
		}
		cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

func postChoice(b *testing.B, s server) {
	req := httptest.NewRequest(http.MethodPost, "/consent", strings.NewReader("action=accept_all&return_to=%2F"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	req.Header.Set("User-Agent", "wrk")
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Errorf("POST /consent: %d %s", rec.Code, rec.Body)
	}
}
