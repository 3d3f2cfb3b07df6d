package e2e

import (
	"crypto/x509"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

const caBase = "/api/v1/cert-manager/ca/internal"

// intermediateBody builds the body that creates an intermediate CA. With
// parentID and notAfter set, the parent signs it at creation.
func intermediateBody(projectID, name, keyAlgorithm string, parentID string, notAfter time.Time, maxPathLength *int) map[string]any {
	cfg := map[string]any{
		"type": "intermediate", "keyAlgorithm": keyAlgorithm, "commonName": name + " CA",
		"organization": "pkid e2e", "country": "US", "maxPathLength": maxPathLength,
	}
	if parentID != "" {
		cfg["parentCaId"] = parentID
	}
	if !notAfter.IsZero() {
		cfg["notAfter"] = notAfter.UTC().Format(time.RFC3339)
	}
	return map[string]any{"projectId": projectID, "name": name, "status": "active", "configuration": cfg}
}

func intPtr(n int) *int { return &n }

// signedIntermediate is the response of sign-intermediate.
type signedIntermediate struct {
	Certificate          string `json:"certificate"`
	CertificateChain     string `json:"certificateChain"`
	IssuingCaCertificate string `json:"issuingCaCertificate"`
	SerialNumber         string `json:"serialNumber"`
}

func (s *Server) csr(t testing.TB, token, caID string) string {
	t.Helper()
	var out struct {
		CSR string `json:"csr"`
	}
	s.Do(t, http.MethodGet, caBase+"/"+caID+"/csr", token, nil).OK(t, &out)
	return out.CSR
}

func (s *Server) signIntermediate(t testing.TB, token, parentID string, body map[string]any) signedIntermediate {
	t.Helper()
	var out signedIntermediate
	s.Do(t, http.MethodPost, caBase+"/"+parentID+"/sign-intermediate", token, body).OK(t, &out)
	return out
}

func (s *Server) importCert(t testing.TB, token, caID, cert, chain string) {
	t.Helper()
	var out struct {
		Message string `json:"message"`
		CAID    string `json:"caId"`
	}
	s.Do(t, http.MethodPost, caBase+"/"+caID+"/import-certificate", token,
		map[string]any{"certificate": cert, "certificateChain": chain}).OK(t, &out)
	if out.Message != "Successfully imported certificate to CA" || out.CAID != caID {
		t.Fatalf("import response %+v", out)
	}
}

func (s *Server) getCA(t testing.TB, token, caID string) CA {
	t.Helper()
	var ca CA
	s.Do(t, http.MethodGet, caBase+"/"+caID, token, nil).OK(t, &ca)
	return ca
}

func (s *Server) activeCert(t testing.TB, token, caID string) CACert {
	t.Helper()
	var out CACert
	s.Do(t, http.MethodGet, caBase+"/"+caID+"/certificate", token, nil).OK(t, &out)
	return out
}

// createViaCSR creates a pending intermediate, has parentID sign its CSR
// and imports the result, returning the CA after import.
func (s *Server) createViaCSR(t testing.TB, token, projectID, name, algo, parentID string, notAfter time.Time, maxPathLength *int) CA {
	t.Helper()
	ca := s.CreateCA(t, token, intermediateBody(projectID, name, algo, "", time.Time{}, maxPathLength))
	if ca.Status != "pending-certificate" {
		t.Fatalf("new intermediate %s has status %q, want pending-certificate", name, ca.Status)
	}
	pathLen := -1
	if maxPathLength != nil {
		pathLen = *maxPathLength
	}
	signed := s.signIntermediate(t, token, parentID, map[string]any{
		"csr": s.csr(t, token, ca.ID), "notAfter": notAfter.UTC().Format(time.RFC3339),
		"maxPathLength": pathLen,
	})
	s.importCert(t, token, ca.ID, signed.Certificate, signed.CertificateChain)
	return s.getCA(t, token, ca.ID)
}

// verifyWithChain checks a pkid certificate against the chain pkid
// returned with it, as verifyPath does, and lints the certificate and
// every chain member.
func verifyWithChain(t testing.TB, certPEM, chain string) {
	t.Helper()
	verifyPath(t, certPEM, chain)
	RequireCleanLint(t, ParseCert(t, certPEM))
	for _, b := range splitPEM(chain) {
		RequireCleanLint(t, ParseCert(t, b))
	}
}

// verifyPath checks a certificate against a chain whose last block is the
// only trust anchor and whose other blocks are intermediates, with
// openssl verify -x509_strict and Go's Verify.
func verifyPath(t testing.TB, certPEM, chain string) {
	t.Helper()
	blocks := splitPEM(chain)
	if len(blocks) == 0 {
		t.Fatal("empty chain")
	}
	if strings.HasSuffix(chain, "\n") || strings.Contains(chain, "\n\n") {
		t.Errorf("chain is not joined by single newlines without a trailing one: %q", chain)
	}
	root := blocks[len(blocks)-1]
	if out, ok := OpenSSLVerify(t, certPEM, root, blocks[:len(blocks)-1]); !ok {
		t.Errorf("openssl verify -x509_strict failed: %s", out)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(ParseCert(t, root))
	for _, b := range blocks[:len(blocks)-1] {
		inter.AddCert(ParseCert(t, b))
	}
	c := ParseCert(t, certPEM)
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("Go verify of %s: %v", c.Subject, err)
	}
}

// splitPEM returns the PEM blocks of s, each without a trailing newline.
func splitPEM(s string) []string {
	var out []string
	for _, c := range strings.SplitAfter(s, "-----END CERTIFICATE-----") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// checkIntermediateProfile checks the extensions pkid gives an
// intermediate: critical basicConstraints with the path length, critical
// keyUsage, SKID from the key, AKID of the issuer, and the issuer's
// signature algorithm.
func checkIntermediateProfile(t testing.TB, c, issuer *x509.Certificate, pathLen *int) {
	t.Helper()
	if !c.IsCA || !c.BasicConstraintsValid {
		t.Errorf("%s: not a CA certificate", c.Subject)
	}
	if got := pki.PathLen(c); (got == nil) != (pathLen == nil) || (got != nil && *got != *pathLen) {
		t.Errorf("%s: pathLen %v, want %v", c.Subject, pathLenString(got), pathLenString(pathLen))
	}
	want := x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	if c.KeyUsage != want {
		t.Errorf("%s: keyUsage %b, want %b", c.Subject, c.KeyUsage, want)
	}
	for _, e := range c.Extensions {
		id := e.Id.String()
		if (id == "2.5.29.19" || id == "2.5.29.15") && !e.Critical {
			t.Errorf("%s: extension %s is not critical", c.Subject, id)
		}
	}
	skid, err := pki.SubjectKeyID(c.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.SubjectKeyId) != string(skid) {
		t.Errorf("%s: SKID %x, want %x", c.Subject, c.SubjectKeyId, skid)
	}
	if len(issuer.SubjectKeyId) == 0 || string(c.AuthorityKeyId) != string(issuer.SubjectKeyId) {
		t.Errorf("%s: AKID %x, want issuer SKID %x", c.Subject, c.AuthorityKeyId, issuer.SubjectKeyId)
	}
	alg, err := pki.SignatureAlgorithmFor(issuer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if c.SignatureAlgorithm != alg {
		t.Errorf("%s: signature algorithm %v, want the issuer's %v", c.Subject, c.SignatureAlgorithm, alg)
	}
	if !serialPattern.MatchString(pki.FormatSerial(c.SerialNumber)) {
		t.Errorf("%s: serial %x is not 20 bytes", c.Subject, c.SerialNumber)
	}
}

func pathLenString(n *int) string {
	if n == nil {
		return "none"
	}
	return strconv.Itoa(*n)
}

func pemOf(c *x509.Certificate) string { return pki.CertificatePEM(c.Raw) }
