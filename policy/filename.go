package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFileNameBytes caps an uploaded file's name: a name is shown to staff
// and sent back in Content-Disposition, and no file system needs more.
const MaxFileNameBytes = 255

// CleanFileName is the name of an upload as it is stored and sent back: the
// last path element only (browsers may send a whole path), without control
// or invisible formatting characters (a right-to-left override can disguise
// "cv<U+202E>fdp.exe"), quotes or path separators, trimmed, and cut to
// MaxFileNameBytes on a character boundary, keeping a short extension.
// An empty result is "file".
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '"' || r == '\'' || r == '`' || r == '/' || r == '\\':
			return '_'
		case r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			return -1
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if len(name) > MaxFileNameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		// The cut may end on spaces or dots, or leave only the extension:
		// trim again so that cleaning a clean name changes nothing.
		stem := strings.TrimRight(truncateUTF8(name[:len(name)-len(ext)], MaxFileNameBytes-len(ext)), " .")
		name = strings.Trim(stem+ext, " .")
	}
	if name == "" {
		return "file"
	}
	return name
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
