package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Keyset file names inside the keys directory.
const (
	AEADKeysetFile = "aead.json"
	MACKeysetFile  = "mac.json"
)

const (
	dirPerm  fs.FileMode = 0o700
	filePerm fs.FileMode = 0o600
	lockFile             = ".lock"
)

// Options configure how keysets are stored.
type Options struct {
	// MasterKeyPath names a Tink AEAD keyset (cleartext JSON, for example
	// "master.json") used as key-encryption key: when set, aead.json and
	// mac.json are written and read encrypted under it, so the keys directory
	// alone (a copy, a backup) reveals no key. Keep it away from the keys
	// directory in production; it stands in for a KMS key. Empty means the
	// keysets are stored in cleartext (development only).
	MasterKeyPath string
}

// Open loads the cleartext keysets aead.json and mac.json from dir.
func Open(dir string) (*Vault, error) { return OpenWithOptions(dir, Options{}) }

// OpenOrCreate is Open, but first creates dir (0700) and generates both keysets
// (0600) when neither exists. For development.
func OpenOrCreate(dir string) (*Vault, error) { return OpenOrCreateWithOptions(dir, Options{}) }

// OpenWithOptions loads aead.json and mac.json from dir, decrypting them with
// the master key when opts.MasterKeyPath is set.
func OpenWithOptions(dir string, opts Options) (*Vault, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	master, err := loadMaster(opts.MasterKeyPath)
	if err != nil {
		return nil, err
	}
	aeadHandle, err := readKeyset(filepath.Join(dir, AEADKeysetFile), master)
	if err != nil {
		return nil, err
	}
	macHandle, err := readKeyset(filepath.Join(dir, MACKeysetFile), master)
	if err != nil {
		return nil, err
	}
	return newVault(aeadHandle, macHandle)
}

// OpenOrCreateWithOptions is OpenWithOptions, but first creates dir (0700) and
// generates both keysets (0600) when neither exists, and the master keyset too
// when opts.MasterKeyPath is set and missing. It refuses to generate anything
// when only some files exist: a new key would orphan data encrypted or indexed
// under the missing one.
func OpenOrCreateWithOptions(dir string, opts Options) (*Vault, error) {
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("vault: create keys directory: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	created, err := createMissing(dir, opts)
	unlock()
	if err != nil {
		return nil, err
	}
	if created {
		// Key ids and paths are not secret; key material is never logged.
		slog.Info("vault: generated development keysets", "dir", dir, "encrypted", opts.MasterKeyPath != "")
	}
	return OpenWithOptions(dir, opts)
}

func createMissing(dir string, opts Options) (bool, error) {
	aeadPath, macPath := filepath.Join(dir, AEADKeysetFile), filepath.Join(dir, MACKeysetFile)
	aeadExists, err := exists(aeadPath)
	if err != nil {
		return false, err
	}
	macExists, err := exists(macPath)
	if err != nil {
		return false, err
	}
	switch {
	case aeadExists && macExists:
		return false, nil
	case aeadExists || macExists:
		return false, fmt.Errorf("vault: %s has only one of %s and %s; refusing to generate the other "+
			"(restore it, or delete the directory if nothing was ever encrypted with it)", dir, AEADKeysetFile, MACKeysetFile)
	}

	var master tink.AEAD
	if opts.MasterKeyPath != "" {
		masterExists, err := exists(opts.MasterKeyPath)
		if err != nil {
			return false, err
		}
		if !masterExists {
			h, err := newAEADHandle()
			if err != nil {
				return false, err
			}
			if err := writeKeyset(opts.MasterKeyPath, h, nil); err != nil {
				return false, err
			}
		}
		if master, err = loadMaster(opts.MasterKeyPath); err != nil {
			return false, err
		}
	}
	aeadHandle, err := newAEADHandle()
	if err != nil {
		return false, err
	}
	macHandle, err := newMACHandle()
	if err != nil {
		return false, err
	}
	// mac.json first: a crash in between leaves only mac.json, which is
	// reported above; nothing has been indexed with it yet.
	if err := writeKeyset(macPath, macHandle, master); err != nil {
		return false, err
	}
	if err := writeKeyset(aeadPath, aeadHandle, master); err != nil {
		return false, err
	}
	return true, nil
}

// Rotate adds a fresh AES256-GCM key to the AEAD keyset in dir, makes it the
// primary key and rewrites aead.json atomically. Old keys stay, so existing
// ciphertext remains readable; a re-encryption job can then move rows whose
// KeyIDOf differs from PrimaryKeyID. Running processes keep encrypting under
// the previous primary until they reopen the vault.
//
// The MAC keyset is deliberately not rotated: blind indexes must be
// deterministic, and a new MAC key gives every value a new tag, so lookups of
// existing subjects would stop matching. Rotating it needs a re-index of every
// stored tag from the decrypted values, done as one migration.
func Rotate(dir string, opts Options) error {
	if err := checkDir(dir); err != nil {
		return err
	}
	master, err := loadMaster(opts.MasterKeyPath)
	if err != nil {
		return err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()

	path := filepath.Join(dir, AEADKeysetFile)
	h, err := readKeyset(path, master)
	if err != nil {
		return err
	}
	km := keyset.NewManagerFromHandle(h)
	id, err := km.Add(aead.AES256GCMKeyTemplate())
	if err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	if err := km.SetPrimary(id); err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	rotated, err := km.Handle()
	if err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	if err := checkAEADKeyset(rotated); err != nil {
		return err
	}
	if err := writeKeyset(path, rotated, master); err != nil {
		return err
	}
	slog.Info("vault: rotated AEAD keyset", "dir", dir, "primary_key_id", id, "keys", rotated.Len())
	return nil
}

func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("vault: keys directory %s does not exist: %w", dir, err)
		}
		return fmt.Errorf("vault: keys directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("vault: keys directory %s is not a directory", dir)
	}
	return nil
}

