package e2e

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestBenchSmoke runs `pkid bench` for a few seconds per operation and
// fails on any error response.
func TestBenchSmoke(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "bench-smoke")
		ca := s.CreateCA(t, token, RootRequest(project, "bench-smoke", "EC_prime256v1", time.Now().Add(48*time.Hour)))
		for _, op := range []string{"sign", "issue"} {
			t.Run(op, func(t *testing.T) {
				run := RunBench(t, BenchCommand(t, s, "--ca", ca.ID, "--op", op,
					"--concurrency", "4", "--duration", "2s", "--raw-duration", "200ms"))
				res := run.Result(t)
				if run.ExitCode != 0 {
					t.Errorf("exit code %d; stderr: %s", run.ExitCode, run.Stderr)
				}
				if res.Errors != 0 {
					t.Errorf("%d failed requests; stderr: %s", res.Errors, run.Stderr)
				}
				if res.Count == 0 || res.Throughput <= 0 {
					t.Errorf("no successful requests: %+v", res)
				}
				if res.Op != op || res.Concurrency != 4 {
					t.Errorf("op %q concurrency %d, want %q and 4", res.Op, res.Concurrency, op)
				}
				if res.LatencyMs.P50 <= 0 || res.LatencyMs.P50 > res.LatencyMs.P99 || res.LatencyMs.P99 > res.LatencyMs.Max {
					t.Errorf("latencies out of order: %+v", res.LatencyMs)
				}
				if res.RawRate <= 0 || res.Ratio <= 0 {
					t.Errorf("rawRate %v ratio %v, want both positive", res.RawRate, res.Ratio)
				}
				requireBenchKeys(t, run.Stdout)
			})
		}
		t.Run("sign with renewals", func(t *testing.T) {
			before := len(s.CACertificates(t, token, ca.ID))
			run := RunBench(t, BenchCommand(t, s, "--ca", ca.ID, "--concurrency", "4",
				"--duration", "2s", "--renew-every", "300ms", "--raw-duration", "0"))
			res := run.Result(t)
			if run.ExitCode != 0 || res.Errors != 0 {
				t.Errorf("exit code %d, %d errors, want 0 and 0; stderr: %s", run.ExitCode, res.Errors, run.Stderr)
			}
			if after := len(s.CACertificates(t, token, ca.ID)); after <= before {
				t.Errorf("%d CA certificate versions after the run, %d before; want more", after, before)
			}
		})
		t.Run("renew", func(t *testing.T) {
			before := len(s.CACertificates(t, token, ca.ID))
			run := RunBench(t, BenchCommand(t, s, "--ca", ca.ID, "--op", "renew",
				"--concurrency", "1", "--count", "5", "--raw-duration", "0"))
			res := run.Result(t)
			if run.ExitCode != 0 || res.Errors != 0 || res.Count != 5 {
				t.Errorf("exit code %d, %d errors, %d renewals, want 0, 0, 5; stderr: %s",
					run.ExitCode, res.Errors, res.Count, run.Stderr)
			}
			if after := len(s.CACertificates(t, token, ca.ID)); after != before+5 {
				t.Errorf("%d CA certificate versions, want %d", after, before+5)
			}
		})
	})
}

// requireBenchKeys fails unless the JSON object has exactly the keys of
// the documented --json output.
func requireBenchKeys(t *testing.T, stdout string) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatalf("decoding %s: %v", stdout, err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"concurrency", "count", "errors", "latencyMs", "op", "ratio", "rawRate", "throughput"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys %v, want %v", keys, want)
	}
	var lat map[string]float64
	if err := json.Unmarshal(m["latencyMs"], &lat); err != nil || len(lat) != 4 {
		t.Errorf("latencyMs %s, want p50, p90, p99 and max", m["latencyMs"])
	}
}
