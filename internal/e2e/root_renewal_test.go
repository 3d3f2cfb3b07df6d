package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"regexp"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

var serialPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// TestRootRenewalEveryAlgorithm creates a root of each key algorithm,
// signs a leaf with its key before renewal, renews it, and checks the
// renewed certificate with Go's x509, openssl and zlint.
func TestRootRenewalEveryAlgorithm(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "renewal")
		for _, algo := range pki.KeyAlgorithms {
			t.Run(string(algo), func(t *testing.T) {
				checkRootRenewal(t, s, token, project, algo)
			})
		}
	})
}

func checkRootRenewal(t *testing.T, s *Server, token, project string, algo pki.KeyAlgorithm) {
	name := "root-" + regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(
		string(bytes.ToLower([]byte(algo))), "-")
	ca := s.CreateCA(t, token, RootRequest(project, name, string(algo), time.Now().AddDate(5, 0, 0)))
	if ca.Status != "active" {
		t.Fatalf("status %q, want active", ca.Status)
	}
	versions := s.CACertificates(t, token, ca.ID)
	if len(versions) != 1 || versions[0].Version != 1 {
		t.Fatalf("want exactly version 1 after create, got %+v", versions)
	}
	old := ParseCert(t, versions[0].Certificate)
	leafBefore := signLeafWithCAKey(t, s, ca.ID, old)

	want := time.Now().AddDate(10, 0, 0).Add(123 * time.Millisecond)
	renewed := s.Renew(t, token, ca.ID, want)
	c := ParseCert(t, renewed.Certificate)

	if renewed.CertificateChain != "" {
		t.Errorf("root chain = %q, want empty", renewed.CertificateChain)
	}
	if !bytes.Equal(c.RawSubject, old.RawSubject) {
		t.Errorf("raw subject changed:\n%x\n%x", c.RawSubject, old.RawSubject)
	}
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		t.Error("renewed root is not self-issued")
	}
	if !bytes.Equal(c.SubjectKeyId, old.SubjectKeyId) || len(c.SubjectKeyId) == 0 {
		t.Errorf("SKID %x, want %x", c.SubjectKeyId, old.SubjectKeyId)
	}
	if !bytes.Equal(c.RawSubjectPublicKeyInfo, old.RawSubjectPublicKeyInfo) {
		t.Error("public key changed")
	}
	if !serialPattern.MatchString(renewed.SerialNumber) || renewed.SerialNumber == versions[0].SerialNumber {
		t.Errorf("serial %q: want 40 new lowercase hex digits (old %s)", renewed.SerialNumber, versions[0].SerialNumber)
	}
	if pki.FormatSerial(c.SerialNumber) != renewed.SerialNumber {
		t.Errorf("certificate serial %x does not match reported %s", c.SerialNumber, renewed.SerialNumber)
	}
	if !c.NotAfter.Equal(want.UTC().Truncate(time.Second)) {
		t.Errorf("notAfter %v, want %v", c.NotAfter, want.Truncate(time.Second))
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("renewed root is not self-signed: %v", err)
	}
	if !c.IsCA || !c.BasicConstraintsValid || c.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("CA profile wrong: IsCA=%v keyUsage=%b", c.IsCA, c.KeyUsage)
	}

	roots := x509.NewCertPool()
	roots.AddCert(c)
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots}); err != nil {
		t.Errorf("Go verify of renewed root: %v", err)
	}
	if _, err := leafBefore.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("leaf signed before renewal does not verify against the renewed root alone: %v", err)
	}
	if out, ok := OpenSSLVerify(t, renewed.Certificate, renewed.Certificate, nil); !ok {
		t.Errorf("openssl verify of renewed root failed: %s", out)
	}
	if out, ok := OpenSSLVerify(t, pki.CertificatePEM(leafBefore.Raw), renewed.Certificate, nil); !ok {
		t.Errorf("openssl verify of earlier leaf against renewed root failed: %s", out)
	}
	RequireCleanLint(t, c)
	RequireCleanLint(t, old)

	var got CA
	s.Do(t, "GET", "/api/v1/cert-manager/ca/internal/"+ca.ID, token, nil).OK(t, &got)
	if got.Configuration.ActiveCACertID == nil || *got.Configuration.ActiveCACertID != renewed.CertID {
		t.Errorf("activeCaCertId %v, want %s", got.Configuration.ActiveCACertID, renewed.CertID)
	}
	if got.Configuration.SerialNumber == nil || *got.Configuration.SerialNumber != renewed.SerialNumber {
		t.Errorf("CA serialNumber %v, want %s", got.Configuration.SerialNumber, renewed.SerialNumber)
	}
}

// signLeafWithCAKey signs a test leaf with the CA's own private key, read
// from the database and opened with the server's root key: the kind of
// certificate the CA issued before it was renewed.
func signLeafWithCAKey(t *testing.T, s *Server, caID string, caCert *x509.Certificate) *x509.Certificate {
	t.Helper()
	key := s.CAKey(t, caID)
	leafKey, err := pki.GenerateKey(rand.Reader, pki.ECP256)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := pki.NewSerial(rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "leaf.example.test"},
		DNSNames:     []string{"leaf.example.test"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, leafKey.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}
