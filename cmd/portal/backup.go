package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/argon2"
	"golang.org/x/term"

	"github.com/alegria/privacy-portal/vault"
)

// A backup is a directory: db.dump, pg_dump's custom format of the whole
// database (one consistent snapshot), and keys.enc, the files of the keys
// directory sealed under a key the operator gives (a Tink keyset file, or a
// passphrase typed at the prompt). The dump alone is ciphertext and blind
// indexes; the keys alone decrypt nothing; both together restore the portal
// (art. 32(1)(c): the ability to restore availability and access to personal
// data in a timely manner).
const (
	dumpFile       = "db.dump"
	keysBundleFile = "keys.enc"
	bundleFormat   = "portal-backup-keys-v1"
)

// keyBundle is keys.enc: the sealed files, and how the sealing key is found.
type keyBundle struct {
	Format     string `json:"format"`
	KDF        string `json:"kdf"` // "tink-keyset" (--key-file) or "argon2id" (passphrase)
	Salt       []byte `json:"salt,omitempty"`
	Time       uint32 `json:"time,omitempty"`
	MemoryKiB  uint32 `json:"memory_kib,omitempty"`
	Threads    uint8  `json:"threads,omitempty"`
	Ciphertext []byte `json:"ciphertext"`
}

// backupCommand: portal backup --out DIR [--key-file F] [--db URL].
func backupCommand(env *env, args []string) error {
	fl := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fl.String("out", "", "directory to create for the backup")
	keyFile := fl.String("key-file", "", "Tink AEAD keyset sealing the keys (default: a passphrase asked at the prompt)")
	dbURL := fl.String("db", env.cfg.BackupDatabaseURL, "a role that reads every row (BYPASSRLS), e.g. postgres")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" || *dbURL == "" {
		return errors.New("usage: portal backup --out DIR [--key-file F] [--db URL] (or BACKUP_DATABASE_URL)")
	}
	if err := os.Mkdir(*out, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The keys first: a dump written after a rotation would hold
	// ciphertexts under a key an older copy of the keys lacks.
	files := map[string][]byte{}
	for _, name := range vault.KeyFiles {
		b, err := os.ReadFile(filepath.Join(env.cfg.KeysDir, name))
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		files[name] = b
	}
	bundle, err := sealKeys(files, *keyFile, true)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, keysBundleFile), bundle, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	pgDump, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(env.ctx, pgDump, "--format=custom", "--file", filepath.Join(*out, dumpFile), "--dbname", *dbURL)
	cmd.Stdout, cmd.Stderr = env.stderr, env.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: pg_dump: %w", err)
	}
	fmt.Fprintf(env.stdout, "backup written to %s (%s, %s)\n", *out, dumpFile, keysBundleFile)
	return nil
}

