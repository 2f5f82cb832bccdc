// Package mailer delivers the outbox's emails through SMTP with go-mail: a
// text body and its HTML alternative (rendered by templ from the same
// paragraphs), the one-click unsubscribe headers of marketing emails (RFC
// 8058), STARTTLS required unless the URL says otherwise, and a deadline.
package mailer

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// Timeout bounds one delivery: the outbox row stays locked meanwhile, and a
// server that accepts and then stalls must not hold a worker for ever.
const Timeout = 30 * time.Second

// Usage describes SMTP_URL.
const Usage = "SMTP_URL must look like smtp://user:password@host:587?from=address (STARTTLS required; " +
	"add &tls=opportunistic or &tls=none for a local relay) or smtps://user:password@host:465?from=address"

// New returns the sender of SMTP_URL raw.
func New(raw string) (func(context.Context, models.Email) error, error) {
	return NewWithTimeout(raw, Timeout)
}

// NewWithTimeout is New with another bound on each step of a delivery.
func NewWithTimeout(raw string, timeout time.Duration) (func(context.Context, models.Email) error, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("%s", Usage)
	}
	q := u.Query()
	from := q.Get("from")
	if from == "" {
		return nil, fmt.Errorf("SMTP_URL needs ?from=address")
	}
	// go-mail sets the connection's deadline from the timeout at each step
	// (dial, greeting, every command): a server that stalls is given up on.
	opts := []mail.Option{mail.WithTimeout(timeout)}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		opts = append(opts, mail.WithSSL())
	} else {
		switch q.Get("tls") {
		case "", "required":
			opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
		case "opportunistic":
			opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
		case "none":
			opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		default:
			return nil, fmt.Errorf("SMTP_URL: tls must be required, opportunistic or none")
		}
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("%s", Usage)
		}
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	client, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	return func(ctx context.Context, e models.Email) error {
		m, err := Message(from, e)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := client.DialAndSendWithContext(ctx, m); err != nil {
			return fmt.Errorf("mailer: %w", err)
		}
		return nil
	}, nil
}

// Message builds the email: text, then its HTML alternative.
func Message(from string, e models.Email) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("mailer: from: %w", err)
	}
	if err := m.To(e.To); err != nil {
		return nil, fmt.Errorf("mailer: to: %w", err)
	}
	m.Subject(e.Subject)
	m.SetMessageID()
	m.SetDate()
	m.SetBodyString(mail.TypeTextPlain, e.Body)
	var html bytes.Buffer
	if err := views.EmailHTML(e.Lang, e.Subject, views.EmailParagraphs(e.Body)).Render(context.Background(), &html); err != nil {
		return nil, fmt.Errorf("mailer: html: %w", err)
	}
	m.AddAlternativeString(mail.TypeTextHTML, html.String())
	if e.Unsubscribe != "" {
		// RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to
		// the signed URL; no page, no form token.
		m.SetGenHeaderPreformatted(mail.HeaderListUnsubscribe, "<"+e.Unsubscribe+">")
		m.SetGenHeaderPreformatted(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	return m, nil
}
