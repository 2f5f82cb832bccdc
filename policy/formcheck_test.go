package policy

import (
	"archive/zip"
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var checkNow = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func purpose(t testing.TB, key string) *Purpose {
	t.Helper()
	p, ok := mustDefault(t).Purpose(key)
	if !ok {
		t.Fatalf("no purpose %q", key)
	}
	return p
}

func TestCheckFormFields(t *testing.T) {
	validContact := url.Values{
		"last_name": {" Dupont "}, "first_name": {"Zoé"}, "email": {"Zoe@Example.FR"},
		"message": {"Bonjour,\r\nje voudrais…"}, "consent_processing": {"on"},
	}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for kk, vv := range validContact {
			out[kk] = vv
		}
		if v == "\x00delete" {
			delete(out, k)
		} else {
			out.Set(k, v)
		}
		return out
	}
	tests := []struct {
		name   string
		values url.Values
		field  string
		want   Problem // "" means valid, then value is checked
		value  string
	}{
		{"valid", validContact, "email", "", "Zoe@example.fr"},
		{"trimmed", validContact, "last_name", "", "Dupont"},
		{"crlf normalised", validContact, "message", "", "Bonjour,\nje voudrais…"},
		{"missing", with("last_name", "\x00delete"), "last_name", ProblemRequired, ""},
		{"blank", with("first_name", "   "), "first_name", ProblemRequired, ""},
		{"too long", with("first_name", strings.Repeat("é", 101)), "first_name", ProblemTooLong, ""},
		{"at the limit", with("first_name", strings.Repeat("é", 100)), "first_name", "", strings.Repeat("é", 100)},
		{"invalid utf-8", with("message", "a\xffb"), "message", ProblemBadText, ""},
		{"nul", with("message", "a\x00b"), "message", ProblemBadText, ""},
		{"escape", with("message", "a\x1b[2Jb"), "message", ProblemBadText, ""},
		{"bidi override", with("message", "abc\u202Edef"), "message", ProblemBadText, ""},
		{"newline in one-line field", with("last_name", "a\nb"), "last_name", ProblemOneLine, ""},
		{"email display name", with("email", "Zoé <z@example.fr>"), "email", ProblemEmail, ""},
		{"email no dot", with("email", "z@localhost"), "email", ProblemEmail, ""},
		{"email no at", with("email", "zexample.fr"), "email", ProblemEmail, ""},
		{"email too long", with("email", strings.Repeat("a", 250)+"@x.fr"), "email", ProblemTooLong, ""},
		{"xss kept as text", with("message", `<script>alert(1)</script>`), "message", "", `<script>alert(1)</script>`},
		{"undeclared ignored", with("password", "x"), "password", "", ""},
	}
	p := purpose(t, "contact")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := p.CheckForm(tt.values, nil, checkNow)
			if got := s.Problems[tt.field]; got != tt.want {
				t.Fatalf("problem = %q, want %q (all: %v)", got, tt.want, s.Problems)
			}
			if tt.want == "" && s.Values[tt.field] != tt.value {
				t.Errorf("value = %q, want %q", s.Values[tt.field], tt.value)
			}
			if tt.want != "" && s.Typed[tt.field] == "" && tt.values.Get(tt.field) != "" {
				t.Error("a refused value is not kept for the form")
			}
		})
	}
}

func TestCheckFormTypes(t *testing.T) {
	tests := []struct {
		purpose, field, value string
		want                  Problem
		stored                string
	}{
		{"appointment", "phone", "06 12 34 56 78", "", "+33612345678"},
		{"appointment", "phone", "+44 20 7946 0958", "", "+442079460958"},
		{"appointment", "phone", "12", ProblemPhone, ""},
		{"appointment", "phone", "call me", ProblemPhone, ""},
		{"appointment", "slot", "2026-11-03T09:30", "", "2026-11-03T09:30"},
		{"appointment", "slot", "2026-11-01T09:30", ProblemPast, ""},
		{"appointment", "slot", "2029-11-01T09:30", ProblemTooFar, ""},
		{"appointment", "slot", "tomorrow", ProblemDateTime, ""},
		{"recruitment", "age", "25", "", "25"},
		{"recruitment", "age", "15", ProblemRange, ""},
		{"recruitment", "age", "100", ProblemRange, ""},
		{"recruitment", "age", "2e1", ProblemNumber, ""},
		{"recruitment", "position", "internship", "", "internship"},
		{"recruitment", "position", "ceo", ProblemChoice, ""},
		{"rights", "right", "erasure", "", "erasure"},
	}
	for _, tt := range tests {
		t.Run(tt.purpose+"/"+tt.field+"/"+tt.value, func(t *testing.T) {
			s := purpose(t, tt.purpose).CheckForm(url.Values{tt.field: {tt.value}}, nil, checkNow)
			if got := s.Problems[tt.field]; got != tt.want {
				t.Fatalf("problem = %q, want %q", got, tt.want)
			}
			if s.Values[tt.field] != tt.stored {
				t.Errorf("stored %q, want %q", s.Values[tt.field], tt.stored)
			}
		})
	}
}

