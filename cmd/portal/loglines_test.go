package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
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

// The server's handler writes every record as slog's JSONHandler does, byte
// for byte: the plain ones itself, the others through the JSONHandler.
func TestJSONLinesIsSlogs(t *testing.T) {
	at := time.Date(2026, 11, 30, 13, 40, 5, 123456789, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	type group = []slog.Attr
	for name, r := range map[string]struct {
		at    time.Time
		level slog.Level
		msg   string
		attrs []slog.Attr
	}{
		"request": {at, slog.LevelInfo, "request", group{slog.String("request_id", "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf"), slog.String("method", "GET"),
			slog.String("route", "/admin/records/:purpose/:id"), slog.Int("status", 200), slog.Duration("duration", 1234567*time.Nanosecond)}},
		"no attributes":     {at, slog.LevelWarn, "serving", nil},
		"zero time":         {time.Time{}, slog.LevelInfo, "m", group{slog.Bool("ok", true)}},
		"monotonic":         {time.Now(), slog.LevelInfo, "m", nil},
		"another zone":      {at.In(paris), slog.LevelError, "m", nil},
		"year 10000":        {time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "m", nil},
		"level+2":           {at, slog.LevelInfo + 2, "m", group{slog.Int64("n", -5), slog.Uint64("u", 1<<63), slog.Duration("d", -time.Second)}},
		"escaped message":   {at, slog.LevelInfo, "a \"quote\"\n", nil},
		"escaped string":    {at, slog.LevelInfo, "m", group{slog.String("s", "<é>&\\\u2028\x01")}},
		"escaped key":       {at, slog.LevelInfo, "m", group{slog.String("k\"ey", "v")}},
		"empty key":         {at, slog.LevelInfo, "m", group{slog.String("", "v"), slog.Any("", nil)}},
		"float":             {at, slog.LevelInfo, "m", group{slog.Float64("f", 1.5e21)}},
		"time value":        {at, slog.LevelInfo, "m", group{slog.Time("t", at)}},
		"error":             {at, slog.LevelInfo, "m", group{slog.Any("error", errors.New("boom \"x\""))}},
		"group":             {at, slog.LevelInfo, "m", group{slog.Group("g", slog.String("a", "b"), slog.Int("n", 1))}},
		"empty group":       {at, slog.LevelInfo, "m", group{slog.Group("g")}},
		"valuer":            {at, slog.LevelInfo, "m", group{slog.Any("v", plainValuer{})}},
		"plain after other": {at, slog.LevelInfo, "m", group{slog.Any("a", []int{1}), slog.String("b", "c")}},
	} {
		t.Run(name, func(t *testing.T) {
			var got, want bytes.Buffer
			rec := slog.NewRecord(r.at, r.level, r.msg, 0)
			rec.AddAttrs(r.attrs...)
			if err := newJSONLines(&got).Handle(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			_ = slog.NewJSONHandler(&want, nil).Handle(context.Background(), rec)
			if got.String() != want.String() {
				t.Errorf("wrote %q, slog writes %q", got.String(), want.String())
			}
		})
	}
	// A derived handler is the JSONHandler's, its attributes included.
	var got, want bytes.Buffer
	slog.New(newJSONLines(&got)).With("a", "b").WithGroup("g").Info("m", "k", "v")
	slog.New(slog.NewJSONHandler(&want, nil)).With("a", "b").WithGroup("g").Info("m", "k", "v")
	if g, w := strings.SplitN(got.String(), ",", 2)[1], strings.SplitN(want.String(), ",", 2)[1]; g != w {
		t.Errorf("derived: wrote %q, slog writes %q", g, w)
	}
}

type plainValuer struct{}

func (plainValuer) LogValue() slog.Value { return slog.StringValue("resolved") }
