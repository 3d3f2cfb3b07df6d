package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildPkid compiles the pkid binary into a temporary directory.
func buildPkid(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pkid")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// servedProcess is a running `pkid serve` and the JSON lines it logged.
type servedProcess struct {
	cmd   *exec.Cmd
	addr  string
	lines chan map[string]any
	log   *strings.Builder
}

// startServe runs `pkid serve` on a free port and waits until it logs that
// it is ready.
func startServe(t *testing.T, bin, dataDir string, env ...string) *servedProcess {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--log-format", "json")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &servedProcess{cmd: cmd, lines: make(chan map[string]any, 100), log: &strings.Builder{}}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan string, 1)
	go p.readLog(stderr, ready)
	select {
	case p.addr = <-ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("pkid serve did not become ready; log:\n%s", p.log.String())
	}
	return p
}

func (p *servedProcess) readLog(r io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		p.log.WriteString(line + "\n")
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if m["msg"] == "pkid ready" {
			ready <- fmt.Sprint(m["address"])
		}
		select {
		case p.lines <- m:
		default:
		}
	}
	close(p.lines)
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// TestServeFirstStartAndGracefulStop starts the real binary on an empty
// data directory, checks the files and log of the first start, then sends
// SIGTERM while a slow request is in flight: the request must finish and
// the process exit 0.
func TestServeFirstStartAndGracefulStop(t *testing.T) {
	bin := buildPkid(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	p := startServe(t, bin, dataDir, "PKID_ROOT_KEY=", "PKID_ADMIN_CLIENT_ID=", "PKID_ADMIN_CLIENT_SECRET=")
	base := "http://" + p.addr

	resp, err := http.Get(base + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status route answered %d", resp.StatusCode)
	}
	credsPath := filepath.Join(dataDir, "admin-credentials.json")
	for _, f := range []string{credsPath, filepath.Join(dataDir, "root.key"), filepath.Join(dataDir, "pkid.db")} {
		if m := fileMode(t, f); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), m)
		}
	}
	var creds struct{ ClientID, ClientSecret string }
	data, err := os.ReadFile(credsPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &creds); err != nil || creds.ClientSecret == "" {
		t.Fatalf("admin credentials file: %v %s", err, data)
	}
	if !strings.Contains(p.log.String(), credsPath) {
		t.Error("log does not name the admin credentials file")
	}
	if !strings.Contains(p.log.String(), "back it up") {
		t.Error("log does not say the new root key must be backed up")
	}

	token := login(t, base, creds.ClientID, creds.ClientSecret)
	project := postJSON(t, base+"/api/v1/projects", token, `{"projectName":"graceful"}`)["project"].(map[string]any)["id"]

	// An RSA-4096 key takes long enough to generate that SIGTERM lands
	// while the request is being served.
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		body := fmt.Sprintf(`{"projectId":%q,"name":"slow","configuration":{"type":"root","keyAlgorithm":"RSA_4096","commonName":"Slow","notAfter":"2040-01-01"}}`, project)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/cert-manager/ca/internal", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.status != 200 {
		t.Errorf("in-flight request: status %d, error %v", r.status, r.err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("pkid serve exited with %v; log:\n%s", err, p.log.String())
	}
	logText := p.log.String()
	for _, secret := range []string{creds.ClientSecret, token} {
		if strings.Contains(logText, secret) {
			t.Error("log contains a secret or token")
		}
	}
	if !strings.Contains(logText, "shutting down") {
		t.Error("log does not record the shutdown")
	}
}

// TestServeAdminFromEnvironment checks that credentials given in the
// environment are used and no credentials file is written.
func TestServeAdminFromEnvironment(t *testing.T) {
	bin := buildPkid(t)
	dataDir := t.TempDir()
	p := startServe(t, bin, dataDir, "PKID_ADMIN_CLIENT_ID=ops-admin", "PKID_ADMIN_CLIENT_SECRET=ops-secret-value-42",
		"PKID_ROOT_KEY=")
	if _, err := os.Stat(filepath.Join(dataDir, "admin-credentials.json")); !os.IsNotExist(err) {
		t.Errorf("credentials file written although the environment set them: %v", err)
	}
	login(t, "http://"+p.addr, "ops-admin", "ops-secret-value-42")
	if strings.Contains(p.log.String(), "ops-secret-value-42") {
		t.Error("log contains the admin secret")
	}
}

func login(t *testing.T, base, id, secret string) string {
	t.Helper()
	out := postJSON(t, base+"/api/v1/auth/universal-auth/login", "",
		fmt.Sprintf(`{"clientId":%q,"clientSecret":%q}`, id, secret))
	token, _ := out["accessToken"].(string)
	if token == "" {
		t.Fatalf("login returned %v", out)
	}
	return token
}

func postJSON(t *testing.T, url, token, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(data, &out) != nil {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, data)
	}
	return out
}
