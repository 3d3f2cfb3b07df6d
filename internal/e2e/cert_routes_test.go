package e2e

import (
	"crypto/x509"
	"encoding/asn1"
	"net/http"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// TestCertRoutes reads, bundles, revokes and deletes certificates by id
// and by serial number, and checks permissions and path validation.
func TestCertRoutes(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "cert-routes")
		root := s.CreateCA(t, admin, RootRequest(project, "routes-root", "RSA_2048", time.Now().AddDate(3, 0, 0)))

		// Issue through both CA-scoped paths as well.
		var viaCA, viaLegacyCA IssuedCert
		s.Do(t, http.MethodPost, "/api/v1/cert-manager/ca/internal/"+root.ID+"/issue-certificate", admin,
			map[string]any{"commonName": "ca-path.example.com"}).OK(t, &viaCA)
		s.Do(t, http.MethodPost, "/api/v1/pki/ca/"+root.ID+"/issue-certificate", admin,
			map[string]any{"commonName": "legacy-ca-path.example.com"}).OK(t, &viaLegacyCA)
		var viaLegacy IssuedCert
		s.Do(t, http.MethodPost, "/api/v1/pki/certificates/issue-certificate", admin,
			map[string]any{"caId": root.ID, "commonName": "legacy.example.com"}).OK(t, &viaLegacy)

		leaf := ParseCert(t, viaCA.Certificate)
		if got := leaf.NotAfter.Sub(leaf.NotBefore); got != 365*24*time.Hour {
			t.Errorf("default validity %v, want one year", got)
		}
		if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "ca-path.example.com" {
			t.Errorf("DNS SANs %v, want the common name", leaf.DNSNames)
		}
		if leaf.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment ||
			len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
			t.Errorf("default usages %b %v, want a TLS server profile", leaf.KeyUsage, leaf.ExtKeyUsage)
		}

		checkCertificateReads(t, s, admin, viaCA)
		checkLegacySerialRoutes(t, s, admin, viaLegacy)
		checkCertificatePermissions(t, s, admin, project, viaLegacyCA)
		checkDeleteKeepsRevocation(t, s, admin, root.ID)
		checkShortCAAndCSRBundle(t, s, admin, project)
	})
}

// checkShortCAAndCSRBundle checks that the default validity stops at the
// CA's expiry and that a CSR-signed certificate has no bundle.
func checkShortCAAndCSRBundle(t *testing.T, s *Server, admin, project string) {
	t.Helper()
	short := s.CreateCA(t, admin, RootRequest(project, "short-root", "EC_prime256v1", time.Now().AddDate(0, 0, 100)))
	issued := s.IssueCert(t, admin, map[string]any{"caId": short.ID, "commonName": "short.example.com"})
	caCert := ParseCert(t, issued.IssuingCACertificate)
	if leaf := ParseCert(t, issued.Certificate); !leaf.NotAfter.Equal(caCert.NotAfter) {
		t.Errorf("default notAfter %v, want the CA's %v", leaf.NotAfter, caCert.NotAfter)
	}
	signed := s.SignCert(t, admin, map[string]any{
		"caId": short.ID, "csr": NewCSR(t, NewKey(t, pki.ECP256), "csr-only.example.com"),
	})
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/"+signed.CertificateID+"/bundle", admin, nil).
		ExpectError(t, http.StatusBadRequest, "BadRequest", "Certificate was signed from a CSR, so pkid does not hold its private key")
}

func checkCertificateReads(t *testing.T, s *Server, admin string, issued IssuedCert) {
	t.Helper()
	base := "/api/v1/cert-manager/certificates/" + issued.CertificateID
	var got struct {
		Certificate CertRecord `json:"certificate"`
	}
	s.Do(t, http.MethodGet, base, admin, nil).OK(t, &got)
	c := got.Certificate
	if c.ID != issued.CertificateID || c.SerialNumber != issued.SerialNumber || c.Status != "active" ||
		c.CommonName != "ca-path.example.com" || c.AltNames != "ca-path.example.com" || c.CACertID == "" {
		t.Errorf("GET certificate: %+v", c)
	}
	var body IssuedCert
	s.Do(t, http.MethodGet, base+"/certificate", admin, nil).OK(t, &body)
	if body.Certificate != issued.Certificate || body.CertificateChain != issued.CertificateChain || body.PrivateKey != "" {
		t.Error("/certificate does not return the issued certificate and chain without the key")
	}
	var bundle IssuedCert
	s.Do(t, http.MethodGet, base+"/bundle", admin, nil).OK(t, &bundle)
	if bundle.PrivateKey != issued.PrivateKey || bundle.Certificate != issued.Certificate {
		t.Error("/bundle does not return the certificate with its private key")
	}
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/not-a-uuid", admin, nil).ExpectValidation(t, "certificateId")
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/00000000-0000-4000-8000-000000000001", admin, nil).
		ExpectError(t, http.StatusNotFound, "NotFound", "Certificate with ID '00000000-0000-4000-8000-000000000001' not found")
}

