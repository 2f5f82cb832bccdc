// Package static embeds the site's assets and serves them fingerprinted,
// gzipped once ahead of time and cached for a year.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed css/app.css js/*.js favicon.svg
var files embed.FS

type asset struct {
	body, gz    []byte
	hash, ctype string
}

var (
	once   sync.Once
	assets map[string]*asset // keyed by path below static/, e.g. "css/app.css"
)

// load reads and compresses every embedded file once. The files never change
// in a running binary, so this is a cache, not configuration.
func load() {
	assets = map[string]*asset{}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, hash: hex.EncodeToString(sum[:6]), ctype: mime.TypeByExtension(path.Ext(p))}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if buf.Len() < len(body) {
			a.gz = buf.Bytes()
		}
		assets[p] = a
		return nil
	})
}

func lookup(name string) (*asset, bool) {
	once.Do(load)
	a, ok := assets[strings.TrimPrefix(name, "/static/")]
	return a, ok
}

// URL returns the fingerprinted URL of an asset ("/static/css/app.css" →
// "/static/css/app.css?v=…"), so it can be cached forever and still change
// with each release.
func URL(name string) string {
	if a, ok := lookup(name); ok {
		return name + "?v=" + a.hash
	}
	return name
}

// Favicon serves /favicon.ico, which browsers ask for on their own, with the
// site's SVG icon (the pages link it as /static/favicon.svg).
func Favicon() http.Handler {
	h := Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawQuery = "/static/favicon.svg", ""
		h.ServeHTTP(w, r2)
	})
}

// Handler serves GET /static/*. A request carrying the current fingerprint is
// immutable for a year; anything else is revalidated.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := lookup(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", `"`+a.hash+`"`)
		h.Set("Vary", "Accept-Encoding")
		if r.URL.Query().Get("v") == a.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=0, must-revalidate")
		}
		if r.Header.Get("If-None-Match") == `"`+a.hash+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := a.body
		if a.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
		_, _ = w.Write(body)
	})
}
