package loadtest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// callLog records which requests runOpenLoop sent and when.
type callLog struct {
	mu    sync.Mutex
	index []int64
	at    []time.Duration
}

func (c *callLog) add(i int64, at time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index = append(c.index, i)
	c.at = append(c.at, at)
}

func TestOpenLoopKeepsSchedule(t *testing.T) {
	const rate = 200.0
	var calls callLog
	start := time.Now()
	stats := runOpenLoop(context.Background(), rate, 0, 500*time.Millisecond, 4, func(i int64) {
		calls.add(i, time.Since(start))
	})
	elapsed := time.Since(start)

	// Requests are due every 5 ms from 0 to 495 ms.
	if stats.Scheduled != 100 {
		t.Errorf("scheduled %d requests, want 100", stats.Scheduled)
	}
	if stats.Dropped != 0 {
		t.Errorf("dropped %d requests of an instant send with 4 workers, want 0", stats.Dropped)
	}
	if stats.Rate != rate {
		t.Errorf("rate %v, want %v", stats.Rate, rate)
	}
	if elapsed < 490*time.Millisecond {
		t.Errorf("run took %v, want about 500 ms: the requests were not spread out", elapsed)
	}

	slices.Sort(calls.index)
	want := make([]int64, 100)
	for i := range want {
		want[i] = int64(i)
	}
	if !slices.Equal(calls.index, want) {
		t.Errorf("sent requests %v, want 0 to 99 once each", calls.index)
	}
	for k, at := range calls.at {
		// Request i is due at i × 5 ms; a small margin covers the clock
		// reads of the test itself.
		due := time.Duration(calls.index[k]) * 5 * time.Millisecond
		if at < due-time.Millisecond {
			t.Errorf("request %d sent at %v, before it was due at %v", calls.index[k], at, due)
		}
	}
}

func TestOpenLoopDropsWhenSaturated(t *testing.T) {
	// Each request takes 100 ms, so 4 workers finish at most 4 every
	// 100 ms while the schedule holds 10.
	var calls callLog
	start := time.Now()
	stats := runOpenLoop(context.Background(), 100, 20, time.Hour, 4, func(i int64) {
		calls.add(i, time.Since(start))
		time.Sleep(100 * time.Millisecond)
	})
	elapsed := time.Since(start)
	if stats.Scheduled != 20 {
		t.Errorf("scheduled %d requests, want 20 (the count)", stats.Scheduled)
	}
	if stats.Dropped < 5 {
		t.Errorf("dropped %d requests, want at least 5", stats.Dropped)
	}
	if sent := len(calls.index); sent+stats.Dropped != stats.Scheduled {
		t.Errorf("sent %d and dropped %d, want them to add up to %d scheduled", sent, stats.Dropped, stats.Scheduled)
	}
	// A closed loop would need 20 / 4 × 100 ms = 500 ms; the open loop
	// ends when the last scheduled request (190 ms) has finished.
	if elapsed >= 450*time.Millisecond {
		t.Errorf("run took %v, want well under the 500 ms of a closed loop", elapsed)
	}
}

func TestOpenLoopStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	stats := runOpenLoop(ctx, 100, 0, time.Hour, 2, func(int64) {})
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("run took %v after its context ended at 100 ms", elapsed)
	}
	if stats.Scheduled < 5 || stats.Scheduled > 12 {
		t.Errorf("scheduled %d requests in 100 ms at 100/s, want about 10", stats.Scheduled)
	}
}
