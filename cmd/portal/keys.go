package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/vault"
)

// keysCommand: portal keys rotate | reencrypt.
//
// rotate adds a new primary AEAD key, then re-encrypts every ciphertext
// under an older key in batches of short transactions, so the site keeps
// running. Running servers keep encrypting under the old key until they
// restart: restart them, then run `portal keys reencrypt` once more.
func keysCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 1 || (args[0] != "rotate" && args[0] != "reencrypt") {
		return errors.New("usage: portal keys rotate | portal keys reencrypt")
	}
	reg, err := loadRegistry(cfg)
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
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
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

// outboxCommand: portal outbox list — the emails waiting or sent, decrypted,
// for development (in production they leave through SMTP_URL).
func outboxCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "list" {
		return errors.New("usage: portal outbox list")
	}
	v, _, err := openVault(cfg)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	msgs, err := models.NewOutbox(db, v).List(ctx, 100)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		fmt.Fprintf(stdout, "--- %s  %s  %s (attempts %d)\nTo: %s\nSubject: %s\n\n%s\n",
			m.CreatedAt.Format("2006-01-02 15:04:05"), m.Kind, m.Status, m.Attempts, m.Email.To, m.Email.Subject, m.Email.Body)
	}
	if len(msgs) == 0 {
		fmt.Fprintln(stdout, "the outbox is empty")
	}
	return nil
}