func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("vault: %w", err)
	}
}

// loadMaster reads the master AEAD keyset; nil when path is empty.
func loadMaster(path string) (tink.AEAD, error) {
	if path == "" {
		return nil, nil
	}
	h, err := readKeyset(path, nil)
	if err != nil {
		return nil, fmt.Errorf("vault: master key: %w", err)
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("vault: master key %s is not an AEAD keyset: %w", path, err)
	}
	return a, nil
}

// isEncrypted reports whether data is Tink's JSON EncryptedKeyset (as opposed
// to a cleartext Keyset).
func isEncrypted(data []byte) bool {
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return false
	}
	_, ok := fields["encryptedKeyset"]
	return ok
}

// readKeyset reads a JSON keyset, in cleartext when master is nil and
// encrypted under master otherwise; a mismatch is reported, not guessed.
func readKeyset(path string, master tink.AEAD) (*keyset.Handle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("vault: read keyset: %w", err)
	}
	encrypted := isEncrypted(data)
	r := keyset.NewJSONReader(bytes.NewReader(data))
	var h *keyset.Handle
	switch {
	case master == nil && encrypted:
		return nil, fmt.Errorf("vault: keyset %s is encrypted under a master key, but no master key is configured", path)
	case master != nil && !encrypted:
		return nil, fmt.Errorf("vault: keyset %s is in cleartext, but a master key is configured", path)
	case master == nil:
		h, err = insecurecleartextkeyset.Read(r)
	default:
		h, err = keyset.Read(r, master)
	}
	if err != nil {
		// Tink's messages carry no key material.
		return nil, fmt.Errorf("vault: keyset %s: %w", path, err)
	}
	return h, nil
}

// writeKeyset writes h as JSON, in cleartext when master is nil and encrypted
// under master otherwise, atomically and with mode 0600.
func writeKeyset(path string, h *keyset.Handle, master tink.AEAD) error {
	var buf bytes.Buffer
	w := keyset.NewJSONWriter(&buf)
	var err error
	if master == nil {
		err = insecurecleartextkeyset.Write(h, w)
	} else {
		err = h.Write(w, master)
	}
	if err != nil {
		return fmt.Errorf("vault: encode keyset %s: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}

// writeFileAtomic writes data to a 0600 temporary file in the same directory,
// syncs it and renames it over path, so readers see the old or the new file,
// never a partial one.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("vault: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(filePerm); err != nil {
		return fmt.Errorf("vault: write %s: %w", path, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("vault: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("vault: write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("vault: write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("vault: write %s: %w", path, err)
	}
	// Make the rename durable; not every platform can sync a directory.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// LoadMasterKey reads a master AEAD keyset (cleartext Tink JSON: the key a
// KMS would otherwise hold), to encrypt keysets at rest or a backup's keys.
func LoadMasterKey(path string) (tink.AEAD, error) {
	if path == "" {
		return nil, errors.New("vault: no master key file given")
	}
	return loadMaster(path)
}

// NewMasterKey writes a fresh master AEAD keyset to path (0600), refusing to
// replace an existing one: keysets encrypted under it would be lost.
func NewMasterKey(path string) error {
	if ok, err := exists(path); err != nil || ok {
		if err == nil {
			err = fmt.Errorf("vault: %s exists already", path)
		}
		return err
	}
	h, err := newAEADHandle()
	if err != nil {
		return err
	}
	return writeKeyset(path, h, nil)
}

// EncryptKeysets rewrites the cleartext keysets of dir encrypted under the
// master key at masterPath (production keeps no key in clear at rest).
// Keysets already encrypted under it are left as they are. It reports how
// many it encrypted.
func EncryptKeysets(dir, masterPath string) (int, error) {
	if err := checkDir(dir); err != nil {
		return 0, err
	}
	master, err := LoadMasterKey(masterPath)
	if err != nil {
		return 0, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	for _, name := range []string{AEADKeysetFile, MACKeysetFile} {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			return n, fmt.Errorf("vault: read keyset: %w", err)
		}
		if isEncrypted(data) {
			if _, err := readKeyset(path, master); err != nil { // encrypted, but under another key?
				return n, err
			}
			continue
		}
		h, err := readKeyset(path, nil)
		if err != nil {
			return n, err
		}
		if err := writeKeyset(path, h, master); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// KeyFiles are the files of a keys directory a backup must carry: without
// them the database's ciphertexts and blind indexes are useless.
var KeyFiles = []string{AEADKeysetFile, MACKeysetFile, SecretFile}
