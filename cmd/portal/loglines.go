package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// logLines gathers the server's log lines and writes them to out in batches:
// one JSON line per request, each written on its own, was one system call
// per request (a third of the writes of a cookie choice). A line reaches out
// within the flush interval, or sooner when the buffer fills; Close writes
// what is left. Only a crash of the process itself can lose the last
// interval's lines (a panic in a handler is recovered and logged as usual).
type logLines struct {
	out  io.Writer
	mu   sync.Mutex
	buf  []byte
	stop chan struct{}
	done chan struct{}
}

// logLinesSize is the buffer: some 300 request lines.
const logLinesSize = 64 << 10

func newLogLines(out io.Writer, every time.Duration) *logLines {
	l := &logLines{out: out, buf: make([]byte, 0, logLinesSize), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flushEvery(every)
	return l
}

// Write keeps p (a whole line: slog writes each record in one call) for the
// next flush. Like a logger, it never fails its caller: a line the output
// refuses is dropped.
func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf)+len(p) > cap(l.buf) {
		l.flushLocked()
		if len(p) > cap(l.buf) {
			_, _ = l.out.Write(p)
			return len(p), nil
		}
	}
	l.buf = append(l.buf, p...)
	return len(p), nil
}

func (l *logLines) flushLocked() {
	if len(l.buf) > 0 {
		_, _ = l.out.Write(l.buf)
		l.buf = l.buf[:0]
	}
}

func (l *logLines) flush() {
	l.mu.Lock()
	l.flushLocked()
	l.mu.Unlock()
}

func (l *logLines) flushEvery(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flush()
		case <-l.stop:
			l.flush()
			return
		}
	}
}

// Close writes the lines still buffered and stops the flushing; later
// writes go straight to out.
func (l *logLines) Close() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	l.buf = l.buf[:0:0] // cap 0: every later line is written at once
	l.mu.Unlock()
}

// jsonLines is slog's JSONHandler with its default options that writes the
// records made only of plain values itself, in one pooled buffer: a key,
// message or string of printable ASCII that JSON writes as it is, an
// integer, a duration, a boolean. The request line of every request is one,
// and the JSONHandler's general path (its state, escaping and lock) was 3%
// of the server's CPU on a cookie choice. Any other record, and
// every handler derived from this one (WithAttrs, WithGroup), is the
// JSONHandler's; TestJSONLinesIsSlogs holds the lines equal.
type jsonLines struct {
	*slog.JSONHandler
	out io.Writer
}

func newJSONLines(out io.Writer) jsonLines { return jsonLines{slog.NewJSONHandler(out, nil), out} }

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (h jsonLines) Handle(ctx context.Context, r slog.Record) error {
	bp := lineBuffers.Get().(*[]byte)
	defer lineBuffers.Put(bp)
	b, ok := appendPlainLine((*bp)[:0], r)
	*bp = b[:0]
	if !ok {
		return h.JSONHandler.Handle(ctx, r)
	}
	_, err := h.out.Write(b)
	return err
}

// appendPlainLine appends r as the JSONHandler writes it, if every value of
// it is plain (jsonLines); ok is false otherwise.
func appendPlainLine(b []byte, r slog.Record) (_ []byte, ok bool) {
	if !plainJSON(r.Message) {
		return b, false
	}
	b = append(b, '{')
	if !r.Time.IsZero() {
		t := r.Time.Round(0)
		if y := t.Year(); y < 0 || y >= 10000 {
			return b, false
		}
		b = append(b, `"time":"`...)
		b = append(t.AppendFormat(b, time.RFC3339Nano), `",`...)
	}
	b = append(append(b, `"level":"`...), r.Level.String()...)
	b = append(append(append(b, `","msg":"`...), r.Message...), '"')
	ok = true
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "" || !plainJSON(a.Key) {
			ok = false
			return false
		}
		b = append(append(append(b, `,"`...), a.Key...), `":`...)
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			s := v.String()
			if !plainJSON(s) {
				ok = false
				return false
			}
			b = append(append(append(b, '"'), s...), '"')
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindDuration:
			b = strconv.AppendInt(b, int64(v.Duration()), 10)
		case slog.KindBool:
			b = strconv.AppendBool(b, v.Bool())
		default:
			ok = false
		}
		return ok
	})
	return append(b, "}\n"...), ok
}

// plainJSON reports whether JSON writes s between quotes as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
