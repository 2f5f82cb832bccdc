package policy

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanFileName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"cv.pdf", "cv.pdf"},
		{`C:\Users\me\cv.pdf`, "cv.pdf"},
		{"../../etc/passwd", "passwd"},
		{"a\"b'c`.pdf", "a_b_c_.pdf"},
		{"cv\u202efdp.exe", "cvfdp.exe"},
		{"line\r\nbreak\x00.pdf", "linebreak.pdf"},
		{"tab\there.pdf", "tab here.pdf"},
		{"\xff\xfe.pdf", "pdf"},
		{"  ..hidden  ", "hidden"},
		{"", "file"},
		{"/", "file"},
		{"Lettre de motivation — Émilie.odt", "Lettre de motivation — Émilie.odt"},
	} {
		if got := CleanFileName(c.in); got != c.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// A cut that ends on spaces or dots is trimmed too, so cleaning is idempotent.
	for _, in := range []string{"a" + strings.Repeat("\t", 300) + "b", "a" + strings.Repeat(" .", 200) + "b.pdf"} {
		if got := CleanFileName(in); got != "a" && got != "a.pdf" {
			t.Errorf("CleanFileName(a, 300 blanks, b) = %q, want the blanks cut and trimmed", got)
		}
	}
	long := CleanFileName(strings.Repeat("é", 200<<10) + ".pdf")
	if len(long) > MaxFileNameBytes || !utf8.ValidString(long) || !strings.HasSuffix(long, ".pdf") {
		t.Errorf("a 200 KB name became %d bytes, valid %v, %q…", len(long), utf8.ValidString(long), long[len(long)-8:])
	}
}

// FuzzCleanFileName: whatever the browser sends, the stored name is short,
// valid UTF-8, one path element, without control characters or quotes.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"cv.pdf", `a\b/c`, "\x00", "\u202e", strings.Repeat("x", 300) + ".docx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := CleanFileName(in)
		if out == "" || len(out) > MaxFileNameBytes || !utf8.ValidString(out) || strings.ContainsAny(out, "/\\\"'\x00\r\n") {
			t.Fatalf("CleanFileName(%q) = %q", in, out)
		}
		if CleanFileName(out) != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, CleanFileName(out))
		}
	})
}
