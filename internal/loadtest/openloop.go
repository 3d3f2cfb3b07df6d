package loadtest

import (
	"context"
	"sync"
	"time"
)

// lateAfter is how far behind its scheduled time a request may start
// before an open-loop run counts it as late.
const lateAfter = time.Millisecond

// OpenLoop describes how an open-loop run (Config.Rate above zero) kept
// to its schedule.
type OpenLoop struct {
	// Rate is the requested rate, per second.
	Rate float64 `json:"rate"`
	// Scheduled is the number of requests the schedule held, sent or not.
	Scheduled int `json:"scheduled"`
	// Dropped is the number of scheduled requests that were not sent
	// because --concurrency requests were already in flight at their
	// scheduled time.
	Dropped int `json:"dropped"`
	// Late is the number of requests sent more than lateAfter (1 ms)
	// after their scheduled time, because the load tool itself fell
	// behind. MaxLateMs is the largest such delay.
	Late      int     `json:"late"`
	MaxLateMs float64 `json:"maxLateMs"`
}

// scheduledRequest is request number i of an open-loop run, due at due.
type scheduledRequest struct {
	i   int64
	due time.Time
}

// runOpenLoop calls send for request 0, 1, 2, … at rate per second,
// spread evenly, whether or not earlier calls have returned, with at most
// workers calls running at once. A request that finds every worker busy
// at its scheduled time is dropped, not queued, so a slow server cannot
// turn the run into a closed loop. The schedule ends after count requests
// when count is positive, else when duration has passed; runOpenLoop then
// waits for the calls in flight and returns.
func runOpenLoop(ctx context.Context, rate float64, count int, duration time.Duration, workers int,
	send func(i int64)) OpenLoop {
	stats := OpenLoop{Rate: rate}
	// inFlight contains one token per request sent and not yet returned,
	// and a request that finds it full is dropped. jobs has the same
	// capacity, so handing over a request never blocks, even before the
	// workers have started.
	inFlight := make(chan struct{}, workers)
	jobs := make(chan scheduledRequest, workers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if behind := time.Since(job.due); behind > lateAfter {
					mu.Lock()
					stats.Late++
					stats.MaxLateMs = max(stats.MaxLateMs, float64(behind.Microseconds())/1000)
					mu.Unlock()
				}
				send(job.i)
				<-inFlight
			}
		}()
	}
	start := time.Now()
	end := start.Add(duration)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := int64(0); ; i++ {
		// Offsets come from i rather than from adding an interval each
		// time, so rounding does not drift the rate.
		due := start.Add(time.Duration(float64(i) * float64(time.Second) / rate))
		if count > 0 && i >= int64(count) || count == 0 && !due.Before(end) {
			break
		}
		if !waitUntil(ctx, timer, due) {
			break
		}
		stats.Scheduled++
		select {
		case inFlight <- struct{}{}:
			jobs <- scheduledRequest{i: i, due: due}
		default:
			stats.Dropped++
		}
	}
	close(jobs)
	wg.Wait()
	return stats
}

// waitUntil sleeps on timer until t and reports false when ctx ended
// first.
func waitUntil(ctx context.Context, timer *time.Timer, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(d)
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
