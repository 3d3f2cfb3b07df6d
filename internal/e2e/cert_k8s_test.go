package e2e

import (
	"bytes"
	"crypto/x509"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// TestCertKubernetesIssuerFlow follows the reference Kubernetes issuer:
// a form-encoded login, then sign-certificate under the legacy prefix
// with {caId, csr, ttl: "90d"}, taking the root from the last PEM block
// of certificateChain.
func TestCertKubernetesIssuerFlow(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "k8s-issuer")
		root := s.CreateCA(t, admin, RootRequest(project, "k8s-root", "RSA_2048", time.Now().AddDate(5, 0, 0)))
		inter := s.CreateCA(t, admin, IntermediateRequest(project, "k8s-int", "EC_prime256v1"))
		s.InstallIntermediate(t, root.ID, inter.ID, time.Now().AddDate(4, 0, 0))

		form := url.Values{"clientId": {AdminClientID}, "clientSecret": {AdminClientSecret}}
		req, err := http.NewRequest(http.MethodPost, s.URL+"/api/v1/auth/universal-auth/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		var login struct {
			AccessToken string `json:"accessToken"`
		}
		s.Send(t, req).OK(t, &login)

		host := "web.default.svc.example.com"
		csr := NewCSR(t, NewKey(t, pki.RSA2048), host, host, "web.example.com")
		var out IssuedCert
		s.Do(t, http.MethodPost, "/api/v1/pki/certificates/sign-certificate", login.AccessToken,
			map[string]any{"caId": inter.ID, "csr": csr, "ttl": "90d"}).OK(t, &out)

		leaf := ParseCert(t, out.Certificate)
		if got := leaf.NotAfter.Sub(leaf.NotBefore); got != 90*24*time.Hour {
			t.Errorf("validity %v, want 90 days", got)
		}
		chain := ParseChain(t, out.CertificateChain)
		rootPEM := s.activeCACert(t, admin, root.ID)
		if len(chain) != 2 || !bytes.Equal(chain[len(chain)-1].Raw, ParseCert(t, rootPEM).Raw) {
			t.Fatalf("certificateChain has %d blocks and does not end with the root", len(chain))
		}
		rootCA := pki.CertificatePEM(chain[len(chain)-1].Raw)
		if msg, ok := OpenSSLVerify(t, out.Certificate, rootCA, []string{out.IssuingCACertificate}); !ok {
			t.Errorf("openssl verify with the root from the chain: %s", msg)
		}
		roots, inters := x509.NewCertPool(), x509.NewCertPool()
		roots.AppendCertsFromPEM([]byte(rootCA))
		inters.AppendCertsFromPEM([]byte(out.IssuingCACertificate))
		_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, DNSName: "web.example.com"})
		if err != nil {
			t.Errorf("Go verify: %v", err)
		}
		RequireCleanLint(t, leaf)
	})
}
