package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/store/sqlstore"
)

// startServeAt runs `pkid serve` on dataDir with env added, so that a
// test can kill it and start another on the same data directory and
// database.
func startServeAt(t *testing.T, dataDir string, env ...string) *Process {
	t.Helper()
	return startProcess(t, dataDir, nil, env)
}

// crashLoad is what the concurrent clients saw succeed before the kill.
type crashLoad struct {
	mu       sync.Mutex
	caCerts  []string          // certId of every 200 renewal
	cas      []string          // id of every 200 CA creation
	certs    map[string]string // certificateId -> serialNumber of every 200 issuance
	requests int
}

func (l *crashLoad) record(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

// post sends one request and decodes a 200 into out. It reports false
// for any other outcome, including the connection errors of the kill.
func (l *crashLoad) post(client *http.Client, url, token string, body, out any) bool {
	data, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	l.record(func() { l.requests++ })
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	return json.NewDecoder(resp.Body).Decode(out) == nil
}

// runCrashLoad runs renewal, CA creation and issuance clients against p
// until stop closes and each client's request fails.
func runCrashLoad(p *Process, token, project, renewID, issuerID string, stop <-chan struct{}) *crashLoad {
	l := &crashLoad{certs: map[string]string{}}
	client := &http.Client{Timeout: 20 * time.Second}
	var wg sync.WaitGroup
	worker := func(n int, step func(i int) bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				step(n*100000 + i)
			}
		}()
	}
	base := time.Now().AddDate(6, 0, 0)
	for n := range 2 {
		worker(n, func(i int) bool { // renewals of one CA race each other
			var c CACert
			body := map[string]any{"type": "existing", "notAfter": base.Add(time.Duration(i) * time.Second).UTC().Format(time.RFC3339)}
			ok := l.post(client, p.URL+caBase+"/"+renewID+"/renew", token, body, &c)
			if ok {
				l.record(func() { l.caCerts = append(l.caCerts, c.CertID) })
			}
			return ok
		})
		worker(n, func(i int) bool {
			var ca CA
			body := RootRequest(project, fmt.Sprintf("crash-%d", i), "EC_prime256v1", time.Now().AddDate(3, 0, 0))
			ok := l.post(client, p.URL+caBase, token, body, &ca)
			if ok {
				l.record(func() { l.cas = append(l.cas, ca.ID) })
			}
			return ok
		})
		worker(n, func(i int) bool {
			var c IssuedCert
			body := map[string]any{"caId": issuerID, "commonName": fmt.Sprintf("c%d.example", i), "ttl": "1d"}
			ok := l.post(client, p.URL+"/api/v1/cert-manager/certificates/issue-certificate", token, body, &c)
			if ok {
				l.record(func() { l.certs[c.CertificateID] = c.SerialNumber })
			}
			return ok
		})
	}
	<-stop
	wg.Wait()
	return l
}

// TestCrashSafety SIGKILLs `pkid serve` while clients renew a CA, create
// CAs and issue certificates, and restarts it on the same data directory
// and database. Then SQLite's integrity check must pass, every
// activeCaCertId must name a version of its CA, versions must run 1..n,
// and every change a client saw succeed must be stored.
func TestCrashSafety(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		dataDir := t.TempDir()
		dbURL := b.NewURL(t)
		env := []string{
			"PKID_DATABASE_URL=" + dbURL, "PKID_ROOT_KEY=" + NewRootKey(t),
			"PKID_ADMIN_CLIENT_ID=" + AdminClientID, "PKID_ADMIN_CLIENT_SECRET=" + AdminClientSecret,
		}
		p := startServeAt(t, dataDir, env...)
		token := p.AdminToken(t)
		project := p.CreateProject(t, token, "crash")
		renewed := p.CreateCA(t, token, RootRequest(project, "crash-renewed", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		issuer := p.CreateCA(t, token, RootRequest(project, "crash-issuer", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))

		stop := make(chan struct{})
		done := make(chan *crashLoad, 1)
		go func() { done <- runCrashLoad(p, token, project, renewed.ID, issuer.ID, stop) }()
		time.Sleep(1500 * time.Millisecond)
		if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("killing pkid: %v", err)
		}
		_ = p.Cmd.Wait()
		close(stop)
		load := <-done
		t.Logf("%d requests before the kill: %d renewals, %d CAs, %d certificates succeeded",
			load.requests, len(load.caCerts), len(load.cas), len(load.certs))
		if len(load.caCerts) == 0 || len(load.cas) == 0 || len(load.certs) == 0 {
			t.Fatal("some kind of change never succeeded before the kill")
		}

		r := startServeAt(t, dataDir, env...)
		checkCrashDatabase(t, dbURL, load)
		// The restarted server serves changes of every kind again.
		token = r.AdminToken(t)
		r.Renew(t, token, renewed.ID, time.Now().AddDate(9, 0, 0))
		r.CreateCA(t, token, RootRequest(project, "after-crash", "EC_prime256v1", time.Now().AddDate(2, 0, 0)))
		r.IssueCert(t, token, map[string]any{"caId": issuer.ID, "commonName": "after.example", "ttl": "1d"})
		checkCrashDatabase(t, dbURL, load)
	})
}

