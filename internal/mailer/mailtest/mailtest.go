// Package mailtest runs a real SMTP server (emersion/go-smtp) inside a test,
// so that tests deliver through the same client as production and read the
// message as a mail client would.
package mailtest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one email received.
type Message struct {
	From   string
	To     []string
	Header mail.Header
	Text   string // the text/plain part
	HTML   string // the text/html part
}

// Server is an SMTP server listening on the loopback for one test.
type Server struct {
	Addr string
	mu   sync.Mutex
	msgs []Message
	t    testing.TB
}

// Start starts a server without TLS; it stops with the test.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), t: t}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the SMTP_URL of the server (no TLS: a loopback test relay).
func (s *Server) URL(from string) string {
	return "smtp://" + s.Addr + "?from=" + from + "&tls=none"
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv  *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		x.srv.t.Errorf("mailtest: unreadable message: %v", err)
		return err
	}
	m.From, m.To = x.from, x.to
	x.srv.mu.Lock()
	x.srv.msgs = append(x.srv.msgs, m)
	x.srv.mu.Unlock()
	return nil
}

// parse reads a message as a mail client would: headers, then each part of
// a multipart/alternative body, transfer encodings undone.
func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	out := Message{Header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return out, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		body, err := decode(msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		out.Text = body
		return out, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		body, err := decode(p.Header.Get("Content-Transfer-Encoding"), p)
		if err != nil {
			return out, err
		}
		switch pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt {
		case "text/plain":
			out.Text = body
		case "text/html":
			out.HTML = body
		}
	}
}
