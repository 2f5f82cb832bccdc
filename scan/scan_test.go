package scan_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/scan"
)

// eicar is the EICAR anti-virus test file, assembled at run time so that
// this source file does not itself carry the signature.
var eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$` + `EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// clamd is the private daemon scripts/test.sh starts with the project's
// EICAR signature (scan/testdata/eicar.ndb).
func clamd(t *testing.T) *scan.Clamd {
	t.Helper()
	addr := os.Getenv("CLAMD_ADDR")
	if addr == "" {
		t.Fatal("CLAMD_ADDR is not set: run the tests with `make test`, which starts a private clamd")
	}
	return scan.NewClamd(addr)
}

func TestClamdVerdicts(t *testing.T) {
	c := clamd(t)
	pdf, err := os.ReadFile("testdata/clean.pdf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		body     []byte
		infected bool
	}{
		{"eicar alone", []byte(eicar), true},
		{"eicar inside a larger file", append(append(bytes.Repeat([]byte("x"), 200<<10), eicar...), '\n'), true},
		{"clean pdf", pdf, false},
		{"empty file", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := c.Scan(context.Background(), bytes.NewReader(tt.body))
			if !tt.infected {
				if err != nil || v.Infected {
					t.Fatalf("clean file: verdict %+v, error %v", v, err)
				}
				return
			}
			var inf *scan.InfectedError
			if !errors.As(err, &inf) || !v.Infected {
				t.Fatalf("infected file: verdict %+v, error %v; want an *InfectedError", v, err)
			}
			if !strings.Contains(inf.Signature, "Portal.Test.EICAR") || v.Signature != inf.Signature {
				t.Errorf("signature %q / %q, want Portal.Test.EICAR…", v.Signature, inf.Signature)
			}
			if errors.Is(err, scan.ErrUnavailable) {
				t.Errorf("an infected file must not read as scanner unavailable: %v", err)
			}
		})
	}
}

func TestClamdPing(t *testing.T) {
	if err := clamd(t).Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestClamdTooLarge(t *testing.T) {
	c := clamd(t)
	c.MaxSize = 100 << 10
	_, err := c.Scan(context.Background(), bytes.NewReader(make([]byte, 200<<10)))
	if !errors.Is(err, scan.ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}

func TestScannerDown(t *testing.T) {
	// A port nobody listens on: take one, then free it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	c := scan.NewClamd(addr)
	start := time.Now()
	v, err := c.Scan(context.Background(), strings.NewReader(eicar))
	if !errors.Is(err, scan.ErrUnavailable) || v.Infected {
		t.Fatalf("verdict %+v, error %v; want ErrUnavailable", v, err)
	}
	var inf *scan.InfectedError
	if errors.As(err, &inf) {
		t.Errorf("a scanner that is down must not read as infected: %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v to notice the scanner is down", time.Since(start))
	}
	if err := c.Ping(context.Background()); !errors.Is(err, scan.ErrUnavailable) {
		t.Errorf("Ping: %v, want ErrUnavailable", err)
	}
}

func TestScannerHangs(t *testing.T) {
	// Accepts connections and never answers: the deadline must end the scan.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c := scan.NewClamd(l.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Scan(ctx, strings.NewReader("hello"))
	if !errors.Is(err, scan.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v; the context allowed 300ms", d)
	}
}
