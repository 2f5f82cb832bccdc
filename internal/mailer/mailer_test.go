package mailer_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/internal/mailer"
	"github.com/alegria/privacy-portal/internal/mailer/mailtest"
	"github.com/alegria/privacy-portal/models"
)

func TestDeliversTextAndHTMLWithOneClickUnsubscribe(t *testing.T) {
	srv := mailtest.Start(t)
	send, err := mailer.New(srv.URL("portal@alegria.example"))
	if err != nil {
		t.Fatal(err)
	}
	e := models.Email{To: "ada@example.com", Subject: "Élan: our offers",
		Body:        "Hello,\n\nSee https://portal.example/preferences?p=x&exp=1&sig=y now.\n\nBye <b>",
		Unsubscribe: "https://portal.example/preferences/unsubscribe?p=x&exp=1&sig=y&box=newsletter.newsletter"}
	if err := send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages received", len(msgs))
	}
	m := msgs[0]
	if m.To[0] != "ada@example.com" || m.From != "portal@alegria.example" {
		t.Errorf("envelope %s → %v", m.From, m.To)
	}
	if got := m.Header.Get("List-Unsubscribe"); got != "<"+e.Unsubscribe+">" {
		t.Errorf("List-Unsubscribe %q", got)
	}
	if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	if !strings.Contains(m.Text, "https://portal.example/preferences?p=x&exp=1&sig=y") {
		t.Errorf("text part %q", m.Text)
	}
	if !strings.Contains(m.HTML, `<a href="https://portal.example/preferences?p=x&amp;exp=1&amp;sig=y">`) || strings.Contains(m.HTML, "<b>") {
		t.Errorf("html part: the link is not a link, or text is not escaped: %q", m.HTML)
	}
	if m.Header.Get("Message-Id") == "" || m.Header.Get("Date") == "" {
		t.Error("no Message-ID or Date")
	}
}

// A receipt (not marketing) carries no unsubscribe header.
func TestReceiptHasNoUnsubscribeHeader(t *testing.T) {
	srv := mailtest.Start(t)
	send, _ := mailer.New(srv.URL("portal@alegria.example"))
	if err := send(context.Background(), models.Email{To: "ada@example.com", Subject: "Receipt", Body: "We got it."}); err != nil {
		t.Fatal(err)
	}
	if h := srv.Messages()[0].Header.Get("List-Unsubscribe"); h != "" {
		t.Errorf("receipt with List-Unsubscribe %q", h)
	}
}

// STARTTLS is required unless the URL says otherwise: a server that does
// not offer it gets nothing.
func TestSTARTTLSRequiredByDefault(t *testing.T) {
	srv := mailtest.Start(t)
	send, err := mailer.New("smtp://" + srv.Addr + "?from=portal@alegria.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := send(context.Background(), models.Email{To: "ada@example.com", Subject: "s", Body: "b"}); err == nil {
		t.Error("sent in clear to a server without STARTTLS")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered without TLS", n)
	}
}

func TestBadURLs(t *testing.T) {
	for _, u := range []string{"", "http://x", "smtp://host", "smtp://host?from=a@b&tls=maybe", "smtp://host:x?from=a@b"} {
		if _, err := mailer.New(u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

// A mail server that accepts the connection and then says nothing must not
// hold the outbox worker (and the row it locked) for ever.
func TestGivesUpOnAStalledServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, never greet
		}
	}()
	send, err := mailer.NewWithTimeout("smtp://"+ln.Addr().String()+"?from=portal@alegria.example&tls=none", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- send(ctx, models.Email{To: "to@example.org", Subject: "s", Body: "x"}) }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a stalled server counted as a delivery")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sender did not give up on a stalled server")
	}
}
