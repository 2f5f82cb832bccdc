package vault

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

func mustEphemeral(t testing.TB) *Vault {
	t.Helper()
	v, err := NewEphemeral()
	if err != nil {
		t.Fatalf("NewEphemeral: %v", err)
	}
	return v
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	v := mustEphemeral(t)
	tests := []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"field", []byte(`{"first_name":"Zoé"}`), []byte("record:42|fields")},
		{"empty plaintext", []byte{}, []byte("record:42|fields")},
		{"nil associated data", []byte("hello"), nil},
		{"1 MiB file", bytes.Repeat([]byte{0xAB}, 1<<20), []byte("attachment:7")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := v.Encrypt(tt.plaintext, tt.ad)
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			if len(tt.plaintext) > 0 && bytes.Contains(ct, tt.plaintext) {
				t.Fatal("ciphertext contains the plaintext")
			}
			id, ok := KeyIDOf(ct)
			if !ok || id != v.PrimaryKeyID() {
				t.Fatalf("KeyIDOf = %d, %v; want %d, true", id, ok, v.PrimaryKeyID())
			}
			pt, err := v.Decrypt(ct, tt.ad)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(pt, tt.plaintext) {
				t.Fatalf("Decrypt = %q, want %q", pt, tt.plaintext)
			}
		})
	}
	t.Run("two encryptions differ", func(t *testing.T) {
		a, _ := v.Encrypt([]byte("same"), nil)
		b, _ := v.Encrypt([]byte("same"), nil)
		if bytes.Equal(a, b) {
			t.Fatal("equal ciphertexts for equal plaintexts: nonce reuse?")
		}
	})
}

func TestDecryptFailures(t *testing.T) {
	t.Parallel()
	v := mustEphemeral(t)
	other := mustEphemeral(t)
	ad := []byte("record:42|email")
	ct, err := v.Encrypt([]byte("jo@example.com"), ad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name string
		v    *Vault
		ct   []byte
		ad   []byte
	}{
		{"other row", v, ct, []byte("record:43|email")},
		{"other field", v, ct, []byte("record:42|phone")},
		{"missing associated data", v, ct, nil},
		{"tampered prefix version", v, flip(0), ad},
		{"tampered key id", v, flip(2), ad},
		{"tampered nonce", v, flip(tinkPrefixSize), ad},
		{"tampered body", v, flip(tinkPrefixSize + 12), ad},
		{"tampered tag", v, flip(len(ct) - 1), ad},
		{"truncated", v, ct[:len(ct)-1], ad},
		{"prefix only", v, ct[:tinkPrefixSize], ad},
		{"empty", v, nil, ad},
		{"other keyset", other, ct, ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := tt.v.Decrypt(tt.ct, tt.ad)
			if err == nil {
				t.Fatalf("Decrypt succeeded: %q", pt)
			}
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("error %v does not wrap ErrDecrypt", err)
			}
		})
	}
}

func TestBlindIndex(t *testing.T) {
	t.Parallel()
	v := mustEphemeral(t)
	tests := []struct {
		name           string
		kindA, valueA  string
		kindB, valueB  string
		wantSameTagged bool
	}{
		{"email case and spaces", KindEmail, "  John@Example.COM ", KindEmail, "john@example.com", true},
		{"email plus-addressing kept", KindEmail, "john+news@example.com", KindEmail, "john@example.com", false},
		{"phone spaces", KindPhone, " +33 6 12 34 56 78 ", KindPhone, "+33612345678", true},
		{"different kinds", KindEmail, "john@example.com", KindPhone, "john@example.com", false},
		{"different emails", KindEmail, "john@example.com", KindEmail, "jane@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := v.BlindIndex(tt.kindA, tt.valueA)
			b := v.BlindIndex(tt.kindB, tt.valueB)
			if len(a) != blindIndexSize || len(b) != blindIndexSize {
				t.Fatalf("tag sizes %d, %d; want %d", len(a), len(b), blindIndexSize)
			}
			if got := bytes.Equal(a, b); got != tt.wantSameTagged {
				t.Fatalf("equal tags = %v, want %v", got, tt.wantSameTagged)
			}
		})
	}
	t.Run("kind with colon panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic for kind \"a:b\"")
			}
		}()
		v.BlindIndex("a:b", "c")
	})
	t.Run("keyed", func(t *testing.T) {
		other := mustEphemeral(t)
		if bytes.Equal(v.BlindIndex(KindEmail, "a@b.c"), other.BlindIndex(KindEmail, "a@b.c")) {
			t.Fatal("two keysets give the same tag")
		}
	})
}

