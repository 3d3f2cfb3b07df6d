package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// repoRoot returns the module root, found from this source file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Binary builds the pkid command once per test binary and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pkid-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "pkid")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/pkid")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// Process is a `pkid serve` running as its own OS process.
type Process struct {
	*Server
	Cmd *exec.Cmd
}

// StartProcess runs `pkid serve` on a free port of 127.0.0.1 with the
// given environment added, and waits until it logs that it is ready. The
// process is killed when the test ends.
func StartProcess(t testing.TB, env ...string) *Process {
	t.Helper()
	return startProcess(t, t.TempDir(), nil, env)
}

// startProcess runs `pkid serve` on dataDir with extra flags and
// environment, so a test can kill it and start another on the same data.
func startProcess(t testing.TB, dataDir string, flags, env []string) *Process {
	t.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--log-format", "json"}, flags...)
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	logBuf := &SyncBuffer{}
	ready := make(chan string, 1)
	go scanReady(stderr, logBuf, ready)
	select {
	case addr := <-ready:
		s := &Server{URL: "http://" + addr, DataDir: dataDir, Log: logBuf, client: newHTTPClient()}
		return &Process{Server: s, Cmd: cmd}
	case <-time.After(60 * time.Second):
		t.Fatalf("pkid serve did not become ready; log:\n%s", logBuf.String())
	}
	return nil
}

// scanReady copies the log into buf and sends the address of the
// "pkid ready" line.
func scanReady(r io.Reader, buf *SyncBuffer, ready chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		buf.Write(append(line, '\n'))
		var m struct {
			Msg     string `json:"msg"`
			Address string `json:"address"`
		}
		if json.Unmarshal(line, &m) == nil && m.Msg == "pkid ready" {
			ready <- m.Address
		}
	}
}
