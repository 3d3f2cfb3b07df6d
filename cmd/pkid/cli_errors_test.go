package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/e2e"
)

// TestCLIErrors checks that each failure prints one line on stderr with
// the cause and, for server errors, the request id, and exits non-zero.
func TestCLIErrors(t *testing.T) {
	b := e2e.Backends(t)[0]
	s := e2e.Start(t, b, e2e.Options{})
	cli := newCLI(t, s)

	t.Run("not logged in", func(t *testing.T) {
		cli.t = t
		line := cli.fail("", nil, "project", "get", "00000000-0000-4000-8000-000000000001")
		requireContains(t, "no saved login", line, "not logged in to "+s.URL, "pkid login", "--client-id", "PKID_TOKEN")
	})

	t.Run("mistyped subcommand", func(t *testing.T) {
		cli.t = t
		line := cli.fail("", nil, "cert", "revok", "00000000-0000-4000-8000-000000000001")
		requireContains(t, "mistyped subcommand", line, `unknown command "revok" for "pkid cert"`)
	})

	t.Run("wrong secret", func(t *testing.T) {
		cli.t = t
		line := cli.fail("not-the-secret\n", nil, "login", "--client-id", e2e.AdminClientID, "--client-secret", "-")
		requireContains(t, "wrong secret", line, "login failed", "Invalid credentials", "HTTP 401", "request id req-")
		if _, err := os.Stat(cli.tokenFile()); !os.IsNotExist(err) {
			t.Errorf("a failed login saved a token file (stat: %v)", err)
		}
	})

	t.Run("secret from environment", func(t *testing.T) {
		cli.t = t
		res := cli.runWith("", []string{"PKID_CLIENT_SECRET=" + e2e.AdminClientSecret}, "login", "--client-id", e2e.AdminClientID)
		if res.exitCode != 0 {
			t.Fatalf("login with PKID_CLIENT_SECRET: exit %d: %s", res.exitCode, res.stderr)
		}
		requireContains(t, "login text", res.stdout, "Logged in to "+s.URL)
	})

	var projectID, rootID string
	t.Run("setup", func(t *testing.T) {
		cli.t = t
		var p struct {
			Project client.Project `json:"project"`
		}
		cli.json(&p, "project", "create", "errors")
		projectID = p.Project.ID
		var ca client.CA
		cli.json(&ca, "ca", "create", "--project", projectID, "--name", "errors-root", "--common-name", "Errors Root", "--not-after", "2y")
		rootID = ca.ID
	})

	t.Run("unknown CA", func(t *testing.T) {
		cli.t = t
		id := "6f1c0000-0000-4000-8000-0000000000aa"
		line := cli.fail("", nil, "ca", "get", id)
		requireContains(t, "unknown CA", line, "CA with ID '"+id+"' not found", "HTTP 404 NotFound", "request id req-")
		line = cli.fail("", nil, "ca", "renew", id, "--extend", "1y")
		requireContains(t, "renew of an unknown CA", line, "not found", "request id req-")
	})

	t.Run("invalid date", func(t *testing.T) {
		cli.t = t
		requireStep(t, rootID, "setup")
		line := cli.fail("", nil, "ca", "renew", rootID, "--not-after", "not-a-date")
		requireContains(t, "renew --not-after", line, "notAfter: Invalid date format", "HTTP 422", "request id req-")
		line = cli.fail("", nil, "ca", "create", "--project", projectID, "--name", "bad-date",
			"--common-name", "Bad", "--not-after", "2030-13-45")
		requireContains(t, "create --not-after", line, "configuration.notAfter: Invalid date format", "request id req-")
		line = cli.fail("", nil, "ca", "renew", rootID, "--extend", "5q")
		requireContains(t, "renew --extend", line, "invalid --extend", `"5q"`, "5y")
	})

	t.Run("invalid output format", func(t *testing.T) {
		cli.t = t
		line := cli.fail("", nil, "ca", "list", "--project", projectID, "-o", "yaml")
		requireContains(t, "-o yaml", line, `invalid --output "yaml"`, "text or json")
	})

	t.Run("rejected PKID_TOKEN", func(t *testing.T) {
		cli.t = t
		line := cli.fail("", []string{"PKID_TOKEN=not-a-token"}, "ca", "list", "--project", projectID)
		requireContains(t, "bad PKID_TOKEN", line, "HTTP 403 TokenError", "request id req-", "PKID_TOKEN was rejected", "pkid login")
	})

	t.Run("expired saved token", func(t *testing.T) {
		cli.t = t
		writeSavedToken(t, cli, savedToken{
			Server: s.URL, ClientID: e2e.AdminClientID, AccessToken: "expired",
			ExpiresAt: time.Now().Add(-time.Minute),
		})
		line := cli.fail("", nil, "ca", "list", "--project", projectID)
		requireContains(t, "expired saved login", line, "expired at", "log in again with pkid login",
			"--server "+s.URL, "--client-id "+e2e.AdminClientID)
	})

	t.Run("login for another server", func(t *testing.T) {
		cli.t = t
		writeSavedToken(t, cli, savedToken{
			Server: "http://127.0.0.1:1", ClientID: e2e.AdminClientID, AccessToken: "other",
			ExpiresAt: time.Now().Add(time.Hour),
		})
		line := cli.fail("", nil, "ca", "list", "--project", projectID)
		requireContains(t, "other server", line, "is for http://127.0.0.1:1, not "+s.URL, "pkid login")
	})

	t.Run("unreachable server", func(t *testing.T) {
		cli.t = t
		line := cli.fail("", []string{"PKID_ADDR=http://127.0.0.1:1", "PKID_TOKEN=x"}, "ca", "list", "--project", projectID)
		requireContains(t, "unreachable", line, "cannot reach the pkid server at http://127.0.0.1:1")
	})
}

