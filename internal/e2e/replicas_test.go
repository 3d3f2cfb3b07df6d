package e2e

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// startReplicas runs two pkid processes on one PostgreSQL database with
// the same root key and admin, started at the same moment so that both
// race to migrate the empty database.
func startReplicas(t *testing.T) (*Process, *Process) {
	t.Helper()
	b := PostgresOnly(t)
	env := []string{
		"PKID_DATABASE_URL=" + b.NewURL(t),
		"PKID_ROOT_KEY=" + NewRootKey(t),
		"PKID_ADMIN_CLIENT_ID=" + AdminClientID,
		"PKID_ADMIN_CLIENT_SECRET=" + AdminClientSecret,
	}
	Binary(t)
	var a, c *Process
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = StartProcess(t, env...) }()
	go func() { defer wg.Done(); c = StartProcess(t, env...) }()
	wg.Wait()
	if a == nil || c == nil {
		t.FailNow()
	}
	return a, c
}

// TestReplicasShareTokensAndSerializeRenewals runs 40 concurrent renewals
// of one CA split across two replicas while both replicas issue
// certificates from it: every renewal must become its own version, in
// order, the CA must point at the newest, and no issuance may fail.
func TestReplicasShareTokensAndSerializeRenewals(t *testing.T) {
	r1, r2 := startReplicas(t)
	token := r1.AdminToken(t)
	// A token from one replica works on the other.
	project := r2.CreateProject(t, token, "replicas")
	root := r1.CreateCA(t, token, RootRequest(project, "shared-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
	r2.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+root.ID, token, nil).OK(t, nil)

	base := time.Now().AddDate(6, 0, 0).Truncate(time.Second)
	var mu sync.Mutex
	next := 0
	nextNotAfter := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		next++
		return base.Add(time.Duration(next) * time.Minute)
	}
	replicas := []*Process{r1, r2}
	errs := make(chan string, 40)
	ids := make(chan string, 40)
	issued := make(chan IssuedCert, 40)
	var issuers sync.WaitGroup
	for i := range 4 {
		issuers.Add(1)
		go func(r *Process) {
			defer issuers.Done()
			for n := range 10 {
				resp := r.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/issue-certificate", token,
					map[string]any{"caId": root.ID, "commonName": "svc.example.internal",
						"altNames": "svc.example.internal", "ttl": "24h"})
				if resp.Status != http.StatusOK {
					errs <- "issuance " + strconv.Itoa(n) + ": " + string(resp.Body)
					return
				}
				var c IssuedCert
				resp.Decode(t, &c)
				issued <- c
			}
		}(replicas[i%2])
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func(r *Process) {
			defer wg.Done()
			for range 100 {
				resp := r.Do(t, http.MethodPost, renewURL(root.ID), token, renewBody(nextNotAfter()))
				switch resp.Status {
				case http.StatusOK:
					var c CACert
					_ = json.Unmarshal(resp.Body, &c)
					ids <- c.CertID
					return
				case http.StatusBadRequest: // a later notAfter won the race; ask again
				default:
					errs <- string(resp.Body)
					return
				}
			}
			errs <- "no success after 100 attempts"
		}(replicas[i%2])
	}
	wg.Wait()
	issuers.Wait()
	close(errs)
	close(ids)
	close(issued)
	for e := range errs {
		t.Errorf("renewal failed: %s", e)
	}
	returned := map[string]bool{}
	for id := range ids {
		returned[id] = true
	}
	if len(returned) != 40 {
		t.Fatalf("%d distinct certIds from 40 renewals", len(returned))
	}
	versions := r2.CACertificates(t, token, root.ID)
	if len(versions) != 41 {
		t.Fatalf("%d versions, want 41", len(versions))
	}
	var prev time.Time
	for i, v := range versions {
		if v.Version != i+1 {
			t.Errorf("position %d holds version %d", i, v.Version)
		}
		na := ParseCert(t, v.Certificate).NotAfter
		if i > 0 && !na.After(prev) {
			t.Errorf("version %d notAfter %v not after the previous %v", v.Version, na, prev)
		}
		if i > 0 && !returned[v.CertID] {
			t.Errorf("version %d was not returned by any renewal", v.Version)
		}
		prev = na
	}
	// Every certificate verifies against the newest root alone: renewal
	// kept the key and subject it was signed under.
	newest := x509.NewCertPool()
	newest.AddCert(ParseCert(t, versions[40].Certificate))
	count := 0
	for c := range issued {
		count++
		_, err := ParseCert(t, c.Certificate).Verify(x509.VerifyOptions{
			Roots: newest, DNSName: "svc.example.internal", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err != nil {
			t.Errorf("certificate %s does not verify against the newest root: %v", c.SerialNumber, err)
		}
	}
	if count != 40 {
		t.Errorf("%d certificates issued, want 40", count)
	}
	var ca CA
	r1.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+root.ID, token, nil).OK(t, &ca)
	if ca.Configuration.ActiveCACertID == nil || *ca.Configuration.ActiveCACertID != versions[40].CertID {
		t.Errorf("activeCaCertId %v, want newest %s", ca.Configuration.ActiveCACertID, versions[40].CertID)
	}
}