func checkCrashDatabase(t *testing.T, dbURL string, load *crashLoad) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := func(query string) string {
		if db.Dialect() == "postgres" {
			return rebindDollar(query)
		}
		return query
	}
	sqlDB := db.SQL()
	if db.Dialect() != "postgres" {
		var result string
		if err := sqlDB.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
			t.Errorf("PRAGMA integrity_check: %q, %v", result, err)
		}
		rows, err := sqlDB.Query(`PRAGMA foreign_key_check`)
		if err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Error("PRAGMA foreign_key_check lists violations")
		}
		rows.Close()
	}
	// Every active CA points at one of its own versions.
	var dangling int
	if err := sqlDB.QueryRow(`SELECT COUNT(*) FROM cas c WHERE c.active_ca_cert_id IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM ca_certificates v WHERE v.id = c.active_ca_cert_id AND v.ca_id = c.id)`).Scan(&dangling); err != nil {
		t.Fatal(err)
	}
	if dangling != 0 {
		t.Errorf("%d CAs name an activeCaCertId that is not one of their versions", dangling)
	}
	var activeWithout int
	if err := sqlDB.QueryRow(`SELECT COUNT(*) FROM cas WHERE status = 'active' AND active_ca_cert_id IS NULL`).Scan(&activeWithout); err != nil {
		t.Fatal(err)
	}
	if activeWithout != 0 {
		t.Errorf("%d active CAs have no activeCaCertId", activeWithout)
	}
	// Versions of each CA are 1..n: their count equals their maximum and
	// the smallest is 1 (version is unique per CA).
	var gaps int
	if err := sqlDB.QueryRow(`SELECT COUNT(*) FROM (SELECT ca_id FROM ca_certificates GROUP BY ca_id
		HAVING COUNT(*) <> MAX(version) OR MIN(version) <> 1) g`).Scan(&gaps); err != nil {
		t.Fatal(err)
	}
	if gaps != 0 {
		t.Errorf("%d CAs have gaps in their version numbers", gaps)
	}
	exists := func(query string, args ...any) bool {
		var n int
		if err := sqlDB.QueryRow(q(query), args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	for _, id := range load.caCerts {
		if !exists(`SELECT COUNT(*) FROM ca_certificates WHERE id = ?`, id) {
			t.Errorf("renewal %s was returned to the client but is not stored", id)
		}
	}
	for _, id := range load.cas {
		if !exists(`SELECT COUNT(*) FROM cas WHERE id = ? AND active_ca_cert_id IS NOT NULL`, id) {
			t.Errorf("CA %s was returned to the client but is not stored with its certificate", id)
		}
	}
	for id, serial := range load.certs {
		if !exists(`SELECT COUNT(*) FROM certificates WHERE id = ? AND serial_number = ?`, id, serial) {
			t.Errorf("certificate %s (serial %s) was returned to the client but is not stored", id, serial)
		}
	}
}

// rebindDollar turns ? placeholders into PostgreSQL's $1, $2, ….
func rebindDollar(query string) string {
	var out []byte
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			out = append(out, fmt.Sprintf("$%d", n)...)
			continue
		}
		out = append(out, query[i])
	}
	return string(out)
}
