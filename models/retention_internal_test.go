package models

import (
	"testing"
	"time"
)

// A sweep batch that held its locks on records too long is followed by a
// smaller one, never an empty one, and quick batches grow back to the
// configured size, never beyond it.
func TestNextBatchBoundsTheTimeLocksAreHeld(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size, most int
		took       time.Duration
		want       int
	}{
		{"slow batch halves", 500, 500, 4 * batchTime, 250},
		{"just over the bound halves", 500, 500, batchTime + time.Millisecond, 250},
		{"slow batch of one stays one", 1, 500, 10 * batchTime, 1},
		{"slow batch of three becomes one", 3, 500, 2 * batchTime, 1},
		{"in between keeps its size", 250, 500, batchTime / 2, 250},
		{"at the bound keeps its size", 250, 500, batchTime, 250},
		{"quick batch doubles", 125, 500, time.Millisecond, 250},
		{"quick batch stops at the configured size", 400, 500, time.Millisecond, 500},
		{"quick batch at the configured size stays", 500, 500, time.Millisecond, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextBatch(tc.size, tc.most, tc.took); got != tc.want {
				t.Errorf("nextBatch(%d, %d, %v) = %d, want %d", tc.size, tc.most, tc.took, got, tc.want)
			}
		})
	}
	// A stall (a checkpoint's fsync, say) shrinks the batches until one is
	// quick enough, then they return to the configured size.
	size := 500
	for _, took := range []time.Duration{2 * time.Second, time.Second, 300 * time.Millisecond, 40 * time.Millisecond, 20 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond} {
		size = nextBatch(size, 500, took)
	}
	if size != 500 {
		t.Errorf("after a stall and quick batches the size is %d, want 500", size)
	}
}
