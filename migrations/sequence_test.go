package migrations

import (
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"
)

// goose refuses a migration numbered below one already applied, so numbers
// with gaps reserved for later would break every existing database the day a
// gap is filled. Migrations form one sequence: 1, 2, 3, … with no gap.
func TestMigrationsFormOneSequence(t *testing.T) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no migrations embedded")
	}
	for i, name := range names {
		v, err := goose.NumericComponent(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := int64(i + 1); v != want {
			t.Errorf("%s has version %d, want %d: the next migration takes the next number", name, v, want)
		}
	}
}
