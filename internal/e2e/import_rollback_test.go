package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestImportRejectsRollback imports, renews, then tries to put back the
// first certificate and an older one: both are refused and the active
// certificate stays the renewed one.
func TestImportRejectsRollback(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "rollback")
		root := s.CreateCA(t, token, RootRequest(project, "rollback-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		ca := s.createViaCSR(t, token, project, "rollback-int", "EC_prime256v1", root.ID, time.Now().AddDate(2, 0, 0), intPtr(0))
		first := s.activeCert(t, token, ca.ID)
		csr := s.csr(t, token, ca.ID)
		older := s.signIntermediate(t, token, root.ID, map[string]any{
			"csr": csr, "notAfter": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339), "maxPathLength": 0,
		})
		renewed := s.Renew(t, token, ca.ID, time.Now().AddDate(3, 0, 0))

		s.Do(t, http.MethodPost, caBase+"/"+ca.ID+"/import-certificate", token,
			map[string]any{"certificate": first.Certificate, "certificateChain": first.CertificateChain}).
			ExpectError(t, 400, "BadRequest", "This certificate is already installed on the CA as version 1")
		env := s.Do(t, http.MethodPost, caBase+"/"+ca.ID+"/import-certificate", token,
			map[string]any{"certificate": older.Certificate, "certificateChain": older.CertificateChain}).
			ExpectError(t, 400, "BadRequest", "")
		if !strings.Contains(string(env.Message), "before the CA's current certificate") {
			t.Errorf("message %s does not explain the rollback", env.Message)
		}
		if got := s.activeCert(t, token, ca.ID); got.CertID != renewed.CertID {
			t.Errorf("active certificate %s, want the renewed %s", got.CertID, renewed.CertID)
		}
	})
}

// TestDeleteCAWithLiveCertificates refuses to delete a CA whose issued
// certificates have not expired, so its CRL stays published.
func TestDeleteCAWithLiveCertificates(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "live-certs")
		root := s.CreateCA(t, token, RootRequest(project, "live-root", "EC_prime256v1", time.Now().AddDate(2, 0, 0)))
		leaf := s.IssueCert(t, token, map[string]any{"caId": root.ID, "commonName": "live.example.internal", "ttl": "1d"})
		s.Revoke(t, token, leaf.CertificateID, "KEY_COMPROMISE")
		env := s.Do(t, http.MethodDelete, caBase+"/"+root.ID, token, nil).ExpectError(t, 400, "BadRequest", "")
		if !strings.Contains(string(env.Message), "have not expired") {
			t.Errorf("message %s does not name the live certificates", env.Message)
		}
		s.Do(t, http.MethodGet, caBase+"/"+root.ID, token, nil).OK(t, nil)
	})
}
