package policy

// The form validator lives here, beside the registry, because its rules are
// the registry's own declarations (required, max_length, min/max, options,
// accept, max_bytes): one generic check for every form, so that a form can
// never collect more, or less strictly, than the policy says (data
// minimisation, art. 5(1)(c); accuracy, art. 5(1)(d)). It returns problem
// codes, not sentences: what the visitor reads lives in views/.

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Problem is why one field was refused. views/ turns it into a sentence.
type Problem string

const (
	ProblemRequired        Problem = "required"
	ProblemTooLong         Problem = "too_long"
	ProblemBadText         Problem = "bad_text"    // not UTF-8, or control characters
	ProblemOneLine         Problem = "one_line"    // a line break in a one-line field
	ProblemEmail           Problem = "email"       // not a plain email address
	ProblemPhone           Problem = "phone"       // not a valid phone number
	ProblemNumber          Problem = "number"      // not a whole number
	ProblemRange           Problem = "range"       // outside min..max
	ProblemChoice          Problem = "choice"      // not one of the options
	ProblemDateTime        Problem = "datetime"    // not a date and time
	ProblemPast            Problem = "past"        // a time slot in the past
	ProblemTooFar          Problem = "too_far"     // a time slot more than a year ahead
	ProblemFileType        Problem = "file_type"   // content is not one of the accepted types
	ProblemFileTooLarge    Problem = "file_large"  // more than max_bytes
	ProblemFileArchive     Problem = "file_bomb"   // an office document whose archive expands beyond reason
	ProblemConsentRequired Problem = "consent"     // a required consent box left unticked
	ProblemFileEmpty       Problem = "file_empty"  // an empty file
	ProblemFileUnreadable  Problem = "file_broken" // a file the server could not read
	ProblemFileInfected    Problem = "file_virus"  // the malware scanner found something in it
	ProblemFileUnscanned   Problem = "file_noscan" // the malware scanner could not be reached: not stored unchecked
)

// DefaultRegion is the region of phone numbers written without a country
// code: the company and most visitors are in France.
const DefaultRegion = "FR"

// maxSlotAhead bounds a preferred time slot: a year ahead is already generous.
const maxSlotAhead = 366 * 24 * time.Hour

// DateTimeLayout is the value format of <input type="datetime-local">.
const DateTimeLayout = "2006-01-02T15:04"

// QuizScoreField is the key under which a quiz's score is stored with the
// record (the training purpose's admission prerequisite test).
const QuizScoreField = "quiz_score"

// ConsentField is the form field name of the consent box of kind.
func ConsentField(kind string) string { return "consent_" + kind }

// Upload is one file sent with a form, already read (within max_bytes + 1)
// by the HTTP layer.
type Upload struct {
	Name string // the file name the browser gave: never trusted, only stored encrypted
	Data []byte
	MIME string // detected from the content by CheckFile
}

// Submission is one form post after validation.
type Submission struct {
	// Typed are the values as the visitor typed them, made printable: a
	// refused form is shown again with every word in place.
	Typed map[string]string
	// Values are the normalised values to store (E.164 phone numbers,
	// trimmed text), declared fields and quiz answers only; empty optional
	// fields are left out.
	Values   map[string]string
	Consents map[string]bool // consent kind → ticked
	Files    map[string]Upload
	// Score is the number of right quiz answers (0 without a quiz).
	Score int
	// Problems by field name, quiz question name, or ConsentField(kind).
	Problems map[string]Problem
}

// OK reports whether the submission can be stored.
func (s *Submission) OK() bool { return len(s.Problems) == 0 }

// Identifier returns the normalised value of the first field that
// identifies the person by kind ("email" or "phone"), or "".
func (p *Purpose) Identifier(s *Submission, kind string) string {
	if p.Form == nil {
		return ""
	}
	for _, f := range p.Form.Fields {
		if f.Identifies == kind && s.Values[f.Name] != "" {
			return s.Values[f.Name]
		}
	}
	return ""
}