func TestNormaliseEmail(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"  John@Example.COM ", "john@example.com"},
		{"Jo+Promo@Example.com", "jo+promo@example.com"},
		{"\tÉLODIE@exemple.fr\n", "élodie@exemple.fr"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormaliseEmail(tt.in); got != tt.want {
				t.Fatalf("NormaliseEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKeyIDOf(t *testing.T) {
	t.Parallel()
	valid := append([]byte{0x01, 0x00, 0x00, 0x30, 0x39}, make([]byte, 28)...)
	tests := []struct {
		name   string
		ct     []byte
		wantID uint32
		wantOK bool
	}{
		{"tink prefix", valid, 12345, true},
		{"nil", nil, 0, false},
		{"too short", valid[:minCiphertextSize-1], 0, false},
		{"legacy prefix", append([]byte{0x00}, valid[1:]...), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := KeyIDOf(tt.ct)
			if id != tt.wantID || ok != tt.wantOK {
				t.Fatalf("KeyIDOf = %d, %v; want %d, %v", id, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

func TestOpenOrCreateFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	v, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatalf("OpenOrCreate: %v", err)
	}
	tests := []struct {
		name string
		path string
		want fs.FileMode
	}{
		{"dir", dir, 0o700 | fs.ModeDir},
		{"aead keyset", filepath.Join(dir, AEADKeysetFile), 0o600},
		{"mac keyset", filepath.Join(dir, MACKeysetFile), 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fi, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != tt.want {
				t.Fatalf("mode %v, want %v", fi.Mode(), tt.want)
			}
		})
	}
	t.Run("no temporary files left", func(t *testing.T) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Fatalf("left over %s", e.Name())
			}
		}
	})
	t.Run("reopen keeps the keys", func(t *testing.T) {
		ct, err := v.Encrypt([]byte("secret"), []byte("ad"))
		if err != nil {
			t.Fatal(err)
		}
		for _, open := range []func(string) (*Vault, error){Open, OpenOrCreate} {
			again, err := open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if pt, err := again.Decrypt(ct, []byte("ad")); err != nil || string(pt) != "secret" {
				t.Fatalf("Decrypt after reopen = %q, %v", pt, err)
			}
			if !bytes.Equal(again.BlindIndex(KindEmail, "a@b.c"), v.BlindIndex(KindEmail, "a@b.c")) {
				t.Fatal("blind index changed after reopen")
			}
			if again.PrimaryKeyID() != v.PrimaryKeyID() {
				t.Fatal("primary key changed after reopen")
			}
		}
	})
	t.Run("cleartext keysets are Tink JSON", func(t *testing.T) {
		f, err := os.Open(filepath.Join(dir, AEADKeysetFile))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(f)); err != nil {
			t.Fatalf("aead.json is not a cleartext keyset: %v", err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := Open(missing); err == nil || !errors.Is(err, fs.ErrNotExist) ||
		!strings.Contains(err.Error(), "keys directory") || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Open(missing dir) error = %v; want a clear not-exist error naming the directory", err)
	}
	if err := Rotate(missing, Options{}); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Rotate(missing dir) error = %v", err)
	}

	tests := []struct {
		name    string
		keep    string // the only keyset file left in place
		wantErr string
	}{
		{"only aead.json", AEADKeysetFile, "only one of"},
		{"only mac.json", MACKeysetFile, "only one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := OpenOrCreate(dir); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{AEADKeysetFile, MACKeysetFile} {
				if f != tt.keep {
					if err := os.Remove(filepath.Join(dir, f)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, err := Open(dir); err == nil || !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Open error = %v, want not-exist", err)
			}
			if _, err := OpenOrCreate(dir); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("OpenOrCreate error = %v, want %q", err, tt.wantErr)
			}
		})
	}
	t.Run("empty dir", func(t *testing.T) {
		if _, err := Open(t.TempDir()); err == nil || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open(empty dir) error = %v", err)
		}
	})
	t.Run("swapped keysets", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := OpenOrCreate(dir); err != nil {
			t.Fatal(err)
		}
		a, m := filepath.Join(dir, AEADKeysetFile), filepath.Join(dir, MACKeysetFile)
		tmp := filepath.Join(dir, "x")
		for _, mv := range [][2]string{{a, tmp}, {m, a}, {tmp, m}} {
			if err := os.Rename(mv[0], mv[1]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Open(dir); err == nil {
			t.Fatal("Open accepted a MAC keyset as the AEAD keyset")
		}
	})
}

func TestRotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	before, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	macBefore, err := os.ReadFile(filepath.Join(dir, MACKeysetFile))
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("record:1|fields")
	oldCT, err := before.Encrypt([]byte("old"), ad)
	if err != nil {
		t.Fatal(err)
	}

	if err := Rotate(dir, Options{}); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	after, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	newCT, err := after.Encrypt([]byte("new"), ad)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("new primary key", func(t *testing.T) {
		if after.PrimaryKeyID() == before.PrimaryKeyID() {
			t.Fatal("primary key id unchanged")
		}
	})
	t.Run("old ciphertext still decrypts", func(t *testing.T) {
		if pt, err := after.Decrypt(oldCT, ad); err != nil || string(pt) != "old" {
			t.Fatalf("Decrypt(old) = %q, %v", pt, err)
		}
	})
	t.Run("KeyIDOf tells old from new", func(t *testing.T) {
		tests := []struct {
			name string
			ct   []byte
			want uint32
		}{
			{"old", oldCT, before.PrimaryKeyID()},
			{"new", newCT, after.PrimaryKeyID()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id, ok := KeyIDOf(tt.ct)
				if !ok || id != tt.want {
					t.Fatalf("KeyIDOf = %d, %v; want %d", id, ok, tt.want)
				}
			})
		}
	})
	t.Run("old vault cannot read new ciphertext", func(t *testing.T) {
		if _, err := before.Decrypt(newCT, ad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("MAC keyset untouched", func(t *testing.T) {
		macAfter, err := os.ReadFile(filepath.Join(dir, MACKeysetFile))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(macBefore, macAfter) {
			t.Fatal("mac.json changed")
		}
		if !bytes.Equal(before.BlindIndex(KindEmail, "a@b.c"), after.BlindIndex(KindEmail, "a@b.c")) {
			t.Fatal("blind index changed")
		}
	})
	t.Run("file stays 0600", func(t *testing.T) {
		fi, err := os.Stat(filepath.Join(dir, AEADKeysetFile))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v", fi.Mode())
		}
	})
	t.Run("concurrent rotations keep every key", func(t *testing.T) {
		const n = 4
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() { errs <- Rotate(dir, Options{}) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		f, err := os.Open(filepath.Join(dir, AEADKeysetFile))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(f))
		if err != nil {
			t.Fatal(err)
		}
		if h.Len() != 2+n {
			t.Fatalf("%d keys, want %d", h.Len(), 2+n)
		}
	})
}

func TestMasterKey(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "keys")
	opts := Options{MasterKeyPath: filepath.Join(root, "master.json")}

	v, err := OpenOrCreateWithOptions(dir, opts)
	if err != nil {
		t.Fatalf("OpenOrCreateWithOptions: %v", err)
	}
	ad := []byte("record:9|fields")
	ct, err := v.Encrypt([]byte("under master"), ad)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("master file 0600", func(t *testing.T) {
		fi, err := os.Stat(opts.MasterKeyPath)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v", fi.Mode())
		}
	})
	for _, name := range []string{AEADKeysetFile, MACKeysetFile} {
		t.Run(name+" is not cleartext", func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(`"encryptedKeyset"`)) {
				t.Fatalf("%s is not an encrypted keyset: %s", name, data)
			}
			if _, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(data))); err == nil {
				t.Fatalf("%s readable as a cleartext keyset", name)
			}
		})
	}
	t.Run("round trip through files", func(t *testing.T) {
		again, err := OpenWithOptions(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := again.Decrypt(ct, ad); err != nil || string(pt) != "under master" {
			t.Fatalf("Decrypt = %q, %v", pt, err)
		}
		if !bytes.Equal(again.BlindIndex(KindEmail, "a@b.c"), v.BlindIndex(KindEmail, "a@b.c")) {
			t.Fatal("blind index changed")
		}
	})
	t.Run("rotate under master", func(t *testing.T) {
		if err := Rotate(dir, opts); err != nil {
			t.Fatal(err)
		}
		again, err := OpenWithOptions(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if again.PrimaryKeyID() == v.PrimaryKeyID() {
			t.Fatal("primary unchanged")
		}
		if pt, err := again.Decrypt(ct, ad); err != nil || string(pt) != "under master" {
			t.Fatalf("Decrypt = %q, %v", pt, err)
		}
	})

	otherMaster := filepath.Join(root, "other-master.json")
	if _, err := OpenOrCreateWithOptions(filepath.Join(root, "other"), Options{MasterKeyPath: otherMaster}); err != nil {
		t.Fatal(err)
	}
	cleartextDir := t.TempDir()
	if _, err := OpenOrCreate(cleartextDir); err != nil {
		t.Fatal(err)
	}
	failures := []struct {
		name    string
		open    func() error
		wantErr string
	}{
		{"without master key", func() error { _, err := Open(dir); return err }, "no master key is configured"},
		{"wrong master key", func() error {
			_, err := OpenWithOptions(dir, Options{MasterKeyPath: otherMaster})
			return err
		}, "keyset"},
		{"missing master key", func() error {
			_, err := OpenWithOptions(dir, Options{MasterKeyPath: filepath.Join(root, "absent.json")})
			return err
		}, "master key"},
		{"OpenOrCreate does not replace a missing master key", func() error {
			_, err := OpenOrCreateWithOptions(dir, Options{MasterKeyPath: filepath.Join(root, "absent.json")})
			return err
		}, "master key"},
		{"cleartext keyset with master configured", func() error {
			_, err := OpenWithOptions(cleartextDir, opts)
			return err
		}, "cleartext"},
		{"rotate without master key", func() error { return Rotate(dir, Options{}) }, "no master key is configured"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.open()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(root, "absent.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("a master key was generated for existing keysets")
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	v := mustEphemeral(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ad := []byte{byte(i)}
			for range 100 {
				ct, err := v.Encrypt([]byte("x"), ad)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := v.Decrypt(ct, ad); err != nil {
					t.Error(err)
					return
				}
				_ = v.BlindIndex(KindEmail, "a@b.c")
			}
		})
	}
	wg.Wait()
}

func TestStringHidesKeys(t *testing.T) {
	t.Parallel()
	v := mustEphemeral(t)
	if got := v.String(); !strings.HasPrefix(got, "vault.Vault{") {
		t.Fatalf("String() = %q", got)
	}
}

func BenchmarkEncrypt1KB(b *testing.B) {
	v := mustEphemeral(b)
	pt := bytes.Repeat([]byte("a"), 1024)
	ad := []byte("record:42|fields")
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Encrypt(pt, ad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	v := mustEphemeral(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = v.BlindIndex(KindEmail, "  John@Example.COM ")
	}
}