func checkLegacySerialRoutes(t *testing.T, s *Server, admin string, issued IssuedCert) {
	t.Helper()
	base := "/api/v1/pki/certificates/" + issued.SerialNumber
	var got struct {
		Certificate CertRecord `json:"certificate"`
	}
	s.Do(t, http.MethodGet, base, admin, nil).OK(t, &got)
	if got.Certificate.ID != issued.CertificateID {
		t.Errorf("GET by serial returned certificate %s, want %s", got.Certificate.ID, issued.CertificateID)
	}
	var bundle IssuedCert
	s.Do(t, http.MethodGet, base+"/bundle", admin, nil).OK(t, &bundle)
	if bundle.PrivateKey != issued.PrivateKey {
		t.Error("bundle by serial lacks the private key")
	}
	var revoked struct {
		Message      string `json:"message"`
		SerialNumber string `json:"serialNumber"`
		RevokedAt    string `json:"revokedAt"`
	}
	s.Do(t, http.MethodPost, base+"/revoke", admin, map[string]any{"revocationReason": "CESSATION_OF_OPERATION"}).OK(t, &revoked)
	if revoked.Message != "Successfully revoked certificate" || revoked.SerialNumber != issued.SerialNumber || revoked.RevokedAt == "" {
		t.Errorf("revoke by serial: %+v", revoked)
	}
	s.Do(t, http.MethodPost, base+"/revoke", admin, map[string]any{"revocationReason": "LOST"}).ExpectValidation(t, "revocationReason")
	s.Do(t, http.MethodGet, "/api/v1/pki/certificates/xyz", admin, nil).ExpectValidation(t, "serialNumber")
	s.Do(t, http.MethodGet, "/api/v1/pki/certificates/0abc", admin, nil).
		ExpectError(t, http.StatusNotFound, "NotFound", "Certificate with serial number '0abc' not found")
}

func checkCertificatePermissions(t *testing.T, s *Server, admin, project string, issued IssuedCert) {
	t.Helper()
	base := "/api/v1/cert-manager/certificates/" + issued.CertificateID
	viewer := s.ProjectMemberToken(t, admin, project, "cert-viewer", "viewer")
	s.Do(t, http.MethodGet, base, viewer, nil).OK(t, nil)
	s.Do(t, http.MethodGet, base+"/bundle", viewer, nil).
		ExpectError(t, http.StatusForbidden, "PermissionDenied", "You are not allowed to read-private-key on certificates")
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/issue-certificate", viewer,
		map[string]any{"caId": certificateCAID(t, s, admin, issued), "commonName": "v.example.com"}).
		ExpectError(t, http.StatusForbidden, "PermissionDenied", "You are not allowed to create on certificates")
	member := s.ProjectMemberToken(t, admin, project, "cert-member", "member")
	s.Do(t, http.MethodPost, base+"/revoke", member, map[string]any{"revocationReason": "UNSPECIFIED"}).
		ExpectError(t, http.StatusForbidden, "PermissionDenied", "You are not allowed to delete on certificates")
}

// certificateCAID returns the CA id of an issued certificate.
func certificateCAID(t *testing.T, s *Server, admin string, issued IssuedCert) string {
	t.Helper()
	var got struct {
		Certificate CertRecord `json:"certificate"`
	}
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/"+issued.CertificateID, admin, nil).OK(t, &got)
	return got.Certificate.CAID
}

// checkDeleteKeepsRevocation deletes a revoked certificate and checks
// that the next CRL still lists it. It also covers a certificate with an
// empty subject, whose SAN extension must be critical.
func checkDeleteKeepsRevocation(t *testing.T, s *Server, admin, caID string) {
	t.Helper()
	issued := s.IssueCert(t, admin, map[string]any{"caId": caID, "commonName": "", "altNames": "nosubject.example.com"})
	leaf := ParseCert(t, issued.Certificate)
	if len(leaf.Subject.Names) != 0 || !sanCritical(leaf) {
		t.Errorf("empty-subject certificate: subject %q, SAN critical %v", leaf.Subject, sanCritical(leaf))
	}
	RequireCleanLint(t, leaf)
	s.Revoke(t, admin, issued.CertificateID, "KEY_COMPROMISE")
	var deleted struct {
		Certificate CertRecord `json:"certificate"`
	}
	s.Do(t, http.MethodDelete, "/api/v1/cert-manager/certificates/"+issued.CertificateID, admin, nil).OK(t, &deleted)
	if deleted.Certificate.ID != issued.CertificateID {
		t.Errorf("DELETE returned %+v", deleted.Certificate)
	}
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/"+issued.CertificateID, admin, nil).
		ExpectError(t, http.StatusNotFound, "NotFound", "")

	other := s.IssueCert(t, admin, map[string]any{"caId": caID, "commonName": "after-delete.example.com"})
	s.Revoke(t, admin, other.CertificateID, "SUPERSEDED")
	_, crl := fetchCRL(t, s, leaf)
	found := false
	for _, e := range crl.RevokedCertificateEntries {
		found = found || pki.FormatSerial(e.SerialNumber) == issued.SerialNumber
	}
	if !found {
		t.Error("a deleted revoked certificate dropped off the CRL")
	}
}

var oidSAN = asn1.ObjectIdentifier{2, 5, 29, 17}

func sanCritical(c *x509.Certificate) bool {
	for _, ext := range c.Extensions {
		if ext.Id.Equal(oidSAN) {
			return ext.Critical
		}
	}
	return false
}
