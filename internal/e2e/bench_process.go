package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// StartProcessOn runs `pkid serve` as its own OS process on a free port
// of 127.0.0.1 with the given data directory and database, so a test can
// kill it and start another on the same data. The admin credentials are
// AdminClientID and AdminClientSecret, and rate limits are off. The
// process is killed when the test ends.
func StartProcessOn(t testing.TB, dataDir, databaseURL, rootKey string) *Process {
	t.Helper()
	p := startProcess(t, dataDir,
		[]string{"--database-url", databaseURL, "--auto-renew-interval", "0", "--rate-limit-identity", "0", "--rate-limit-ip", "0"},
		[]string{"PKID_ROOT_KEY=" + rootKey, "PKID_ADMIN_CLIENT_ID=" + AdminClientID, "PKID_ADMIN_CLIENT_SECRET=" + AdminClientSecret})
	p.DatabaseURL, p.RootKey = databaseURL, rootKey
	return p
}

// BenchResult is the JSON object `pkid bench --json` prints.
type BenchResult struct {
	Op          string  `json:"op"`
	Concurrency int     `json:"concurrency"`
	Count       int     `json:"count"`
	Errors      int     `json:"errors"`
	Throughput  float64 `json:"throughput"`
	LatencyMs   struct {
		P50 float64 `json:"p50"`
		P90 float64 `json:"p90"`
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
	} `json:"latencyMs"`
	RawRate float64 `json:"rawRate"`
	Ratio   float64 `json:"ratio"`
}

// BenchRun is a finished `pkid bench` process.
type BenchRun struct {
	ExitCode int
	Stdout   string
	Stderr   string
}

// BenchCommand returns `pkid bench --json` against server s logged in as
// the admin, with args added. The admin secret goes in on standard input.
func BenchCommand(t testing.TB, s *Server, args ...string) *exec.Cmd {
	t.Helper()
	all := append([]string{"bench", "--server", s.URL, "--client-id", AdminClientID,
		"--client-secret", "-", "--json"}, args...)
	cmd := exec.Command(Binary(t), all...)
	cmd.Stdin = strings.NewReader(AdminClientSecret + "\n")
	return cmd
}

// RunBench runs cmd, made by BenchCommand, to its end.
func RunBench(t testing.TB, cmd *exec.Cmd) BenchRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := BenchRun{Stdout: stdout.String(), Stderr: stderr.String()}
	if exitErr, ok := err.(*exec.ExitError); ok {
		run.ExitCode = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("running pkid bench: %v", err)
	}
	return run
}

// Result decodes the JSON line the run printed.
func (r BenchRun) Result(t testing.TB) BenchResult {
	t.Helper()
	var res BenchResult
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
		t.Fatalf("pkid bench printed no JSON result: %v\nstdout: %s\nstderr: %s", err, r.Stdout, r.Stderr)
	}
	return res
}
