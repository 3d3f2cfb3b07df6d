package e2e

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// caName turns a key algorithm into a CA name slug.
func caName(prefix string, algo pki.KeyAlgorithm) string {
	return prefix + "-" + regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(string(algo)), "-")
}

// IntermediateRequest builds the body of a pending intermediate CA with
// the subject its CSR carries.
func IntermediateRequest(projectID, name, keyAlgorithm string) map[string]any {
	return map[string]any{
		"projectId": projectID, "name": name,
		"configuration": map[string]any{
			"type": "intermediate", "keyAlgorithm": keyAlgorithm, "commonName": name + " Intermediate CA",
			"organization": "pkid e2e", "country": "US", "maxPathLength": 0,
		},
	}
}

// TestCertIssueAndSignEveryAlgorithm issues and signs leaves from a root
// and from an intermediate of every key algorithm, and checks each with
// openssl, Go's x509 and zlint.
func TestCertIssueAndSignEveryAlgorithm(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "issuing")
		for _, algo := range pki.KeyAlgorithms {
			t.Run(string(algo), func(t *testing.T) {
				root := s.CreateCA(t, token, RootRequest(project, caName("root", algo), string(algo), time.Now().AddDate(5, 0, 0)))
				rootPEM := s.activeCACert(t, token, root.ID)
				checkIssueAndSign(t, s, token, root.ID, rootPEM, algo)

				name := caName("int", algo)
				inter := s.CreateCA(t, token, IntermediateRequest(project, name, string(algo)))
				s.InstallIntermediate(t, root.ID, inter.ID, time.Now().AddDate(4, 0, 0))
				checkIssueAndSign(t, s, token, inter.ID, rootPEM, algo)
			})
		}
	})
}

func (s *Server) activeCACert(t testing.TB, token, caID string) string {
	t.Helper()
	var out CACert
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+caID+"/certificate", token, nil).OK(t, &out)
	return out.Certificate
}

func checkIssueAndSign(t *testing.T, s *Server, token, caID, rootPEM string, algo pki.KeyAlgorithm) {
	host := strings.ToLower(strings.ReplaceAll(string(algo), "_", "-")) + ".example.com"
	issued := s.IssueCert(t, token, map[string]any{
		"caId": caID, "commonName": host, "altNames": "www." + host + ",10.1.2.3", "ttl": "30d",
	})
	leaf := checkLeaf(t, s, issued, rootPEM, host)
	if got := pki.KeyTypeName(leaf.PublicKey); !strings.Contains(got, keyTypeFamily(algo)) {
		t.Errorf("issued key type %s, want the CA's algorithm %s", got, algo)
	}
	if !contains(leaf.DNSNames, host) || !contains(leaf.DNSNames, "www."+host) || len(leaf.IPAddresses) != 1 {
		t.Errorf("SANs DNS=%v IP=%v, want %s, www.%s and 10.1.2.3", leaf.DNSNames, leaf.IPAddresses, host, host)
	}
	if want := 30 * 24 * time.Hour; leaf.NotAfter.Sub(leaf.NotBefore) != want {
		t.Errorf("validity %v, want %v", leaf.NotAfter.Sub(leaf.NotBefore), want)
	}
	checkPrivateKeyMatches(t, issued.PrivateKey, leaf)

	csrKey := NewKey(t, pki.ECP256)
	signed := s.SignCert(t, token, map[string]any{"caId": caID, "csr": NewCSR(t, csrKey, "csr."+host, "csr."+host)})
	leaf = checkLeaf(t, s, signed, rootPEM, "csr."+host)
	if signed.PrivateKey != "" {
		t.Error("sign-certificate returned a private key")
	}
	if leaf.Subject.CommonName != "csr."+host {
		t.Errorf("CN %q, want the CSR's csr.%s", leaf.Subject.CommonName, host)
	}
}

