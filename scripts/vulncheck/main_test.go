package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const stream = `{"config":{"protocol_version":"v1.0.0","scanner_name":"govulncheck","scanner_version":"v1.9.0","db":"file:///db","go_version":"go1.27.3","scan_level":"symbol"}}
{"progress":{"message":"Scanning your code"}}
{"osv":{"id":"GO-2026-0001","summary":"called"}}
{"osv":{"id":"GO-2026-0002","summary":"imported only"}}
{"finding":{"osv":"GO-2026-0001","trace":[{"module":"example.com/m","version":"v1.0.0"}]}}
{"finding":{"osv":"GO-2026-0001","fixed_version":"v1.0.1","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/p","function":"Bad"},{"module":"github.com/alegria/privacy-portal","package":"github.com/alegria/privacy-portal/handlers","function":"New"}]}}
{"finding":{"osv":"GO-2026-0002","trace":[{"module":"example.com/n","version":"v2.0.0","package":"example.com/n"}]}}
`

func TestVulncheck(t *testing.T) {
	tests := []struct {
		name, exceptions, wantErr, wantOut string
	}{
		{"called and not excepted fails", "", "GO-2026-0001", "FOUND     GO-2026-0001"},
		{"excepted with a reason passes", "GO-2026-0001 the portal never passes user input to Bad\n", "", "a fix exists (v1.0.1)"},
		{"a reason is required", "GO-2026-0001\n", "real reason", ""},
		{"a stale exception is reported", "GO-2026-0001 the portal never passes user input to Bad\nGO-2026-0002 imported only, never called by the portal\n", "", "stale     GO-2026-0002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "exceptions.txt")
			if err := os.WriteFile(path, []byte(tt.exceptions), 0o600); err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			err := run([]string{"-exceptions", path}, strings.NewReader(stream), &out)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v\n%s", err, out.String())
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out.String())
			}
			if strings.Contains(out.String(), "FOUND     GO-2026-0002") {
				t.Errorf("an advisory whose code is not called must not fail the check:\n%s", out.String())
			}
		})
	}
}

func TestNoGovulncheckOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exceptions.txt")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-exceptions", path}, strings.NewReader(""), new(strings.Builder)); err == nil {
		t.Fatal("empty input must fail: govulncheck did not run")
	}
}
