package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/internal/policyfixture"
	"github.com/alegria/privacy-portal/policy"
)

// The registry keeps its history: each past version is readable from its
// snapshot, and a history that names a version without one stops the start.
func TestPolicyHistory(t *testing.T) {
	cur, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	if vs := cur.Versions(); len(vs) == 0 || vs[0].Version != cur.Version || vs[0].Summary.IsZero() {
		t.Fatalf("embedded history: %+v", vs)
	}

	path := policyfixture.TwoVersions(t)
	reg, err := policy.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	vs := reg.Versions()
	if len(vs) != 2 || vs[0].Version != policyfixture.NewVersion || !vs[0].Material || vs[1].Version != cur.Version {
		t.Fatalf("versions, newest first: %+v", vs)
	}
	if reg.Previous(policyfixture.NewVersion) != cur.Version || reg.Previous(cur.Version) != "" {
		t.Error("Previous")
	}
	past, err := reg.PolicyAt(cur.Version)
	if err != nil {
		t.Fatal(err)
	}
	contact := func(r *policy.Registry) int { p, _ := r.Purpose("contact"); return p.Retention.Years }
	if past.Version != cur.Version || contact(past) != 3 || contact(reg) != 2 {
		t.Errorf("past %s keeps %d years, current %d", past.Version, contact(past), contact(reg))
	}
	for _, bad := range []string{"2025.9", "../registry", ""} {
		if _, err := reg.PolicyAt(bad); err == nil {
			t.Errorf("PolicyAt(%q) succeeded", bad)
		}
	}

	// A past version without its snapshot: the registry does not load.
	if err := os.Remove(filepath.Join(filepath.Dir(path), "versions", cur.Version+".yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Load(path); err == nil || !strings.Contains(err.Error(), cur.Version) {
		t.Errorf("missing snapshot: %v", err)
	}
}

// The history's last entry is the registry's own version.
func TestHistoryMustEndWithThisVersion(t *testing.T) {
	data := strings.Replace(string(policy.Embedded()), "    material: false\n\ncontroller:", "    material: true\n\ncontroller:", 1)
	_, err := policy.Parse([]byte(data), "registry.yaml")
	if err == nil || !strings.Contains(err.Error(), "the last version must be this one") {
		t.Errorf("history ending with another materiality: %v", err)
	}
	data = strings.Replace(string(policy.Embedded()), "      en: The first version kept in this history.\n", "", 1)
	if _, err := policy.Parse([]byte(data), "registry.yaml"); err == nil || !strings.Contains(err.Error(), "history[0].summary") {
		t.Errorf("history without a summary: %v", err)
	}
}