// restoreCommand: portal restore --from DIR [--key-file F] [--db URL]. The
// database must be empty (its roles, portal and portal_app, created as for
// a new install) and PORTAL_KEYS_DIR must hold no keyset.
func restoreCommand(env *env, args []string) error {
	fl := flag.NewFlagSet("restore", flag.ContinueOnError)
	from := fl.String("from", "", "a directory written by portal backup")
	keyFile := fl.String("key-file", "", "the Tink AEAD keyset the backup was sealed with (default: its passphrase, asked at the prompt)")
	dbURL := fl.String("db", env.cfg.BackupDatabaseURL, "a role that may create the schema and write every row, e.g. postgres")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *from == "" || *dbURL == "" {
		return errors.New("usage: portal restore --from DIR [--key-file F] [--db URL] (or BACKUP_DATABASE_URL)")
	}
	sealed, err := os.ReadFile(filepath.Join(*from, keysBundleFile))
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	files, err := openKeys(sealed, *keyFile)
	if err != nil {
		return err
	}
	for _, name := range vault.KeyFiles {
		if _, err := os.Stat(filepath.Join(env.cfg.KeysDir, name)); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restore: %s already holds %s: restore into an empty keys directory", env.cfg.KeysDir, name)
		}
	}
	if err := requireEmpty(env, *dbURL); err != nil {
		return err
	}
	pgRestore, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(env.ctx, pgRestore, "--exit-on-error", "--single-transaction", "--dbname", *dbURL,
		filepath.Join(*from, dumpFile))
	cmd.Stdout, cmd.Stderr = env.stderr, env.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("restore: pg_restore: %w", err)
	}
	if err := os.MkdirAll(env.cfg.KeysDir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, name := range vault.KeyFiles {
		if err := os.WriteFile(filepath.Join(env.cfg.KeysDir, name), files[name], 0o600); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	fmt.Fprintf(env.stdout, "restored the database and %d key files into %s; check with `portal auditlog verify`\n", len(files), env.cfg.KeysDir)
	return nil
}

// requireEmpty refuses a database that already has tables: a restore never
// merges into live data.
func requireEmpty(env *env, url string) error {
	conn, err := pgx.Connect(env.ctx, url)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer conn.Close(env.ctx)
	var n int
	if err := conn.QueryRow(env.ctx, `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("restore: the database has %d tables already: restore into an empty database", n)
	}
	return nil
}

// pgTool finds a PostgreSQL client program as scripts/pgcluster finds the
// server: PGCLUSTER_BINDIR, the newest Debian version, the usual prefixes,
// pg_config, then PATH. The newest wins: pg_dump must not be older than the
// server.
func pgTool(name string) (string, error) {
	var dirs []string
	if d := os.Getenv("PGCLUSTER_BINDIR"); d != "" {
		dirs = append(dirs, d)
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(debian, func(a, b string) int { return versionOf(b) - versionOf(a) })
	dirs = append(dirs, debian...)
	dirs = append(dirs, "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql@15/bin", "/usr/local/opt/postgresql@15/bin")
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found: install the PostgreSQL client programs (Debian: apt-get install postgresql-15)", name)
}

func versionOf(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir))) // not a version directory: 0, the lowest
	return v
}

const (
	argonTime, argonMemoryKiB, argonThreads = 3, 64 * 1024, 4
	bundleAD                                = bundleFormat
)

// sealKeys encrypts the key files under the key file's AEAD, or under a key
// derived with argon2id from a passphrase asked twice at the prompt.
func sealKeys(files map[string][]byte, keyFile string, confirm bool) ([]byte, error) {
	plain, err := json.Marshal(files)
	if err != nil {
		return nil, err
	}
	b := keyBundle{Format: bundleFormat}
	if keyFile != "" {
		kek, err := vault.LoadMasterKey(keyFile)
		if err != nil {
			return nil, err
		}
		b.KDF = "tink-keyset"
		if b.Ciphertext, err = kek.Encrypt(plain, []byte(bundleAD)); err != nil {
			return nil, fmt.Errorf("backup: seal keys: %w", err)
		}
		return json.Marshal(b)
	}
	pass, err := passphrase(confirm)
	if err != nil {
		return nil, err
	}
	b.KDF, b.Time, b.MemoryKiB, b.Threads = "argon2id", argonTime, argonMemoryKiB, argonThreads
	b.Salt = make([]byte, 16)
	if _, err := rand.Read(b.Salt); err != nil {
		return nil, err
	}
	gcm, err := passphraseAEAD(pass, b)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	b.Ciphertext = gcm.Seal(nonce, nonce, plain, []byte(bundleAD))
	return json.Marshal(b)
}

// openKeys is sealKeys reversed.
func openKeys(data []byte, keyFile string) (map[string][]byte, error) {
	var b keyBundle
	if err := json.Unmarshal(data, &b); err != nil || b.Format != bundleFormat {
		return nil, errors.New("restore: keys.enc is not a portal backup's key bundle")
	}
	var plain []byte
	switch b.KDF {
	case "tink-keyset":
		if keyFile == "" {
			return nil, errors.New("restore: this backup's keys are sealed under a key file: give it with --key-file")
		}
		kek, err := vault.LoadMasterKey(keyFile)
		if err != nil {
			return nil, err
		}
		if plain, err = kek.Decrypt(b.Ciphertext, []byte(bundleAD)); err != nil {
			return nil, errors.New("restore: the key file does not open this backup's keys")
		}
	case "argon2id":
		pass, err := passphrase(false)
		if err != nil {
			return nil, err
		}
		gcm, err := passphraseAEAD(pass, b)
		if err != nil {
			return nil, err
		}
		if len(b.Ciphertext) < gcm.NonceSize() {
			return nil, errors.New("restore: keys.enc is truncated")
		}
		if plain, err = gcm.Open(nil, b.Ciphertext[:gcm.NonceSize()], b.Ciphertext[gcm.NonceSize():], []byte(bundleAD)); err != nil {
			return nil, errors.New("restore: wrong passphrase")
		}
	default:
		return nil, fmt.Errorf("restore: unknown key sealing %q", b.KDF)
	}
	files := map[string][]byte{}
	if err := json.Unmarshal(plain, &files); err != nil {
		return nil, fmt.Errorf("restore: keys: %w", err)
	}
	for _, name := range vault.KeyFiles {
		if len(files[name]) == 0 {
			return nil, fmt.Errorf("restore: the backup lacks %s", name)
		}
	}
	return files, nil
}

func passphraseAEAD(pass []byte, b keyBundle) (cipher.AEAD, error) {
	if b.Time == 0 || b.Time > 10 || b.MemoryKiB == 0 || b.MemoryKiB > 1<<20 || b.Threads == 0 || len(b.Salt) < 16 {
		return nil, errors.New("backup: unusable key derivation parameters")
	}
	block, err := aes.NewCipher(argon2.IDKey(pass, b.Salt, b.Time, b.MemoryKiB, b.Threads, 32))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// passphrase reads the backup passphrase from the terminal without echo
// (twice when sealing), or one line from a non-terminal standard input.
func passphrase(confirm bool) ([]byte, error) {
	read := func(prompt string) ([]byte, error) {
		fd := int(os.Stdin.Fd())
		if term.IsTerminal(fd) {
			fmt.Fprint(os.Stderr, prompt)
			defer fmt.Fprintln(os.Stderr)
			return term.ReadPassword(fd)
		}
		var line string
		if _, err := fmt.Fscanln(os.Stdin, &line); err != nil {
			return nil, errors.New("no passphrase on standard input (or give --key-file)")
		}
		return []byte(line), nil
	}
	p, err := read("Backup passphrase: ")
	if err != nil {
		return nil, err
	}
	if len(p) < 12 {
		return nil, errors.New("the backup passphrase must be at least 12 characters")
	}
	if confirm && term.IsTerminal(int(os.Stdin.Fd())) {
		again, err := read("Again: ")
		if err != nil {
			return nil, err
		}
		if string(again) != string(p) {
			return nil, errors.New("the two passphrases differ")
		}
	}
	return p, nil
}
