package main

import (
	"errors"
	"fmt"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/vault"
)

// keysCommand: portal keys rotate | reencrypt | encrypt | new-master.
//
// encrypt rewrites clear keysets (development ones, or from before keysets
// were encrypted at rest) under PORTAL_MASTER_KEY_FILE; new-master writes a
// fresh master key to that file first when it does not exist.
//
// rotate adds a new primary AEAD key, then re-encrypts every ciphertext
// under an older key in batches of short transactions, so the site keeps
// running. Running servers keep encrypting under the old key until they
// restart: restart them, then run `portal keys reencrypt` once more.
func keysCommand(env *env, args []string) error {
	if len(args) != 1 || (args[0] != "rotate" && args[0] != "reencrypt" && args[0] != "encrypt" && args[0] != "new-master") {
		return errors.New("usage: portal keys rotate | reencrypt | encrypt | new-master")
	}
	ctx, cfg, stdout := env.ctx, env.cfg, env.stdout
	switch args[0] {
	case "new-master":
		if cfg.MasterKeyFile == "" {
			return errors.New("set PORTAL_MASTER_KEY_FILE to where the master key is to be written (outside PORTAL_KEYS_DIR)")
		}
		if err := vault.NewMasterKey(cfg.MasterKeyFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "master key written to %s: keep it apart from the keys directory and its backups\n", cfg.MasterKeyFile)
		return nil
	case "encrypt":
		n, err := vault.EncryptKeysets(cfg.KeysDir, cfg.MasterKeyFile)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d keysets encrypted under %s\n", n, cfg.MasterKeyFile)
		return nil
	}
	reg, err := env.registry()
	if err != nil {
		return err
	}
	if args[0] == "rotate" {
		if err := vault.Rotate(cfg.KeysDir, vault.Options{MasterKeyPath: cfg.MasterKeyFile}); err != nil {
			return err
		}
	}
	v, _, err := openVault(cfg)
	if err != nil {
		return err
	}
	db, err := env.database()
	if err != nil {
		return err
	}
	purposes := reg.PurposeKeys()
	c, err := models.Reencrypt(ctx, db, v, purposes, 500)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "primary key %d: re-encrypted %d records, %d attachments, %d outbox emails, %d rights requests, %d staff TOTP secrets\n",
		v.PrimaryKeyID(), c.Records, c.Attachments, c.Outbox, c.RightsRequests, c.StaffSecrets)
	if args[0] == "rotate" {
		fmt.Fprintln(stdout, "restart the running servers so they encrypt with the new key, then run `portal keys reencrypt`")
	}
	return nil
}