// TestReplicasKeepCRLNumbersIncreasing revokes 12 certificates at once
// through two replicas: the CA's CRL must end with every one of them and
// a CRL number raised once per revocation.
func TestReplicasKeepCRLNumbersIncreasing(t *testing.T) {
	r1, r2 := startReplicas(t)
	token := r1.AdminToken(t)
	project := r1.CreateProject(t, token, "crl-replicas")
	root := r1.CreateCA(t, token, RootRequest(project, "crl-replicas-root", "EC_prime256v1", time.Now().AddDate(2, 0, 0)))
	var certs []IssuedCert
	for range 12 {
		certs = append(certs, r1.IssueCert(t, token, map[string]any{
			"caId": root.ID, "commonName": "revoke-me.example.internal", "ttl": "1d"}))
	}
	before := crlOf(t, r1, token, root.ID)
	var wg sync.WaitGroup
	for i, c := range certs {
		wg.Add(1)
		go func(r *Process, id string) {
			defer wg.Done()
			r.Revoke(t, token, id, "KEY_COMPROMISE")
		}([]*Process{r1, r2}[i%2], c.CertificateID)
	}
	wg.Wait()
	after := crlOf(t, r2, token, root.ID)
	if got := new(big.Int).Sub(after.Number, before.Number); got.Int64() != 12 {
		t.Errorf("CRL number grew by %v over 12 revocations, want 12", got)
	}
	listed := map[string]bool{}
	for _, e := range after.RevokedCertificateEntries {
		listed[pki.FormatSerial(e.SerialNumber)] = true
	}
	for _, c := range certs {
		if !listed[c.SerialNumber] {
			t.Errorf("revoked serial %s missing from the CRL", c.SerialNumber)
		}
	}
}

// crlOf fetches the newest CRL of a CA through the crls route.
func crlOf(t *testing.T, s *Process, token, caID string) *x509.RevocationList {
	t.Helper()
	var crls []struct {
		CRL string `json:"crl"`
	}
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+caID+"/crls", token, nil).OK(t, &crls)
	if len(crls) == 0 {
		t.Fatal("the CA has no CRL")
	}
	block, _ := pem.Decode([]byte(crls[0].CRL))
	if block == nil {
		t.Fatalf("CRL is not PEM: %q", crls[0].CRL)
	}
	crl, err := x509.ParseRevocationList(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}

// TestConcurrentRevokesOfOneCertificate sends four revocations of one
// certificate at once through two replicas: exactly one succeeds, and its
// reason is the one stored.
func TestConcurrentRevokesOfOneCertificate(t *testing.T) {
	r1, r2 := startReplicas(t)
	token := r1.AdminToken(t)
	project := r1.CreateProject(t, token, "revoke-race")
	root := r1.CreateCA(t, token, RootRequest(project, "revoke-race-root", "EC_prime256v1", time.Now().AddDate(1, 0, 0)))
	reasons := []string{"KEY_COMPROMISE", "SUPERSEDED", "CESSATION_OF_OPERATION", "AFFILIATION_CHANGED"}
	for round := range 3 {
		c := r1.IssueCert(t, token, map[string]any{"caId": root.ID, "commonName": "race.example.internal", "ttl": "1d"})
		statuses := make([]int, len(reasons))
		var wg sync.WaitGroup
		for i, reason := range reasons {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := []*Process{r1, r2}[i%2]
				statuses[i] = r.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/"+c.CertificateID+"/revoke",
					token, map[string]any{"revocationReason": reason}).Status
			}()
		}
		wg.Wait()
		winner := -1
		for i, st := range statuses {
			switch {
			case st == http.StatusOK && winner < 0:
				winner = i
			case st == http.StatusOK:
				t.Errorf("round %d: two revocations succeeded (%v)", round, statuses)
			case st != http.StatusBadRequest:
				t.Errorf("round %d: revocation %d got %d", round, i, st)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no revocation succeeded: %v", round, statuses)
		}
		var rec struct {
			Certificate struct {
				RevocationReason any `json:"revocationReason"`
			} `json:"certificate"`
		}
		r2.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/"+c.CertificateID, token, nil).OK(t, &rec)
		want := map[string]float64{"KEY_COMPROMISE": 1, "SUPERSEDED": 4, "CESSATION_OF_OPERATION": 5, "AFFILIATION_CHANGED": 3}[reasons[winner]]
		if rec.Certificate.RevocationReason != want {
			t.Errorf("round %d: stored reason %v, want %v (%s, the one that succeeded)", round, rec.Certificate.RevocationReason, want, reasons[winner])
		}
	}
}