// CheckForm validates a post of the purpose's form. values holds the posted
// fields (first value of each name counts), files the uploads by field name.
// Undeclared names are ignored: nothing outside the registry is stored.
func (p *Purpose) CheckForm(values map[string][]string, files map[string]Upload, now time.Time) *Submission {
	s := &Submission{
		Typed:    map[string]string{},
		Values:   map[string]string{},
		Consents: map[string]bool{},
		Files:    map[string]Upload{},
		Problems: map[string]Problem{},
	}
	if p.Form == nil {
		return s
	}
	first := func(name string) string {
		if v := values[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	for i := range p.Form.Fields {
		f := &p.Form.Fields[i]
		if f.Type == FieldFile {
			up, ok := files[f.Name]
			if !ok || len(up.Data) == 0 && up.Name == "" {
				if f.Required {
					s.Problems[f.Name] = ProblemRequired
				}
				continue
			}
			mime, prob := CheckFile(f, up.Data)
			if prob != "" {
				s.Problems[f.Name] = prob
				continue
			}
			up.MIME = mime
			s.Files[f.Name] = up
			continue
		}
		raw := first(f.Name)
		s.Typed[f.Name] = printable(raw)
		v, prob := checkField(f, raw, now)
		if prob != "" {
			s.Problems[f.Name] = prob
		} else if v != "" {
			s.Values[f.Name] = v
		}
	}
	if q := p.Form.Quiz; q != nil {
		for _, qu := range q.Questions {
			raw := first(qu.Name)
			s.Typed[qu.Name] = printable(raw)
			switch {
			case raw == "":
				s.Problems[qu.Name] = ProblemRequired
			case !hasOption(qu.Options, raw):
				s.Problems[qu.Name] = ProblemChoice
			default:
				s.Values[qu.Name] = raw
				if raw == qu.Answer {
					s.Score++
				}
			}
		}
	}
	for _, c := range p.Form.Consents {
		// An unticked box sends nothing; any sent value means ticked. The
		// box is never ticked in advance (art. 4(11), CJEU Planet49).
		ticked := first(ConsentField(c.Kind)) != ""
		s.Consents[c.Kind] = ticked
		if c.Required && !ticked {
			s.Problems[ConsentField(c.Kind)] = ProblemConsentRequired
		}
	}
	return s
}

// CheckFields validates the posted values of the form's non-file fields
// with the very rules of CheckForm (a correction made for the person,
// art. 16): the values to store (empty for a cleared optional field) and
// the problems by field name. Fields not posted are left as they are.
func (p *Purpose) CheckFields(values map[string][]string, now time.Time) (map[string]string, map[string]Problem) {
	out, problems := map[string]string{}, map[string]Problem{}
	if p.Form == nil {
		return out, problems
	}
	for i := range p.Form.Fields {
		f := &p.Form.Fields[i]
		v, posted := values[f.Name]
		if f.Type == FieldFile || !posted || len(v) == 0 {
			continue
		}
		got, prob := checkField(f, v[0], now)
		if prob != "" {
			problems[f.Name] = prob
			continue
		}
		out[f.Name] = got
	}
	return out, problems
}

func hasOption(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// printable makes a typed value safe to show back: invalid UTF-8 becomes
// U+FFFD, so re-rendering a refused form never fails.
func printable(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// checkField validates and normalises one value.
func checkField(f *Field, raw string, now time.Time) (string, Problem) {
	if !utf8.ValidString(raw) {
		return "", ProblemBadText
	}
	// Browsers send CRLF for line breaks in a textarea; maxlength counts
	// each as one character, so count them the same way.
	v := strings.TrimSpace(strings.ReplaceAll(raw, "\r\n", "\n"))
	if v == "" {
		if f.Required {
			return "", ProblemRequired
		}
		return "", ""
	}
	if f.MaxLength > 0 && utf8.RuneCountInString(v) > f.MaxLength {
		return "", ProblemTooLong
	}
	if p := checkText(v, f.Type == FieldTextarea); p != "" {
		return "", p
	}
	switch f.Type {
	case FieldEmail:
		return CheckEmail(v)
	case FieldPhone:
		return CheckPhone(v)
	case FieldNumber:
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", ProblemNumber
		}
		if (f.Min != nil && n < *f.Min) || (f.Max != nil && n > *f.Max) {
			return "", ProblemRange
		}
		return strconv.Itoa(n), ""
	case FieldSelect:
		if !hasOption(f.Options, v) {
			return "", ProblemChoice
		}
	case FieldDateTime:
		t, err := time.ParseInLocation(DateTimeLayout, v, now.Location())
		if err != nil {
			return "", ProblemDateTime
		}
		if !t.After(now) {
			return "", ProblemPast
		}
		if t.Sub(now) > maxSlotAhead {
			return "", ProblemTooFar
		}
		return t.Format(DateTimeLayout), ""
	}
	return v, ""
}

// checkText refuses control characters (they hide text from the reader of
// the record, or break logs and exports) and, outside a textarea, line
// breaks. Tabs and, in a textarea, line feeds are ordinary.
func checkText(v string, multiline bool) Problem {
	for _, r := range v {
		switch {
		case r == '\n' && multiline, r == '\t':
		case r == '\n' || r == '\r':
			if multiline {
				return ProblemBadText // a lone CR
			}
			return ProblemOneLine
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return ProblemBadText
		case unicode.Is(unicode.Bidi_Control, r):
			// Bidirectional overrides can make a stored text read
			// differently from what it is ("Trojan Source").
			return ProblemBadText
		}
	}
	return ""
}

// CheckEmail accepts a plain address (no display name, no comments), at
// most 254 characters (RFC 5321), whose domain has a dot; it returns the
// address with its domain lowercased.
func CheckEmail(v string) (string, Problem) {
	if len(v) > 254 || strings.ContainsAny(v, " <>\"(),;\\") {
		return "", ProblemEmail
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return "", ProblemEmail
	}
	at := strings.LastIndexByte(v, '@')
	local, domain := v[:at], v[at+1:]
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", ProblemEmail
	}
	return local + "@" + strings.ToLower(domain), ""
}

// CheckPhone parses a phone number, French by default, and returns it in
// E.164 ("+33612345678"), the form blind indexes are computed on.
func CheckPhone(v string) (string, Problem) {
	n, err := phonenumbers.Parse(v, DefaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", ProblemPhone
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}
