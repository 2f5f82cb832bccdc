package models

import (
	"context"
	"errors"
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
