package handlers

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// A page leaves in one write system call. net/http buffers what a handler
// writes in 4 KB: a page larger than that, with its headers, reached the
// socket in two writes, each a pass through the kernel's TCP stack and a
// wake-up of the reader (a tenth of the server's CPU for a record view).
// sendPage knows the whole page: while it sends it, the connection holds
// net/http's first write and sends it with the next one, in one writev.

// Listener is ln whose TCP connections can hold a page's writes (pageConn);
// the server gives each request its connection through ConnContext.
func Listener(ln net.Listener) net.Listener { return pageListener{ln} }

type pageListener struct{ net.Listener }

func (l pageListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		return &pageConn{TCPConn: tc}, nil
	}
	return c, err
}

type pageConnKey struct{}

// ConnContext is http.Server's ConnContext for a Listener: the request's
// context carries its connection, where sendPage finds it.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if pc, ok := c.(*pageConn); ok {
		return context.WithValue(ctx, pageConnKey{}, pc)
	}
	return ctx
}

// pageConn is a TCP connection that can hold one write: between hold and
// release, the first write is copied aside and leaves with the second (or
// at release). Everything else is the TCP connection's own: deadlines,
// sendfile for static files (ReadFrom), CloseWrite. Only the goroutine
// serving the connection writes to it, one request at a time (HTTP/1.1),
// so the fields need no lock.
type pageConn struct {
	*net.TCPConn
	holding bool
	held    *[]byte
	bufs    [2][]byte    // writev's vector, kept here so sending it allocates nothing
	writes  atomic.Int64 // writes that reached the socket (what the tests count)
}

// maxHeldPage bounds the pages sent through a hold: a larger answer gains
// little from one write fewer and would only grow the held buffers.
const maxHeldPage = 256 << 10

// heldBuffers hold net/http's first write of a page: 4 KB, its buffer.
var heldBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func (c *pageConn) hold() { c.holding = true }

func (c *pageConn) Write(p []byte) (int, error) {
	if !c.holding {
		c.writes.Add(1)
		return c.TCPConn.Write(p)
	}
	if c.held == nil {
		c.held = heldBuffers.Get().(*[]byte)
		*c.held = append((*c.held)[:0], p...)
		return len(p), nil
	}
	// The rest of the page: both leave together.
	held := *c.held
	c.holding = false
	c.bufs[0], c.bufs[1] = held, p
	v := net.Buffers(c.bufs[:])
	c.writes.Add(1)
	n, err := v.WriteTo(c.TCPConn)
	c.bufs[0], c.bufs[1] = nil, nil // the page's buffer is the caller's once Write returns
	c.putHeld()
	// What the caller wrote is p; what was held, it counted already.
	n -= int64(len(held))
	return int(max(0, min(n, int64(len(p))))), err
}

// release ends the hold: a write still held leaves now.
func (c *pageConn) release() error {
	c.holding = false
	if c.held == nil {
		return nil
	}
	c.writes.Add(1)
	_, err := c.TCPConn.Write(*c.held)
	c.putHeld()
	return err
}

func (c *pageConn) putHeld() {
	if cap(*c.held) <= 64<<10 {
		heldBuffers.Put(c.held)
	}
	c.held = nil
}

// sendHeld sends a whole page through w, holding its connection's writes so
// that headers and body leave in one write. Without a pageConn (tests'
// recorders, another listener) the page is sent as it is.
func sendHeld(r *http.Request, w http.ResponseWriter, send func() error, size int) (err error) {
	pc, _ := r.Context().Value(pageConnKey{}).(*pageConn)
	if pc == nil || size > maxHeldPage {
		return send()
	}
	pc.hold()
	// Released whatever happens (a panic included): what was held leaves
	// as net/http would have sent it.
	defer func() {
		if rerr := pc.release(); err == nil {
			err = rerr
		}
	}()
	if err = send(); err != nil {
		return err
	}
	// Whatever net/http still buffers goes to the connection now, while
	// it holds: with what it held, in one write.
	return http.NewResponseController(w).Flush()
}
