package policy

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// PolicyVersion is one published version of the policy, as the registry's
// history records it (art. 12(1), 13(3): people are told what changed).
type PolicyVersion struct {
	Version  string `yaml:"version"`
	Date     string `yaml:"date"`     // effective date, YYYY-MM-DD
	Summary  Text   `yaml:"summary"`  // what changed, in plain words
	Material bool   `yaml:"material"` // a material change: consent is asked again and people are told
}

// versionRE keeps a version usable as a file name and a URL segment.
var versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$`)

//go:embed versions
var embeddedVersions embed.FS

// ErrNoSuchVersion means the history lists no such version.
var ErrNoSuchVersion = errors.New("policy: no such version")

// versionsDir is where past snapshots live beside a registry file.
const versionsDir = "versions"

// snapshotsFor is the directory of past snapshots that goes with a registry
// file: the embedded one for the embedded registry, versions/ beside it for
// a file given with PORTAL_POLICY.
func snapshotsFor(path string) fs.FS {
	if path == "" {
		sub, err := fs.Sub(embeddedVersions, versionsDir)
		if err != nil {
			panic(err) // the embedded directory is there at build time
		}
		return sub
	}
	return os.DirFS(filepath.Join(filepath.Dir(path), versionsDir))
}

// Versions lists the published versions, newest first.
func (r *Registry) Versions() []PolicyVersion {
	out := make([]PolicyVersion, 0, len(r.History))
	for i := len(r.History) - 1; i >= 0; i-- {
		out = append(out, r.History[i])
	}
	return out
}

// PolicyAt returns the registry as it stood at version: r itself for the
// current version, else its stored snapshot.
func (r *Registry) PolicyAt(version string) (*Registry, error) {
	if version == r.Version {
		return r, nil
	}
	found := false
	for _, h := range r.History {
		found = found || h.Version == version
	}
	if !found || !versionRE.MatchString(version) {
		return nil, ErrNoSuchVersion
	}
	if r.snapshots == nil {
		return nil, fmt.Errorf("policy: version %s: no snapshots for this registry", version)
	}
	name := version + ".yaml"
	data, err := fs.ReadFile(r.snapshots, name)
	if err != nil {
		return nil, fmt.Errorf("policy: version %s: %w", version, err)
	}
	past, err := Parse(data, filepath.Join(versionsDir, name))
	if err != nil {
		return nil, err
	}
	if past.Version != version {
		return nil, fmt.Errorf("policy: %s/%s holds version %q", versionsDir, name, past.Version)
	}
	past.snapshots = r.snapshots
	return past, nil
}

// Previous is the version published before version, or "" for the first.
func (r *Registry) Previous(version string) string {
	for i, h := range r.History {
		if h.Version == version && i > 0 {
			return r.History[i-1].Version
		}
	}
	return ""
}

// checkSnapshots loads every past version's snapshot, so a missing or
// invalid one stops the start-up instead of a visitor's page.
func (r *Registry) checkSnapshots() error {
	var errs []error
	for _, h := range r.History {
		if h.Version == r.Version {
			continue
		}
		past, err := r.PolicyAt(h.Version)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if past.Date != h.Date {
			errs = append(errs, fmt.Errorf("policy: version %s: the snapshot's date %s is not the history's %s", h.Version, past.Date, h.Date))
		}
	}
	return errors.Join(errs...)
}

// Embedded is the embedded registry file (tests build other versions from it).
func Embedded() []byte { return append([]byte(nil), embedded...) }
