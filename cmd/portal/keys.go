package main

import (
	"errors"
	"fmt"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/vault"
)

// keysCommand: portal keys rotate | reencrypt.
//
// rotate adds a new primary AEAD key, then re-encrypts every ciphertext
// under an older key in batches of short transactions, so the site keeps
// running. Running servers keep encrypting under the old key until they
// restart: restart them, then run `portal keys reencrypt` once more.
func keysCommand(env *env, args []string) error {
	if len(args) != 1 || (args[0] != "rotate" && args[0] != "reencrypt") {
		return errors.New("usage: portal keys rotate | portal keys reencrypt")
	}
	ctx, cfg, stdout := env.ctx, env.cfg, env.stdout
	reg, err := env.registry()
	if err != nil {
		return err
	}
	if args[0] == "rotate" {
		if err := vault.Rotate(cfg.KeysDir, vault.Options{}); err != nil {
			return err
		}
	}
	v, err := vault.Open(cfg.KeysDir)
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
