package main

import (
	"errors"
	"fmt"

	"github.com/alegria/privacy-portal/models"
)

// outboxCommand: portal outbox list — the emails waiting or sent, decrypted,
// for development (in production they leave through SMTP_URL).
func outboxCommand(env *env, args []string) error {
	if len(args) != 1 || args[0] != "list" {
		return errors.New("usage: portal outbox list")
	}
	stdout := env.stdout
	v, _, err := env.keys()
	if err != nil {
		return err
	}
	db, err := env.database()
	if err != nil {
		return err
	}
	msgs, err := models.NewOutbox(db, v).List(env.ctx, 100)
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