// TestCLITokenExpiredOnServer logs in to a server with a fake clock, moves
// the clock past the token's lifetime and checks that the server's
// TokenError reaches the user with the pkid login hint.
func TestCLITokenExpiredOnServer(t *testing.T) {
	fake := clock.NewFake(time.Now())
	s := e2e.Start(t, e2e.Backends(t)[0], e2e.Options{Clock: fake})
	cli := newCLI(t, s)
	cli.login()
	var p struct {
		Project client.Project `json:"project"`
	}
	cli.json(&p, "project", "create", "expiry")

	fake.Advance(3 * time.Hour)
	line := cli.fail("", nil, "project", "get", p.Project.ID)
	requireContains(t, "server-side expiry", line, "Your token has expired. Please re-authenticate.",
		"HTTP 403 TokenError", "request id req-", "log in again with pkid login", "--client-id "+e2e.AdminClientID)
}

// TestCLIHelpExamples checks that every command pkid adds has an example
// in its --help.
func TestCLIHelpExamples(t *testing.T) {
	var walk func(path string, cmds []*cobra.Command)
	walk = func(path string, cmds []*cobra.Command) {
		for _, c := range cmds {
			name := strings.TrimSpace(path + " " + c.Name())
			if c.Name() == "help" || c.Name() == "completion" {
				continue
			}
			if c.Example == "" {
				t.Errorf("pkid %s has no Example", name)
			}
			walk(name, c.Commands())
		}
	}
	walk("", newRootCommand().Commands())
}

func writeSavedToken(t *testing.T, cli *cliRunner, tok savedToken) {
	t.Helper()
	data, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(cli.tokenFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cli.tokenFile(), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCLIOutCheckedFirst runs cert issue with an --out path that cannot
// be created: it must fail before the server issues anything.
func TestCLIOutCheckedFirst(t *testing.T) {
	s := e2e.Start(t, e2e.Backends(t)[0], e2e.Options{})
	cli := newCLI(t, s)
	cli.login()
	token := s.AdminToken(t)
	project := s.CreateProject(t, token, "out-first")
	root := s.CreateCA(t, token, e2e.RootRequest(project, "out-root", "EC_prime256v1", time.Now().AddDate(1, 0, 0)))
	blocker := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	line := cli.fail("", nil, "cert", "issue", "--ca", root.ID,
		"--common-name", "x.example.test", "--out", filepath.Join(blocker, "sub"))
	requireContains(t, "bad --out", line, "creating --out directory")
	var audit struct {
		Logs []map[string]any `json:"auditLogs"`
	}
	s.Do(t, "GET", "/api/v1/projects/"+project+"/audit-logs?action=issue-cert", token, nil).OK(t, &audit)
	if len(audit.Logs) != 0 {
		t.Errorf("%d certificates issued although --out was unusable", len(audit.Logs))
	}
}
