package handlers_test

import (
	"regexp"
	"strings"
	"testing"
)

var (
	metaDescRE  = regexp.MustCompile(`<meta name="description" content="[^"]{20,}"`)
	iconRE      = regexp.MustCompile(`<link rel="icon" href="/static/favicon\.svg\?v=[0-9a-f]+" type="image/svg\+xml"`)
	inertSrcRE  = regexp.MustCompile(`<script[^>]*type="text/plain"[^>]*\ssrc=`)
	inertSrc2RE = regexp.MustCompile(`<script[^>]*\ssrc=[^>]*type="text/plain"`)
)

// Every public page has a meta description and the site's icon, and no
// gated script carries a src (HTML forbids src on a data block).
func TestPublicPagesHead(t *testing.T) {
	s := newServer(t, nil)
	paths := []string{"/", "/privacy", "/cookies", "/cookies/preferences"}
	for _, p := range s.reg.FormPurposes() {
		paths = append(paths, p.Form.Path)
	}
	for _, path := range paths {
		res, body := get(t, s, path)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, res.StatusCode)
			continue
		}
		if !metaDescRE.MatchString(body) {
			t.Errorf("GET %s: no meta description", path)
		}
		if !iconRE.MatchString(body) {
			t.Errorf("GET %s: no icon link", path)
		}
		if inertSrcRE.MatchString(body) || inertSrc2RE.MatchString(body) {
			t.Errorf("GET %s: an inert script has a src attribute", path)
		}
	}
	res, body := get(t, s, "/favicon.ico")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body, "<svg") {
		t.Errorf("GET /favicon.ico: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
