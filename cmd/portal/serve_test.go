package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/models/testdb"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func serveEnv(t *testing.T) (addr, metricsAddr string) {
	t.Helper()
	urls := testdb.New(t)
	addr, metricsAddr = freeAddr(t), freeAddr(t)
	t.Setenv("DATABASE_URL", urls.App)
	t.Setenv("PORTAL_ADDR", addr)
	t.Setenv("PORTAL_BASE_URL", "http://"+addr)
	t.Setenv("PORTAL_METRICS_ADDR", metricsAddr)
	t.Setenv("PORTAL_KEYS_DIR", t.TempDir())
	t.Setenv("PORTAL_CREATE_KEYS", "1")
	t.Setenv("PORTAL_POLICY", "")
	return addr, metricsAddr
}

// Without a scanner the server does not start: it would store uploads
// unchecked. PORTAL_SCAN=off is the explicit development exception.
func TestServeRefusesToRunWithoutScanner(t *testing.T) {
	serveEnv(t)
	t.Setenv("CLAMD_ADDR", "")
	t.Setenv("PORTAL_SCAN", "")
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "CLAMD_ADDR") {
		t.Fatalf("serve without a scanner: %v", err)
	}
}

// On SIGTERM (the context ends) /readyz turns 503 at once while the site
// keeps answering for PORTAL_DRAIN_DELAY; a slow request in flight
// completes; serve returns nil (exit 0). /metrics is on its own listener.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	addr, metricsAddr := serveEnv(t)
	t.Setenv("PORTAL_SCAN", "off")
	t.Setenv("PORTAL_DRAIN_DELAY", "1500ms")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, io.Discard, &out) }()
	base := "http://" + addr
	status := func(url string) int {
		res, err := http.Get(url)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	deadline := time.Now().Add(20 * time.Second)
	for status(base+"/readyz") != 200 {
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := status(base + "/metrics"); got != 404 {
		t.Errorf("public /metrics: %d", got)
	}
	if got := status("http://" + metricsAddr + "/metrics"); got != 200 {
		t.Errorf("internal /metrics: %d", got)
	}

	// A slow request: its body trickles in over two seconds, across the
	// drain delay and the shutdown.
	pr, pw := io.Pipe()
	slow := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/consent", pr)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			slow <- 0
			return
		}
		res.Body.Close()
		slow <- res.StatusCode
	}()
	go func() {
		for _, part := range []string{"act", "ion=", "reject", "_all"} {
			_, _ = pw.Write([]byte(part))
			time.Sleep(500 * time.Millisecond)
		}
		pw.Close()
	}()
	time.Sleep(200 * time.Millisecond)

	cancel() // SIGTERM
	time.Sleep(200 * time.Millisecond)
	if got := status(base + "/readyz"); got != 503 {
		t.Errorf("/readyz while draining: %d, want 503", got)
	}
	if got := status(base + "/privacy"); got != 200 {
		t.Errorf("GET /privacy while draining: %d, want 200 (still serving)", got)
	}
	if got := <-slow; got != http.StatusSeeOther {
		t.Errorf("slow request in flight: %d, want 303", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v, want nil (exit 0)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return")
	}
	if got := status(base + "/healthz"); got != 0 {
		t.Errorf("listener still open after shutdown: %d", got)
	}
	// The request lines, written in batches, are all out once serve returns.
	if n := strings.Count(out.String(), `"msg":"request"`); n < 3 {
		t.Errorf("%d request lines logged by the time serve returned, want at least 3", n)
	}
}
