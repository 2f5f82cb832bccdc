package main

import (
	"io"
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