func TestCheckFormConsentsAndQuiz(t *testing.T) {
	t.Run("consent boxes", func(t *testing.T) {
		p := purpose(t, "ai_challenge")
		s := p.CheckForm(url.Values{"consent_sms": {"on"}, "consent_automated_calls": {"on"}}, nil, checkNow)
		want := map[string]bool{"processing": false, "sms": true, "whatsapp": false, "automated_calls": true, "offers_sms": false, "offers_whatsapp": false, "offers_automated_calls": false, "partner_transfer": false}
		for k, v := range want {
			if s.Consents[k] != v {
				t.Errorf("consent %s = %v, want %v", k, s.Consents[k], v)
			}
		}
		if s.Problems[ConsentField("processing")] != ProblemConsentRequired {
			t.Errorf("required consent unticked not refused: %v", s.Problems)
		}
	})
	t.Run("quiz score", func(t *testing.T) {
		p := purpose(t, "training")
		s := p.CheckForm(url.Values{"q_nocode": {"build"}, "q_lowcode": {"no_editor"}, "q_llm": {"text"}, "q_prompt": {"instruction"}}, nil, checkNow)
		if s.Score != 3 {
			t.Errorf("score %d, want 3", s.Score)
		}
		s = p.CheckForm(url.Values{"q_nocode": {"nope"}}, nil, checkNow)
		if s.Problems["q_nocode"] != ProblemChoice || s.Problems["q_llm"] != ProblemRequired {
			t.Errorf("quiz problems %v", s.Problems)
		}
	})
}

// docx builds a ZIP that mimetype recognises as a Word document, with
// extra entries of the given uncompressed sizes.
func docx(t testing.TB, sizes ...int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{"[Content_Types].xml": `<Types/>`, "word/document.xml": `<w:document/>`} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	for i, n := range sizes {
		w, err := zw.Create("word/media/blob" + string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(make([]byte, n))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckFile(t *testing.T) {
	cv, _ := purpose(t, "recruitment").Field("cv")
	elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), make([]byte, 200)...)
	pe := append([]byte("MZ\x90\x00"), make([]byte, 200)...)
	tests := []struct {
		name string
		data []byte
		want Problem
		mime string
	}{
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), "", "application/pdf"},
		{"docx", docx(t), "", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"elf renamed", elf, ProblemFileType, ""},
		{"windows exe renamed", pe, ProblemFileType, ""},
		{"html renamed", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), ProblemFileType, ""},
		{"empty", nil, ProblemFileEmpty, ""},
		{"too large", append([]byte("%PDF-1.7\n"), make([]byte, 5<<20)...), ProblemFileTooLarge, ""},
		{"zip bomb as docx", docx(t, 80<<20), ProblemFileArchive, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mime, got := CheckFile(cv, tt.data)
			if got != tt.want || mime != tt.mime {
				t.Errorf("CheckFile = %q, %q; want %q, %q", mime, got, tt.mime, tt.want)
			}
		})
	}
}

// FuzzCheckForm decodes arbitrary posts: the validator never panics, what it
// stores is valid UTF-8 without control characters and within the declared
// lengths, and what it shows back is printable.
func FuzzCheckForm(f *testing.F) {
	f.Add("contact", "email", "a@b.fr", "message", "hi\r\nthere")
	f.Add("appointment", "phone", "0612345678", "slot", "2026-12-01T10:00")
	f.Add("recruitment", "age", "-0", "position", "job")
	f.Add("training", "q_llm", "text", "course", "ai")
	f.Add("ai_challenge", "phone", "+33 6 12 34 56 78", "consent_sms", "\xff")
	reg := mustDefault(f)
	f.Fuzz(func(t *testing.T, key, k1, v1, k2, v2 string) {
		p, ok := reg.Purpose(key)
		if !ok {
			return
		}
		s := p.CheckForm(url.Values{k1: {v1}, k2: {v2}}, nil, checkNow)
		for name, v := range s.Values {
			if !utf8.ValidString(v) || checkText(v, true) != "" {
				t.Errorf("%s stored %q", name, v)
			}
			if fd, ok := p.Field(name); ok && fd.MaxLength > 0 && utf8.RuneCountInString(v) > fd.MaxLength {
				t.Errorf("%s longer than %d", name, fd.MaxLength)
			}
			if _, declared := p.Field(name); !declared && !strings.HasPrefix(name, "q_") {
				t.Errorf("undeclared %s stored", name)
			}
		}
		for name, v := range s.Typed {
			if !utf8.ValidString(v) {
				t.Errorf("%s shown back as invalid UTF-8", name)
			}
		}
	})
}
