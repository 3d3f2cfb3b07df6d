package e2e

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/pki"
)

// fetchCRL downloads the CRL a certificate points at and parses it.
func fetchCRL(t *testing.T, s *Server, leaf *x509.Certificate) ([]byte, *x509.RevocationList) {
	t.Helper()
	if len(leaf.CRLDistributionPoints) != 1 {
		t.Fatalf("CRL distribution points %v, want one", leaf.CRLDistributionPoints)
	}
	der, _ := s.FetchURL(t, leaf.CRLDistributionPoints[0])
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatalf("parsing CRL: %v", err)
	}
	return der, crl
}

// TestCertRevokeCRL revokes one of two leaves, fetches the CRL from the
// URL in the certificate, and checks it with openssl before and after
// the CA is renewed.
func TestCertRevokeCRL(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "revocation")
		root := s.CreateCA(t, token, RootRequest(project, "crl-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		rootPEM := s.activeCACert(t, token, root.ID)
		inter := s.CreateCA(t, token, IntermediateRequest(project, "crl-int", "RSA_2048"))
		interPEM := s.InstallIntermediate(t, root.ID, inter.ID, time.Now().AddDate(4, 0, 0))

		for _, ca := range []struct{ id, name string }{{root.ID, "root"}, {inter.ID, "intermediate"}} {
			t.Run(ca.name, func(t *testing.T) {
				var untrusted []string
				if ca.id == inter.ID {
					untrusted = []string{interPEM}
				}
				checkRevocation(t, s, token, ca.id, rootPEM, untrusted)
			})
		}
	})
}

func checkRevocation(t *testing.T, s *Server, token, caID, rootPEM string, untrusted []string) {
	body := func(cn string) map[string]any {
		return map[string]any{"caId": caID, "commonName": cn, "altNames": cn, "ttl": "10d"}
	}
	revoked := s.IssueCert(t, token, body("revoked.example.com"))
	sibling := s.IssueCert(t, token, body("sibling.example.com"))
	revokedLeaf := ParseCert(t, revoked.Certificate)

	_, before := fetchCRL(t, s, revokedLeaf)
	s.Revoke(t, token, revoked.CertificateID, "KEY_COMPROMISE")
	der, crl := fetchCRL(t, s, revokedLeaf)

	if crl.Number.Cmp(before.Number) <= 0 {
		t.Errorf("CRL number %v did not grow past %v", crl.Number, before.Number)
	}
	if len(crl.RevokedCertificateEntries) != 1 {
		t.Fatalf("CRL lists %d certificates, want 1", len(crl.RevokedCertificateEntries))
	}
	entry := crl.RevokedCertificateEntries[0]
	if entry.SerialNumber.Cmp(revokedLeaf.SerialNumber) != 0 || entry.ReasonCode != 1 {
		t.Errorf("CRL entry serial %x reason %d, want %x reason 1", entry.SerialNumber, entry.ReasonCode, revokedLeaf.SerialNumber)
	}
	if want := crl.ThisUpdate.Add(7 * 24 * time.Hour); !crl.NextUpdate.Equal(want) {
		t.Errorf("nextUpdate %v, want thisUpdate + 7 days = %v", crl.NextUpdate, want)
	}
	issuer := ParseCert(t, revoked.IssuingCACertificate)
	if string(crl.RawIssuer) != string(issuer.RawSubject) || string(crl.AuthorityKeyId) != string(issuer.SubjectKeyId) {
		t.Error("CRL issuer or AKID does not match the CA certificate")
	}
	expectRevokedAndValid(t, revoked.Certificate, sibling.Certificate, rootPEM, untrusted, der)

	var record struct {
		Certificate CertRecord `json:"certificate"`
	}
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/"+revoked.CertificateID, token, nil).OK(t, &record)
	if record.Certificate.Status != "revoked" || record.Certificate.RevokedAt == nil ||
		record.Certificate.RevocationReason == nil || *record.Certificate.RevocationReason != 1 {
		t.Errorf("certificate record after revoke: %+v", record.Certificate)
	}
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/"+revoked.CertificateID+"/revoke", token,
		map[string]any{"revocationReason": "SUPERSEDED"}).
		ExpectError(t, http.StatusBadRequest, "BadRequest", "The certificate is already revoked")

	// Renewal keeps the CA's name and key: the CRL signed before still
	// verifies under the renewed certificate, and so does the next one.
	renewedRoot, renewedUntrusted := rootPEM, untrusted
	if len(untrusted) == 0 {
		renewedRoot = s.Renew(t, token, caID, time.Now().AddDate(6, 0, 0)).Certificate
	} else {
		// An intermediate may not outlive its parent, which expires in 5 years.
		renewedUntrusted = []string{s.Renew(t, token, caID, time.Now().AddDate(4, 6, 0)).Certificate}
	}
	expectRevokedAndValid(t, revoked.Certificate, sibling.Certificate, renewedRoot, renewedUntrusted, der)

	third := s.IssueCert(t, token, body("third.example.com"))
	s.Revoke(t, token, third.CertificateID, "UNSPECIFIED")
	der2, crl2 := fetchCRL(t, s, ParseCert(t, third.Certificate))
	if crl2.Number.Cmp(crl.Number) <= 0 {
		t.Errorf("CRL number %v did not grow past %v", crl2.Number, crl.Number)
	}
	if len(crl2.RevokedCertificateEntries) != 2 {
		t.Errorf("CRL after renewal lists %d certificates, want both CA versions' revocations", len(crl2.RevokedCertificateEntries))
	}
	expectRevokedAndValid(t, revoked.Certificate, sibling.Certificate, renewedRoot, renewedUntrusted, der2)
	expectRevokedAndValid(t, revoked.Certificate, sibling.Certificate, rootPEM, untrusted, der2)
	checkCRLRoutes(t, s, token, caID, der2)
}

