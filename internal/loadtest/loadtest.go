// Package loadtest drives a running pkid server over HTTP to measure how
// many certificates it signs per second and how long each request takes.
// It also measures the in-process rate of the same signing work, so the
// server's throughput can be read as a share of what the CPU allows.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkid/pkid/internal/client"
)

// Operations the load test can send.
const (
	OpSign  = "sign"  // POST …/certificates/sign-certificate with a CSR
	OpIssue = "issue" // POST …/certificates/issue-certificate
	OpRenew = "renew" // POST …/ca/internal/{caId}/renew
)

// Config is one load test run.
type Config struct {
	Server       string // base URL, such as http://127.0.0.1:8080
	ClientID     string
	ClientSecret string
	CAID         string
	Op           string
	Concurrency  int
	// Duration or Count ends the run, whichever is set; Count wins when
	// both are.
	Duration time.Duration
	Count    int
	// LeafKeyAlgorithm is the key algorithm of the CSRs of OpSign, in the
	// API's names (EC_prime256v1, RSA_2048, …).
	LeafKeyAlgorithm string
	// AckedFile, when set, receives the serial number of every certificate
	// the server acknowledged, one per line, appended and fsynced.
	AckedFile string
	// RenewEvery, when positive, renews the CA at this interval during an
	// OpSign or OpIssue run, to measure issuance while the CA renews.
	RenewEvery time.Duration
	// RawDuration is how long the in-process rate is measured; zero skips
	// it.
	RawDuration time.Duration
	// Rate, when positive, makes the run open-loop: requests are sent at
	// this many per second, spread evenly, whether or not earlier ones
	// have finished, with at most Concurrency in flight. Zero keeps
	// Concurrency clients each sending its next request when the last
	// one returns.
	Rate float64
}

// Latencies are percentiles of the successful requests, in milliseconds.
type Latencies struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Result is the outcome of a run, in the shape `pkid bench --json`
// prints.
type Result struct {
	Op          string `json:"op"`
	Concurrency int    `json:"concurrency"`
	// Count is the number of successful requests.
	Count  int `json:"count"`
	Errors int `json:"errors"`
	// Throughput is successful requests per second of wall time.
	Throughput float64   `json:"throughput"`
	LatencyMs  Latencies `json:"latencyMs"`
	// RawRate is the in-process rate, per second on all cores, of
	// x509.CreateCertificate plus a CSR signature check; Ratio is
	// Throughput divided by it.
	RawRate float64 `json:"rawRate"`
	Ratio   float64 `json:"ratio"`
	// OpenLoop is set only for an open-loop run.
	OpenLoop *OpenLoop `json:"openLoop,omitempty"`
}

// Details are the figures of a run that the JSON result leaves out.
type Details struct {
	Elapsed        time.Duration
	CAKeyAlgorithm string
	// RawRateOneCore is the in-process rate with one goroutine.
	RawRateOneCore float64
	Cores          int
	Renewals       int
	RenewalErrors  int
	// FirstErrors holds up to five distinct error messages.
	FirstErrors []string
}

// Run prepares the requests, runs the timed load and then measures the
// in-process rate.
func Run(ctx context.Context, cfg Config) (Result, Details, error) {
	if err := cfg.check(); err != nil {
		return Result{}, Details{}, err
	}
	t, err := newTarget(ctx, cfg)
	if err != nil {
		return Result{}, Details{}, err
	}
	reqs, err := t.prepare(cfg)
	if err != nil {
		return Result{}, Details{}, err
	}
	var acked *ackWriter
	if cfg.AckedFile != "" {
		if acked, err = openAckWriter(cfg.AckedFile); err != nil {
			return Result{}, Details{}, err
		}
	}
	m := t.load(ctx, cfg, reqs, acked)
	if acked != nil {
		if err := acked.close(); err != nil {
			return Result{}, Details{}, err
		}
	}
	res, det := m.summarize(cfg)
	det.CAKeyAlgorithm = t.ca.Configuration.KeyAlgorithm
	det.Cores = runtime.NumCPU()
	if cfg.RawDuration > 0 {
		raw, err := newRawBench(t.ca.Configuration.KeyAlgorithm, reqs.csrDER)
		if err != nil {
			return res, det, err
		}
		det.RawRateOneCore = raw.rate(ctx, 1, cfg.RawDuration/2)
		res.RawRate = raw.rate(ctx, det.Cores, cfg.RawDuration)
		if res.RawRate > 0 {
			res.Ratio = res.Throughput / res.RawRate
		}
	}
	return res, det, nil
}

