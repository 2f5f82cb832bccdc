package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an output the flushing goroutine and the test share.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) read() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

// Lines are written together, in order, within the interval; a full buffer
// is written at once; Close writes the rest, and later lines go straight out.
func TestLogLinesBatchesAndFlushes(t *testing.T) {
	out := &lockedBuffer{}
	l := newLogLines(out, 300*time.Millisecond)
	for i := range 100 {
		_, _ = l.Write([]byte("line " + strings.Repeat("x", i%7) + "\n"))
	}
	if s, _ := out.read(); s != "" {
		t.Fatalf("written before the interval: %q", s)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, writes := out.read()
		if strings.Count(s, "\n") == 100 {
			if writes != 1 {
				t.Errorf("100 lines took %d writes, want 1", writes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lines never flushed: %d of 100", strings.Count(s, "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}

	big := strings.Repeat("y", logLinesSize) + "\n" // larger than the buffer: written through
	_, _ = l.Write([]byte("before\n"))
	_, _ = l.Write([]byte(big))
	if s, _ := out.read(); !strings.HasSuffix(s, "before\n"+big) {
		t.Errorf("a line larger than the buffer is not written at once, after the lines before it")
	}

	_, _ = l.Write([]byte("last\n"))
	l.Close()
	if s, _ := out.read(); !strings.HasSuffix(s, "last\n") {
		t.Errorf("Close did not write the buffered line")
	}
	_, _ = l.Write([]byte("after\n"))
	if s, _ := out.read(); !strings.HasSuffix(s, "after\n") {
		t.Errorf("a line after Close is not written at once")
	}
}

func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", defaultMemoryLimit, true},
		{"off", 0, true},
		{"48MiB", 48 << 20, true},
		{"1GiB", 1 << 30, true},
		{"65536KiB", 64 << 20, true},
		{"33554432", 32 << 20, true},
		{"33554432B", 32 << 20, true},
		{"8MiB", 0, false}, // below what the server itself needs
		{"48MB", 0, false},
		{"-1", 0, false},
		{"lots", 0, false},
		{"99999999999GiB", 0, false},
	} {
		got, err := memoryLimit(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("memoryLimit(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "PORTAL_MEMORY_LIMIT") {
			t.Errorf("memoryLimit(%q): the error does not name the variable: %v", c.in, err)
		}
	}
}
