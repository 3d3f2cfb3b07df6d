package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pkid/pkid/internal/e2e"
)

// pkidBinary is the pkid binary TestMain builds once for every CLI test.
var pkidBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pkid-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating a directory for the pkid binary:", err)
		os.Exit(1)
	}
	pkidBinary = filepath.Join(dir, "pkid")
	build := exec.Command("go", "build", "-o", pkidBinary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build of the pkid binary failed: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cliRunner runs the pkid binary against one server, with a home and
// config directory of its own so that the saved login stays in the test.
type cliRunner struct {
	t      *testing.T
	server *e2e.Server
	home   string
	env    []string
}

func newCLI(t *testing.T, s *e2e.Server) *cliRunner {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"PKID_ADDR=" + s.URL,
		"PATH=" + os.Getenv("PATH"),
	}
	return &cliRunner{t: t, server: s, home: home, env: env}
}

// result is one finished run of the binary.
type result struct {
	stdout, stderr string
	exitCode       int
}

// runWith runs pkid with args, stdin and extra environment variables.
func (c *cliRunner) runWith(stdin string, extraEnv []string, args ...string) result {
	c.t.Helper()
	cmd := exec.Command(pkidBinary, args...)
	cmd.Env = append(append([]string{}, c.env...), extraEnv...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.exitCode = exitErr.ExitCode()
	case err != nil:
		c.t.Fatalf("running pkid %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// ok runs pkid and fails the test unless it exits 0; it returns stdout.
func (c *cliRunner) ok(args ...string) string {
	c.t.Helper()
	res := c.runWith("", nil, args...)
	if res.exitCode != 0 {
		c.t.Fatalf("pkid %s: exit code %d\nstderr: %s\nstdout: %s",
			strings.Join(args, " "), res.exitCode, res.stderr, res.stdout)
	}
	return res.stdout
}

// json runs pkid with -o json, checks it exits 0 and decodes stdout into
// v; it returns stdout.
func (c *cliRunner) json(v any, args ...string) string {
	c.t.Helper()
	out := c.ok(append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("pkid %s -o json printed invalid JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// fail runs pkid, expects a non-zero exit and exactly one line on
// stderr, and returns that line.
func (c *cliRunner) fail(stdin string, extraEnv []string, args ...string) string {
	c.t.Helper()
	res := c.runWith(stdin, extraEnv, args...)
	if res.exitCode == 0 {
		c.t.Fatalf("pkid %s: exit code 0, want non-zero\nstdout: %s", strings.Join(args, " "), res.stdout)
	}
	line := strings.TrimSuffix(res.stderr, "\n")
	if line == "" || strings.Contains(line, "\n") {
		c.t.Errorf("pkid %s: want one line on stderr, got %q", strings.Join(args, " "), res.stderr)
	}
	return line
}

// login logs in as the bootstrap admin, reading the secret from stdin.
func (c *cliRunner) login() {
	c.t.Helper()
	res := c.runWith(e2e.AdminClientSecret+"\n", nil, "login", "--client-id", e2e.AdminClientID, "--client-secret", "-")
	if res.exitCode != 0 {
		c.t.Fatalf("pkid login: exit code %d: %s", res.exitCode, res.stderr)
	}
}

// tokenFile returns the path pkid login writes on Linux.
func (c *cliRunner) tokenFile() string {
	return filepath.Join(c.home, ".config", "pkid", "token.json")
}

// requireSameJSON fails unless two JSON documents decode to equal values.
func requireSameJSON(t *testing.T, label string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: CLI output is not JSON: %v", label, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: API body is not JSON: %v", label, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: CLI JSON differs from the API's\nCLI: %s\nAPI: %s", label, got, want)
	}
}

// readFile returns a file's content and mode, failing the test when it
// is missing.
func readFile(t *testing.T, path string) (string, os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("expected file: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data), info.Mode().Perm()
}

// requireContains fails unless s contains every part.
func requireContains(t *testing.T, label, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s: %q does not contain %q", label, s, p)
		}
	}
}
