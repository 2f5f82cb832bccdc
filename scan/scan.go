// Package scan checks uploaded files (CVs, identity documents) for malware
// before they are stored: the policy promises that the documents candidates
// send are kept safely, and a stored file is later opened by staff.
//
// Clamd speaks clamd's INSTREAM protocol to a ClamAV daemon (scripts/clamd
// runs a private one for make run and the tests). It fails closed: an
// infected file is an error as well as a verdict, and no verdict at all (the
// scanner down, slow or confused) is an error the caller cannot mistake for
// a clean file.
package scan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Scanner scans one file's bytes.
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (Verdict, error)
}

// Verdict is what the scanner found. The zero Verdict is clean.
type Verdict struct {
	Infected  bool
	Signature string // the name of the matching signature, e.g. "Portal.Test.EICAR.UNOFFICIAL"
}

var (
	// ErrUnavailable: no verdict, because the scanner could not be reached,
	// did not answer in time or answered with an error. Refuse the upload
	// and let the visitor try again; never store the file unscanned.
	ErrUnavailable = errors.New("scan: scanner unavailable")
	// ErrTooLarge: the file is larger than the scanner accepts.
	ErrTooLarge = errors.New("scan: file too large to scan")
)

// InfectedError is returned with an infected Verdict, so that a caller that
// only checks the error refuses the file too.
type InfectedError struct{ Signature string }

func (e *InfectedError) Error() string { return "scan: file infected: " + e.Signature }

// Clamd scans through a clamd daemon.
type Clamd struct {
	// Addr is "host:port" for TCP or "unix:/path/to/socket".
	Addr string
	// DialTimeout bounds connecting (default 2 s): a scanner that is down
	// must cost the visitor seconds, not the whole request timeout.
	DialTimeout time.Duration
	// Timeout bounds the whole scan when ctx has no earlier deadline (default 30 s).
	Timeout time.Duration
	// MaxSize is the largest file streamed (default 32 MiB). Keep it at or
	// below clamd's StreamMaxLength, which otherwise answers with an error.
	MaxSize int64
}

// NewClamd returns a scanner for the clamd at addr (CLAMD_ADDR).
func NewClamd(addr string) *Clamd { return &Clamd{Addr: addr} }

const chunkSize = 64 << 10

// Scan streams r to clamd and returns its verdict.
func (c *Clamd) Scan(ctx context.Context, r io.Reader) (Verdict, error) {
	conn, err := c.open(ctx)
	if err != nil {
		return Verdict{}, err
	}
	defer conn.Close()

	reply, err := c.instream(conn, r)
	if err != nil {
		if ctx.Err() != nil {
			return Verdict{}, fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
		}
		return Verdict{}, err
	}
	return parseReply(reply)
}

// Ping checks that clamd answers (for readiness checks).
func (c *Clamd) Ping(ctx context.Context) error {
	conn, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("%w: clamd answered %q to PING", ErrUnavailable, reply)
	}
	return nil
}

// open dials clamd and arms the connection's deadline from ctx and Timeout;
// cancelling ctx interrupts any read or write in progress.
func (c *Clamd) open(ctx context.Context) (net.Conn, error) {
	network, addr := "tcp", c.Addr
	if rest, ok := strings.CutPrefix(c.Addr, "unix:"); ok {
		network, addr = "unix", rest
	}
	if addr == "" {
		return nil, fmt.Errorf("%w: no clamd address configured", ErrUnavailable)
	}
	d := net.Dialer{Timeout: orDefault(c.DialTimeout, 2*time.Second)}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	deadline := time.Now().Add(orDefault(c.Timeout, 30*time.Second))
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetDeadline(deadline); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	return &stoppingConn{Conn: conn, stop: stop}, nil
}

type stoppingConn struct {
	net.Conn
	stop func() bool
}

func (s *stoppingConn) Close() error { s.stop(); return s.Conn.Close() }

// instream sends r as INSTREAM chunks (a 4-byte big-endian length, then the
// bytes; a zero length ends the stream) and reads the reply.
func (c *Clamd) instream(conn net.Conn, r io.Reader) (string, error) {
	maxSize := c.MaxSize
	if maxSize <= 0 {
		maxSize = 32 << 20
	}
	if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	buf := make([]byte, 4+chunkSize)
	var sent int64
	for {
		n, rerr := io.ReadFull(r, buf[4:])
		if n > 0 && n <= chunkSize {
			sent += int64(n)
			if sent > maxSize {
				return "", fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxSize)
			}
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, err := conn.Write(buf[:4+n]); err != nil {
				// clamd closes the connection when the stream passes its
				// StreamMaxLength: its reply says so, if it can still be read.
				if reply, rerr := readReply(conn); rerr == nil {
					return reply, nil
				}
				return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return "", fmt.Errorf("scan: reading the file: %w", rerr)
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return readReply(conn)
}

// readReply reads one NUL-terminated reply, at most 4 KiB.
func readReply(conn net.Conn) (string, error) {
	var b []byte
	buf := make([]byte, 512)
	for len(b) < 4<<10 {
		n, err := conn.Read(buf)
		b = append(b, buf[:n]...)
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return string(b[:i]), nil
		}
		if err == io.EOF && len(b) > 0 {
			return strings.TrimRight(string(b), "\n"), nil // closed without the NUL
		}
		if err == io.EOF {
			err = errors.New("connection closed without a reply")
		}
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	}
	return "", fmt.Errorf("%w: reply longer than 4 KiB", ErrUnavailable)
}

// parseReply reads "stream: OK", "stream: NAME FOUND" or "… ERROR".
func parseReply(reply string) (Verdict, error) {
	body := strings.TrimPrefix(reply, "stream: ")
	switch {
	case body == "OK":
		return Verdict{}, nil
	case strings.HasSuffix(body, " FOUND"):
		name := strings.TrimSuffix(body, " FOUND")
		return Verdict{Infected: true, Signature: name}, &InfectedError{Signature: name}
	case strings.Contains(reply, "size limit exceeded"):
		return Verdict{}, fmt.Errorf("%w: clamd: %s", ErrTooLarge, reply)
	default:
		return Verdict{}, fmt.Errorf("%w: clamd answered %q", ErrUnavailable, reply)
	}
}

func orDefault(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}
