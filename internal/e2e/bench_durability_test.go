package e2e

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store/sqlstore"
)

// TestBenchDurabilityAfterKill runs `pkid bench` at full speed, kills the
// server with SIGKILL mid-run and starts it again on the same data: every
// serial the load tool recorded as acknowledged must be stored and verify
// against the CA, and a SQLite database must pass its integrity check.
func TestBenchDurabilityAfterKill(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		dataDir, dbURL, rootKey := t.TempDir(), b.NewURL(t), NewRootKey(t)
		first := StartProcessOn(t, dataDir, dbURL, rootKey)
		token := first.AdminToken(t)
		project := first.CreateProject(t, token, "durability")
		ca := first.CreateCA(t, token, RootRequest(project, "durability", "EC_prime256v1", time.Now().Add(48*time.Hour)))

		ackedPath := filepath.Join(t.TempDir(), "acked.txt")
		bench := BenchCommand(t, first.Server, "--ca", ca.ID, "--concurrency", "16",
			"--duration", "6s", "--raw-duration", "0", "--acked-file", ackedPath)
		benchDone := make(chan BenchRun, 1)
		go func() { benchDone <- RunBench(t, bench) }()

		// Kill once a few hundred certificates are acknowledged, while
		// requests are still in flight.
		waitForLines(t, ackedPath, 300, 30*time.Second)
		if err := first.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("killing pkid serve: %v", err)
		}
		_ = first.Cmd.Wait()
		run := <-benchDone
		res := run.Result(t)
		if res.Errors == 0 {
			t.Errorf("no failed requests after the kill; the server was not killed mid-run: %+v", res)
		}

		acked := readLines(t, ackedPath)
		if len(acked) != res.Count {
			t.Errorf("%d serials in %s, but the tool counted %d successes", len(acked), ackedPath, res.Count)
		}
		second := StartProcessOn(t, dataDir, dbURL, rootKey)
		requireAckedStored(t, second.Server, ca.ID, acked)
		if b.Name == "sqlite" {
			requireSQLiteIntegrity(t, dbURL)
		}
	})
}

// waitForLines waits until the file has at least n lines.
func waitForLines(t *testing.T, path string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(path)
		if strings.Count(string(data), "\n") >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %d lines within %s", path, n, timeout)
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

// requireAckedStored checks that every acknowledged serial is stored
// once, verifies against the CA's certificate, and is served by the
// restarted server.
func requireAckedStored(t *testing.T, s *Server, caID string, acked []string) {
	t.Helper()
	token := s.AdminToken(t)
	var caCert CACert
	s.Do(t, "GET", "/api/v1/cert-manager/ca/internal/"+caID+"/certificate", token, nil).OK(t, &caCert)
	roots := x509.NewCertPool()
	roots.AddCert(ParseCert(t, caCert.Certificate))

	stored := storedCertificates(t, s.DatabaseURL, caID)
	missing := 0
	for _, serial := range acked {
		pemText, ok := stored[serial]
		if !ok {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged serial %s is not in the database", serial)
			}
			continue
		}
		cert := ParseCert(t, pemText)
		if pki.FormatSerial(cert.SerialNumber) != serial {
			t.Errorf("stored certificate of serial %s has serial %s", serial, pki.FormatSerial(cert.SerialNumber))
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots}); err != nil {
			t.Errorf("certificate %s does not verify: %v", serial, err)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged serials are missing after the restart", missing, len(acked))
	}
	// The restarted server serves them too; a few suffice.
	for _, serial := range []string{acked[0], acked[len(acked)/2], acked[len(acked)-1]} {
		var out struct {
			Certificate string `json:"certificate"`
		}
		s.Do(t, "GET", "/api/v1/pki/certificates/"+serial+"/certificate", token, nil).OK(t, &out)
		if out.Certificate != stored[serial] {
			t.Errorf("server returned a different certificate for serial %s", serial)
		}
	}
}

// storedCertificates reads serial number and PEM of every certificate of
// a CA straight from the database.
func storedCertificates(t *testing.T, databaseURL, caID string) map[string]string {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), databaseURL)
	if err != nil {
		t.Fatalf("opening the database: %v", err)
	}
	defer db.Close()
	query := "SELECT serial_number, certificate FROM certificates WHERE ca_id = ?"
	if db.Dialect() == "postgres" {
		query = strings.Replace(query, "?", "$1", 1)
	}
	rows, err := db.SQL().Query(query, caID)
	if err != nil {
		t.Fatalf("listing certificates: %v", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var serial, pemText string
		if err := rows.Scan(&serial, &pemText); err != nil {
			t.Fatal(err)
		}
		out[serial] = pemText
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// requireSQLiteIntegrity runs PRAGMA integrity_check on a SQLite file.
func requireSQLiteIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer db.Close()
	var result string
	if err := db.SQL().QueryRow("PRAGMA integrity_check").Scan(&result); err != nil {
		t.Fatalf("PRAGMA integrity_check: %v", err)
	}
	if result != "ok" {
		t.Errorf("PRAGMA integrity_check returned %q, want ok", result)
	}
}