func expectRevokedAndValid(t *testing.T, revokedPEM, siblingPEM, rootPEM string, untrusted []string, crlDER []byte) {
	t.Helper()
	out, ok := OpenSSLVerifyCRL(t, revokedPEM, rootPEM, untrusted, crlDER)
	if ok || !strings.Contains(out, "certificate revoked") {
		t.Errorf("openssl -crl_check on the revoked leaf: ok=%v: %s", ok, out)
	}
	if out, ok := OpenSSLVerifyCRL(t, siblingPEM, rootPEM, untrusted, crlDER); !ok {
		t.Errorf("openssl -crl_check on the unrevoked sibling: %s", out)
	}
}

// checkCRLRoutes checks the CRL list of a CA and the legacy DER route
// against the CRL the certificates point at.
func checkCRLRoutes(t *testing.T, s *Server, token, caID string, der []byte) {
	t.Helper()
	var list []struct {
		ID  string `json:"id"`
		CRL string `json:"crl"`
	}
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+caID+"/crls", token, nil).OK(t, &list)
	if len(list) != 1 {
		t.Fatalf("crls lists %d CRLs, want 1", len(list))
	}
	block, _ := pem.Decode([]byte(list[0].CRL))
	if block == nil || block.Type != "X509 CRL" || string(block.Bytes) != string(der) {
		t.Error("crls does not return the current CRL as PEM")
	}
	legacy := s.Do(t, http.MethodGet, "/api/v1/pki/crl/"+list[0].ID+"/der", "", nil).OK(t, nil)
	if string(legacy.Body) != string(der) || legacy.Header.Get("Content-Type") != "application/pkix-crl" {
		t.Error("legacy CRL route does not serve the same DER CRL")
	}
	s.Do(t, http.MethodGet, "/api/v1/pki/crl/00000000-0000-4000-8000-000000000000/der", "", nil).
		ExpectError(t, http.StatusNotFound, "NotFound", "CRL with ID '00000000-0000-4000-8000-000000000000' not found")
}

// TestCRLRefreshBeforeNextUpdate moves the clock close to a CRL's
// nextUpdate and checks that the refresher signs a newer CRL.
func TestCRLRefreshBeforeNextUpdate(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		clk := clock.NewFake(time.Now())
		s := Start(t, b, Options{Clock: clk})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "crl-refresh")
		root := s.CreateCA(t, token, RootRequest(project, "refresh-root", string(pki.ECP384), time.Now().AddDate(5, 0, 0)))
		leaf := s.IssueCert(t, token, map[string]any{"caId": root.ID, "commonName": "a.example.com"})
		s.Revoke(t, token, leaf.CertificateID, "SUPERSEDED")
		_, first := fetchCRL(t, s, ParseCert(t, leaf.Certificate))

		if n, err := s.Srv.RefreshCRLs(t.Context()); err != nil || n != 0 {
			t.Fatalf("refresh of a fresh CRL signed %d CRLs (error %v), want 0", n, err)
		}
		clk.Advance(4 * 24 * time.Hour)
		if n, err := s.Srv.RefreshCRLs(t.Context()); err != nil || n != 1 {
			t.Fatalf("refresh 4 days later signed %d CRLs (error %v), want 1", n, err)
		}
		_, second := fetchCRL(t, s, ParseCert(t, leaf.Certificate))
		if second.Number.Cmp(first.Number) <= 0 || !second.NextUpdate.After(first.NextUpdate) {
			t.Errorf("refreshed CRL number %v nextUpdate %v, want after %v and %v",
				second.Number, second.NextUpdate, first.Number, first.NextUpdate)
		}
		if len(second.RevokedCertificateEntries) != 1 || second.RevokedCertificateEntries[0].ReasonCode != 4 {
			t.Errorf("refreshed CRL entries %+v, want the one superseded certificate", second.RevokedCertificateEntries)
		}
	})
}
