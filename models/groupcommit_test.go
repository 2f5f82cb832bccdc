package models

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
)

// Concurrent callers share commits, each is answered with its own outcome,
// and a failing item fails only its own caller.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	var mu sync.Mutex
	var written []int
	batches := 0
	g := &groupCommit[int]{maxFlushers: 1, maxBatch: 16, write: func(_ context.Context, items []int) error {
		mu.Lock()
		defer mu.Unlock()
		batches++
		for _, it := range items {
			if it%10 == 7 {
				return errors.New("bad item") // all or nothing, like a transaction
			}
		}
		written = append(written, items...)
		return nil
	}}
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = g.do(context.Background(), i) })
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 7) != (err != nil) {
			t.Errorf("item %d: err = %v", i, err)
		}
	}
	if len(written) != n-n/10 {
		t.Errorf("%d items written, want %d", len(written), n-n/10)
	}
	if batches >= n+n {
		t.Errorf("%d writes for %d items: nothing was grouped", batches, n)
	}
}

func TestGroupCommitHonoursCallerContext(t *testing.T) {
	release := make(chan struct{})
	g := &groupCommit[int]{maxFlushers: 1, maxBatch: 1, write: func(context.Context, []int) error {
		<-release
		return nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.do(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	close(release)
}

// An item whose caller gave up while it waited in the queue is not
// written: the caller was told it failed, so the visitor will send it again.
func TestGroupCommitSkipsAbandonedItems(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var written []int
	g := &groupCommit[int]{maxFlushers: 1, maxBatch: 16, write: func(_ context.Context, items []int) error {
		if items[0] == 1 {
			close(started)
			<-release
		}
		mu.Lock()
		written = append(written, items...)
		mu.Unlock()
		return nil
	}}
	first := make(chan error, 1)
	go func() { first <- g.do(context.Background(), 1) }()
	<-started // item 1 is being written; item 2 waits in the queue
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { second <- g.do(ctx, 2) }()
	for {
		g.mu.Lock()
		queued := len(g.queue)
		g.mu.Unlock()
		if queued == 1 {
			break
		}
		runtime.Gosched()
	}
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned caller: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// Wait for the flusher to take the queue.
	for {
		g.mu.Lock()
		idle := g.flushers == 0
		g.mu.Unlock()
		if idle {
			break
		}
		runtime.Gosched()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(written) != 1 || written[0] != 1 {
		t.Errorf("written %v, want only [1]: the abandoned item was stored", written)
	}
}
