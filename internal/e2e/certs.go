package e2e

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// IssuedCert is the response of issue-certificate and sign-certificate.
type IssuedCert struct {
	Certificate          string `json:"certificate"`
	IssuingCACertificate string `json:"issuingCaCertificate"`
	CertificateChain     string `json:"certificateChain"`
	PrivateKey           string `json:"privateKey"`
	SerialNumber         string `json:"serialNumber"`
	CertificateID        string `json:"certificateId"`
}

// CertRecord is the certificate object of GET and DELETE.
type CertRecord struct {
	ID                string   `json:"id"`
	CAID              string   `json:"caId"`
	CACertID          string   `json:"caCertId"`
	Status            string   `json:"status"`
	SerialNumber      string   `json:"serialNumber"`
	CommonName        string   `json:"commonName"`
	AltNames          string   `json:"altNames"`
	NotBefore         string   `json:"notBefore"`
	NotAfter          string   `json:"notAfter"`
	RevokedAt         *string  `json:"revokedAt"`
	RevocationReason  *int     `json:"revocationReason"`
	KeyUsages         []string `json:"keyUsages"`
	ExtendedKeyUsages []string `json:"extendedKeyUsages"`
}

// IssueCert posts to the issue-certificate route and decodes a 200.
func (s *Server) IssueCert(t testing.TB, token string, body map[string]any) IssuedCert {
	t.Helper()
	var out IssuedCert
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/issue-certificate", token, body).OK(t, &out)
	return out
}

// SignCert posts to the sign-certificate route and decodes a 200.
func (s *Server) SignCert(t testing.TB, token string, body map[string]any) IssuedCert {
	t.Helper()
	var out IssuedCert
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/sign-certificate", token, body).OK(t, &out)
	return out
}

// Revoke revokes a certificate by id.
func (s *Server) Revoke(t testing.TB, token, certID, reason string) {
	t.Helper()
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/"+certID+"/revoke", token,
		map[string]any{"revocationReason": reason}).OK(t, nil)
}

// NewCSR returns a PEM CSR for key with a common name and DNS names.
func NewCSR(t testing.TB, key crypto.Signer, commonName string, dnsNames ...string) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: commonName},
		DNSNames: dnsNames,
	}, key)
	if err != nil {
		t.Fatalf("creating CSR: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// NewKey generates a key of a pkid key algorithm.
func NewKey(t testing.TB, algo pki.KeyAlgorithm) crypto.Signer {
	t.Helper()
	key, err := pki.GenerateKey(rand.Reader, algo)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// FetchURL GETs an absolute URL that must point at the test server, and
// returns the body and Content-Type of a 200.
func (s *Server) FetchURL(t testing.TB, rawURL string) ([]byte, string) {
	t.Helper()
	if !strings.HasPrefix(rawURL, s.URL+"/") {
		t.Fatalf("URL %q is not on the test server %s", rawURL, s.URL)
	}
	resp, err := s.client.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", rawURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", rawURL, resp.StatusCode, body)
	}
	return body, resp.Header.Get("Content-Type")
}

// OpenSSLVerifyCRL runs OpenSSLVerify with -crl_check and one DER CRL.
func OpenSSLVerifyCRL(t testing.TB, leafPEM, rootPEM string, untrusted []string, crlDER []byte) (string, bool) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crl.pem")
	crlPEM := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crlDER})
	if err := os.WriteFile(path, crlPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return OpenSSLVerify(t, leafPEM, rootPEM, untrusted, "-crl_check", "-CRLfile", path)
}

// OpenSSLText prints a certificate or CRL with openssl, for failure
// messages.
func OpenSSLText(t testing.TB, kind, pemText string) string {
	t.Helper()
	cmd := exec.Command(OpenSSL(t), kind, "-noout", "-text")
	cmd.Stdin = strings.NewReader(pemText)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// InstallIntermediate gives a pending intermediate CA its certificate
// through the API: its CSR, signed by the root with sign-intermediate
// (pathLen 0), then imported. It returns the intermediate's certificate.
func (s *Server) InstallIntermediate(t testing.TB, rootID, intermediateID string, notAfter time.Time) string {
	t.Helper()
	token := s.AdminToken(t)
	base := "/api/v1/cert-manager/ca/internal/"
	var csr struct {
		CSR string `json:"csr"`
	}
	s.Do(t, http.MethodGet, base+intermediateID+"/csr", token, nil).OK(t, &csr)
	var signed struct {
		Certificate      string `json:"certificate"`
		CertificateChain string `json:"certificateChain"`
	}
	s.Do(t, http.MethodPost, base+rootID+"/sign-intermediate", token, map[string]any{
		"csr": csr.CSR, "notAfter": notAfter.UTC().Format(time.RFC3339), "maxPathLength": 0,
	}).OK(t, &signed)
	s.Do(t, http.MethodPost, base+intermediateID+"/import-certificate", token, map[string]any{
		"certificate": signed.Certificate, "certificateChain": signed.CertificateChain,
	}).OK(t, nil)
	return signed.Certificate
}

// ProjectMemberToken creates an identity with universal auth, gives it a
// role in a project and returns an access token for it.
func (s *Server) ProjectMemberToken(t testing.TB, adminToken, projectID, name, role string) string {
	t.Helper()
	var identity struct {
		Identity struct {
			ID string `json:"id"`
		} `json:"identity"`
	}
	s.Do(t, http.MethodPost, "/api/v1/identities", adminToken, map[string]any{"name": name}).OK(t, &identity)
	id := identity.Identity.ID
	var ua struct {
		UA struct {
			ClientID string `json:"clientId"`
		} `json:"identityUniversalAuth"`
	}
	s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/identities/"+id, adminToken, map[string]any{}).OK(t, &ua)
	var secret struct {
		ClientSecret string `json:"clientSecret"`
	}
	s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/identities/"+id+"/client-secrets", adminToken,
		map[string]any{}).OK(t, &secret)
	s.Do(t, http.MethodPost, "/api/v1/projects/"+projectID+"/memberships/identities/"+id, adminToken,
		map[string]any{"role": role}).OK(t, nil)
	return s.Login(t, ua.UA.ClientID, secret.ClientSecret)
}
