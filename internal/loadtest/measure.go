package loadtest

import (
	"math"
	"slices"
	"sync"
	"time"
)

// maxErrorSamples bounds the distinct error messages a run keeps.
const maxErrorSamples = 5

// measurements collects what the workers observed.
type measurements struct {
	mu            sync.Mutex
	latencies     []time.Duration
	errors        int
	errorSamples  []string
	renewals      int
	renewalErrors int
	elapsed       time.Duration
	openLoop      *OpenLoop
}

func (m *measurements) addLatencies(l []time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.latencies = append(m.latencies, l...)
}

func (m *measurements) addError(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors++
	m.sample(err)
}

func (m *measurements) sample(err error) {
	msg := err.Error()
	if len(m.errorSamples) < maxErrorSamples && !slices.Contains(m.errorSamples, msg) {
		m.errorSamples = append(m.errorSamples, msg)
	}
}

func (m *measurements) addRenewal(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.renewals++
	if err != nil {
		m.renewalErrors++
		m.sample(err)
	}
}

// summarize computes throughput and latency percentiles.
func (m *measurements) summarize(cfg Config) (Result, Details) {
	slices.Sort(m.latencies)
	res := Result{
		Op: cfg.Op, Concurrency: cfg.Concurrency, Count: len(m.latencies), Errors: m.errors,
		LatencyMs: Latencies{
			P50: percentileMs(m.latencies, 0.50), P90: percentileMs(m.latencies, 0.90),
			P99: percentileMs(m.latencies, 0.99), Max: percentileMs(m.latencies, 1),
		},
		OpenLoop: m.openLoop,
	}
	if m.elapsed > 0 {
		res.Throughput = float64(res.Count) / m.elapsed.Seconds()
	}
	return res, Details{
		Elapsed: m.elapsed, Renewals: m.renewals, RenewalErrors: m.renewalErrors,
		FirstErrors: m.errorSamples,
	}
}

// percentileMs returns the nearest-rank percentile p (0–1] of sorted
// durations in milliseconds, 0 for none.
func percentileMs(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return float64(sorted[rank].Microseconds()) / 1000
}
