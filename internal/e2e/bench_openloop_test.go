package e2e

import (
	"encoding/json"
	"testing"
	"time"
)

// TestBenchOpenLoop runs `pkid bench --rate` for two seconds and checks
// that it kept the schedule: every scheduled request was sent and
// succeeded.
func TestBenchOpenLoop(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "bench-open-loop")
		ca := s.CreateCA(t, token, RootRequest(project, "bench-open-loop", "EC_prime256v1", time.Now().Add(48*time.Hour)))
		run := RunBench(t, BenchCommand(t, s, "--ca", ca.ID, "--rate", "100",
			"--concurrency", "8", "--duration", "2s", "--raw-duration", "0"))
		res := run.Result(t)
		if run.ExitCode != 0 {
			t.Errorf("exit code %d; stderr: %s", run.ExitCode, run.Stderr)
		}
		var out struct {
			OpenLoop *struct {
				Rate      float64 `json:"rate"`
				Scheduled int     `json:"scheduled"`
				Dropped   int     `json:"dropped"`
				Late      int     `json:"late"`
				MaxLateMs float64 `json:"maxLateMs"`
			} `json:"openLoop"`
		}
		if err := json.Unmarshal([]byte(run.Stdout), &out); err != nil {
			t.Fatalf("decoding %s: %v", run.Stdout, err)
		}
		ol := out.OpenLoop
		if ol == nil {
			t.Fatalf("no openLoop object in %s", run.Stdout)
		}
		if ol.Rate != 100 {
			t.Errorf("openLoop.rate %v, want 100", ol.Rate)
		}
		// 100 per second for 2 s, due at 0, 10, …, 1990 ms.
		if ol.Scheduled != 200 {
			t.Errorf("%d requests scheduled, want 200", ol.Scheduled)
		}
		// At 100/s with 8 in flight a request is dropped only when the
		// server takes over 80 ms per request.
		if ol.Dropped != 0 {
			t.Errorf("%d requests dropped, want 0", ol.Dropped)
		}
		if res.Errors != 0 {
			t.Errorf("%d failed requests; stderr: %s", res.Errors, run.Stderr)
		}
		if res.Count != ol.Scheduled-ol.Dropped {
			t.Errorf("%d successful requests, want %d scheduled less %d dropped", res.Count, ol.Scheduled, ol.Dropped)
		}
		// The rate, not the 8 clients, bounds the throughput.
		if res.Throughput < 80 || res.Throughput > 105 {
			t.Errorf("throughput %.1f/s, want about 100", res.Throughput)
		}
	})
}
