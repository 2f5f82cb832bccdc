package models

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// groupCommit writes items concurrent callers hand it in shared transactions
// (one round trip and one WAL flush for many), and answers each caller only
// after the commit that holds its item: a durable group commit.
//
// There is no timer and no long-lived goroutine: a caller that finds fewer
// than maxFlushers writers busy starts one; a writer takes everything queued
// (up to maxBatch), writes it, and exits when the queue is empty. Under no
// load an item is written at once; under load batches grow by themselves
// while the previous commits are in flight.
type groupCommit[T any] struct {
	write       func(ctx context.Context, items []T) error // all or nothing
	maxFlushers int
	maxBatch    int

	mu       sync.Mutex
	queue    []pendingItem[T]
	flushers int
}

type pendingItem[T any] struct {
	ctx  context.Context
	item T
	done chan error // buffered (1): the writer never waits for its caller
}

// waiters are the answer channels of callers that have been answered: each
// is empty again once its answer was read, so the next caller reuses it
// instead of making one. A caller that gave up (its ctx ended) does not
// return its channel: the writer may still send on it.
var waiters = sync.Pool{New: func() any { return make(chan error, 1) }}

// do queues item and returns once it is committed. If ctx ends first the
// caller is told ctx's error: an item still queued then is skipped, one
// already in a batch being written may still be stored (callers make the
// write idempotent, so that the visitor's retry does not store it twice).
func (g *groupCommit[T]) do(ctx context.Context, item T) error {
	done := waiters.Get().(chan error)
	p := pendingItem[T]{ctx: ctx, item: item, done: done}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	start := g.flushers < g.maxFlushers
	if start {
		g.flushers++
	}
	g.mu.Unlock()
	if start {
		go g.flush()
	}
	select {
	case err := <-done:
		waiters.Put(done)
		return err
	case <-ctx.Done():
		return fmt.Errorf("models: %w", ctx.Err())
	}
}

// flush writes queued items in batches until the queue is empty.
func (g *groupCommit[T]) flush() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), g.maxBatch)
		if n == 0 {
			g.flushers--
			g.mu.Unlock()
			return
		}
		batch := make([]pendingItem[T], 0, n)
		for _, p := range g.queue[:n] {
			if err := p.ctx.Err(); err != nil { // abandoned: its caller has answered already
				p.done <- err
				continue
			}
			batch = append(batch, p)
		}
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		if len(batch) > 0 {
			g.commit(batch)
		}
	}
}

// commit writes one batch. Should it fail, each item is retried alone, so
// one bad item (a constraint, say) fails only its own caller.
func (g *groupCommit[T]) commit(batch []pendingItem[T]) {
	items := make([]T, len(batch))
	for i, p := range batch {
		items[i] = p.item
	}
	err := g.writeWithTimeout(items)
	if err == nil || len(batch) == 1 {
		for _, p := range batch {
			p.done <- err
		}
		return
	}
	for _, p := range batch {
		p.done <- g.writeWithTimeout([]T{p.item})
	}
}

// writeWithTimeout uses its own context, not the callers': the batch
// belongs to all of them.
func (g *groupCommit[T]) writeWithTimeout(items []T) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return g.write(ctx, items)
}
