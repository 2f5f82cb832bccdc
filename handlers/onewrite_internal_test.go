package handlers

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
)

// A page leaves the server in one write whatever its size (up to
// maxHeldPage), byte for byte as sent, on a kept-alive connection, for GET
// and HEAD; a larger one is sent as net/http sends it.
func TestPageLeavesInOneWrite(t *testing.T) {
	e := echo.New()
	e.Pre(headAsGet)
	e.GET("/page", func(c echo.Context) error {
		n, _ := strconv.Atoi(c.QueryParam("n"))
		return sendPage(c, http.StatusOK, pageOf(n))
	})
	var mu sync.Mutex
	var conns []*pageConn
	srv := &http.Server{Handler: e, ConnContext: func(ctx context.Context, c net.Conn) context.Context {
		if pc, ok := c.(*pageConn); ok {
			mu.Lock()
			conns = append(conns, pc)
			mu.Unlock()
		}
		return ConnContext(ctx, c)
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(Listener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections)
	base := "http://" + ln.Addr().String() + "/page?n="

	// writes is the count of the one connection kept alive (0 before it).
	writes := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		switch len(conns) {
		case 0:
			return 0
		case 1:
			return conns[0].writes.Load()
		}
		t.Fatalf("%d connections, want the one kept alive", len(conns))
		return 0
	}
	for _, n := range []int{0, 1, 3000, 3500, 4000, 4096, 5000, 8192, 9313, 33182, maxHeldPage} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, base+strconv.Itoa(n), nil)
			before := writes()
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			_ = res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := pageOf(n)
			if method == http.MethodHead {
				want = nil
			}
			if res.StatusCode != http.StatusOK || res.ContentLength != int64(n) || !bytes.Equal(body, want) {
				t.Errorf("%s %d bytes: status %d, length %d, body of %d bytes (equal: %v)",
					method, n, res.StatusCode, res.ContentLength, len(body), bytes.Equal(body, want))
			}
			if got := writes() - before; got != 1 {
				t.Errorf("%s %d bytes: %d writes, want 1", method, n, got)
			}
		}
	}
	// Past the bound, net/http's own writes (more than one).
	before := writes()
	res, err := client.Get(base + strconv.Itoa(maxHeldPage+1))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if !bytes.Equal(body, pageOf(maxHeldPage+1)) {
		t.Errorf("a page past the bound: %d bytes, not the page", len(body))
	}
	if got := writes() - before; got < 2 {
		t.Errorf("a page past the bound: %d writes, want net/http's own (more than one)", got)
	}
}

// pageOf is n bytes of a page, each position's own.
func pageOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26) //nolint:gosec // i%26 is below 26
	}
	return b
}