func keyTypeFamily(algo pki.KeyAlgorithm) string {
	if strings.HasPrefix(string(algo), "RSA") {
		return "RSA"
	}
	return "ECDSA"
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

// checkLeaf checks an issued leaf against its chain: the chain format,
// Go's Verify for server auth with host, openssl -x509_strict, zlint,
// the TLS server profile and the CRL and CA issuer URLs.
func checkLeaf(t *testing.T, s *Server, out IssuedCert, rootPEM, host string) *x509.Certificate {
	t.Helper()
	leaf := ParseCert(t, out.Certificate)
	chain := ParseChain(t, out.CertificateChain)
	issuer := ParseCert(t, out.IssuingCACertificate)
	if len(chain) == 0 || !bytes.Equal(chain[0].Raw, issuer.Raw) {
		t.Fatalf("certificateChain does not start with issuingCaCertificate")
	}
	if root := ParseCert(t, rootPEM); !bytes.Equal(chain[len(chain)-1].Raw, root.Raw) {
		t.Errorf("certificateChain does not end with the root")
	}
	if strings.HasSuffix(out.CertificateChain, "\n") {
		t.Error("certificateChain ends with a newline")
	}
	if !serialPattern.MatchString(out.SerialNumber) || pki.FormatSerial(leaf.SerialNumber) != out.SerialNumber {
		t.Errorf("serialNumber %q does not match certificate serial %x", out.SerialNumber, leaf.SerialNumber)
	}

	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(chain[len(chain)-1])
	var untrusted []string
	for _, c := range chain[:len(chain)-1] {
		inters.AddCert(c)
		untrusted = append(untrusted, pki.CertificatePEM(c.Raw))
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inters, DNSName: host,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		t.Errorf("Go verify for server auth as %s: %v", host, err)
	}
	if msg, ok := OpenSSLVerify(t, out.Certificate, rootPEM, untrusted); !ok {
		t.Errorf("openssl verify -x509_strict: %s\n%s", msg, OpenSSLText(t, "x509", out.Certificate))
	}
	RequireCleanLint(t, leaf)

	if leaf.IsCA || !leaf.BasicConstraintsValid {
		t.Error("leaf is not marked as an end entity in basicConstraints")
	}
	if leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		t.Errorf("key usage %b lacks digitalSignature", leaf.KeyUsage)
	}
	if !bytes.Equal(leaf.AuthorityKeyId, issuer.SubjectKeyId) || len(leaf.SubjectKeyId) == 0 {
		t.Error("AKID does not match the issuer's SKID, or SKID missing")
	}
	if len(leaf.CRLDistributionPoints) != 1 || len(leaf.IssuingCertificateURL) != 1 {
		t.Fatalf("CRL DP %v and AIA %v, want one of each", leaf.CRLDistributionPoints, leaf.IssuingCertificateURL)
	}
	der, contentType := s.FetchURL(t, leaf.IssuingCertificateURL[0])
	if !bytes.Equal(der, issuer.Raw) || contentType != "application/pkix-cert" {
		t.Errorf("AIA caIssuers URL serves %s that is not the issuing CA certificate", contentType)
	}
	crlDER, contentType := s.FetchURL(t, leaf.CRLDistributionPoints[0])
	crl, err := x509.ParseRevocationList(crlDER)
	if err != nil || contentType != "application/pkix-crl" {
		t.Fatalf("CRL URL serves %s: %v", contentType, err)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		t.Errorf("CRL not signed by the issuing CA: %v", err)
	}
	return leaf
}

func checkPrivateKeyMatches(t *testing.T, keyPEM string, leaf *x509.Certificate) {
	t.Helper()
	b, _ := pem.Decode([]byte(keyPEM))
	if b == nil || b.Type != "PRIVATE KEY" {
		t.Fatalf("privateKey is not a PKCS #8 PEM block")
	}
	key, err := pki.ParsePrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		t.Error("privateKey does not match the certificate's public key")
	}
}
