package models

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alegria/privacy-portal/policy"
)

// Lists show masked values only (data minimisation, art. 5(1)(c) and 25):
// enough to tell rows apart, not enough to read someone's details over a
// shoulder. The full record is one logged click away.

// MaskEmail keeps the first letter of the local part and the domain:
// "jeanne.dupont@example.com" → "j***@example.com".
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return MaskText(s)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***" + s[at:]
}

// MaskText keeps the initials of each word: "Jeanne Marie" → "J. M.".
func MaskText(s string) string {
	var parts []string
	for _, w := range strings.Fields(s) {
		r, _ := utf8.DecodeRuneInString(w)
		parts = append(parts, string(unicode.ToUpper(r))+".")
	}
	return strings.Join(parts, " ")
}

// MaskPhone keeps the last two digits: "06 12 34 56 78" → "•• •• •• •• 78".
func MaskPhone(s string) string {
	var digits []rune
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits = append(digits, r)
		}
	}
	if len(digits) < 4 {
		return "••"
	}
	return "•• •• •• •• " + string(digits[len(digits)-2:])
}

// MaskField masks one value according to its field's type.
func MaskField(f policy.Field, v string) string {
	if v == "" {
		return ""
	}
	switch {
	case f.Type == policy.FieldEmail || f.Identifies == "email":
		return MaskEmail(v)
	case f.Type == policy.FieldPhone || f.Identifies == "phone":
		return MaskPhone(v)
	}
	return MaskText(v)
}

// NeutraliseCSV defuses a cell a spreadsheet would run as a formula
// (CSV injection, OWASP): a leading = + - @, tab or carriage return gets a
// leading apostrophe.
func NeutraliseCSV(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
