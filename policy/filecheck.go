package policy

import (
	"archive/zip"
	"bytes"
	"slices"

	"github.com/gabriel-vasile/mimetype"
)

// Limits on the archives inside office documents (DOCX and ODT are ZIP
// files). Only the declared sizes of the central directory are read, never
// decompressed, so a zip bomb costs the server nothing: a CV has a few dozen
// parts and expands to a few megabytes at most.
const (
	maxArchiveEntries      = 1000
	maxArchiveUncompressed = 64 << 20 // bytes, all entries together
	maxArchiveRatio        = 200      // declared uncompressed / compressed, per large entry
)

// CheckFile checks an upload for field f from its content, never its name:
// size within max_bytes, MIME type detected by content among f.Accept, and
// for ZIP-based documents a central directory within the limits above. It
// returns the detected MIME type.
func CheckFile(f *Field, data []byte) (string, Problem) {
	if len(data) == 0 {
		return "", ProblemFileEmpty
	}
	if f.MaxBytes > 0 && int64(len(data)) > f.MaxBytes {
		return "", ProblemFileTooLarge
	}
	m := mimetype.Detect(data)
	accepted := ""
	for mt := m; mt != nil; mt = mt.Parent() {
		if slices.Contains(f.Accept, mt.String()) {
			accepted = mt.String()
			break
		}
	}
	if accepted == "" {
		return "", ProblemFileType
	}
	if m.Is("application/zip") || isZipBased(m) {
		if p := checkArchive(data); p != "" {
			return "", p
		}
	}
	return accepted, ""
}

func isZipBased(m *mimetype.MIME) bool {
	for mt := m; mt != nil; mt = mt.Parent() {
		if mt.Is("application/zip") {
			return true
		}
	}
	return false
}

// checkArchive reads the declared sizes of a ZIP's central directory.
func checkArchive(data []byte) Problem {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ProblemFileUnreadable
	}
	if len(zr.File) > maxArchiveEntries {
		return ProblemFileArchive
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > maxArchiveUncompressed {
			return ProblemFileArchive
		}
		if zf.UncompressedSize64 > 1<<20 && zf.UncompressedSize64 > maxArchiveRatio*max(zf.CompressedSize64, 1) {
			return ProblemFileArchive
		}
	}
	return ""
}