func (cfg Config) check() error {
	switch {
	case cfg.Server == "":
		return errors.New("missing server address")
	case cfg.CAID == "":
		return errors.New("missing CA id")
	case cfg.Op != OpSign && cfg.Op != OpIssue && cfg.Op != OpRenew:
		return fmt.Errorf("invalid operation %q: use sign, issue or renew", cfg.Op)
	case cfg.Concurrency < 1:
		return fmt.Errorf("invalid concurrency %d: use 1 or more", cfg.Concurrency)
	case cfg.Count < 0:
		return fmt.Errorf("invalid count %d: use 1 or more", cfg.Count)
	case cfg.Rate < 0:
		return fmt.Errorf("invalid rate %v: use a positive number of requests per second, or 0 for a closed loop", cfg.Rate)
	case cfg.Count == 0 && cfg.Duration <= 0:
		return errors.New("set a duration or a count")
	}
	return nil
}

// target is the server and CA under load.
type target struct {
	server string
	token  string
	ca     client.CA
	http   *http.Client
}

// newTarget logs in and reads the CA.
func newTarget(ctx context.Context, cfg Config) (*target, error) {
	c, err := client.New(cfg.Server, "")
	if err != nil {
		return nil, err
	}
	login, _, err := c.Login(ctx, cfg.ClientID, cfg.ClientSecret)
	if err != nil {
		return nil, fmt.Errorf("logging in to %s: %w", cfg.Server, err)
	}
	c, err = client.New(cfg.Server, login.AccessToken)
	if err != nil {
		return nil, err
	}
	ca, _, err := c.GetCA(ctx, cfg.CAID)
	if err != nil {
		return nil, fmt.Errorf("reading CA %s: %w", cfg.CAID, err)
	}
	// One idle connection per worker, so no request waits for a new TCP
	// connection after the first round.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = cfg.Concurrency + 2
	transport.MaxIdleConnsPerHost = cfg.Concurrency + 2
	return &target{
		server: c.BaseURL(), token: login.AccessToken, ca: ca,
		http: &http.Client{Transport: transport, Timeout: client.DefaultTimeout},
	}, nil
}

// load sends requests until the count is reached or the duration has
// passed: from cfg.Concurrency clients in a closed loop, or at cfg.Rate
// in an open loop.
func (t *target) load(ctx context.Context, cfg Config, reqs *requests, acked *ackWriter) *measurements {
	sendCtx := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Count == 0 {
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	m := &measurements{}
	renewDone := make(chan struct{})
	if cfg.RenewEvery > 0 && cfg.Op != OpRenew {
		go func() {
			defer close(renewDone)
			t.renewPeriodically(ctx, cfg.RenewEvery, reqs, m)
		}()
	} else {
		close(renewDone)
	}
	start := time.Now()
	if cfg.Rate > 0 {
		// Requests in flight when the schedule ends run to completion, so
		// they get the caller's context rather than the run's deadline.
		stats := runOpenLoop(ctx, cfg.Rate, cfg.Count, cfg.Duration, cfg.Concurrency, func(i int64) {
			var lat []time.Duration
			t.sendOne(sendCtx, cfg, reqs, i, m, acked, &lat)
			m.addLatencies(lat)
		})
		m.openLoop = &stats
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < cfg.Concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t.work(ctx, cfg, reqs, &next, m, acked)
			}()
		}
		wg.Wait()
	}
	m.elapsed = time.Since(start)
	cancel()
	<-renewDone
	return m
}

// work sends requests until the run ends.
func (t *target) work(ctx context.Context, cfg Config, reqs *requests, next *atomic.Int64, m *measurements, acked *ackWriter) {
	var lat []time.Duration
	defer func() { m.addLatencies(lat) }()
	for ctx.Err() == nil {
		i := next.Add(1) - 1
		if cfg.Count > 0 && i >= int64(cfg.Count) {
			return
		}
		if !t.sendOne(ctx, cfg, reqs, i, m, acked, &lat) {
			return
		}
	}
}

// sendOne sends request i and records its latency in lat, or its error
// in m. It returns false when the run ended while the request was in
// flight, which is neither a success nor an error.
func (t *target) sendOne(ctx context.Context, cfg Config, reqs *requests, i int64, m *measurements,
	acked *ackWriter, lat *[]time.Duration) bool {
	method, path, body := reqs.request(i)
	began := time.Now()
	serial, err := t.send(ctx, method, path, body)
	took := time.Since(began)
	if err != nil {
		if ctx.Err() != nil && cfg.Count == 0 {
			return false
		}
		m.addError(err)
		if isConnectionError(err) && cfg.Rate == 0 {
			// A server that is down fails requests at once, so pause to
			// keep the run from spinning. An open-loop run keeps its schedule.
			sleep(ctx, 10*time.Millisecond)
		}
		return true
	}
	*lat = append(*lat, took)
	if acked != nil {
		acked.add(serial)
	}
	return true
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
