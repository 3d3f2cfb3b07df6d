package e2e

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"
)

// ParseCert decodes the first CERTIFICATE block of a PEM string.
func ParseCert(t testing.TB, pemText string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(pemText))
	if b == nil || b.Type != "CERTIFICATE" {
		t.Fatalf("no CERTIFICATE block in %q", pemText)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatalf("parsing certificate: %v", err)
	}
	return c
}

// ParseChain decodes every CERTIFICATE block of a chain string.
func ParseChain(t testing.TB, chain string) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	rest := []byte(chain)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatalf("parsing chain certificate: %v", err)
		}
		out = append(out, c)
	}
}

// OpenSSL returns the path of the openssl binary, failing the test when
// it is missing: the project's scripts install it.
func OpenSSL(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl not found; run scripts/install-test-deps.sh")
	}
	return path
}

// OpenSSLVerify runs `openssl verify -x509_strict` on leaf with root as the
// only trust anchor and untrusted as intermediates, plus any extra flags,
// and returns its combined output and whether it succeeded.
func OpenSSLVerify(t testing.TB, leafPEM, rootPEM string, untrusted []string, extra ...string) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	args := []string{"verify", "-x509_strict", "-CAfile", write("root.pem", rootPEM)}
	if len(untrusted) > 0 {
		args = append(args, "-untrusted", write("untrusted.pem", strings.Join(untrusted, "\n")))
	}
	args = append(args, extra...)
	args = append(args, write("leaf.pem", leafPEM))
	out, err := exec.Command(OpenSSL(t), args...).CombinedOutput()
	return string(out), err == nil
}

// LintFinding is one zlint result worse than pass.
type LintFinding struct {
	Lint   string
	Status lint.LintStatus
	Source lint.LintSource
}

// Zlint runs every zlint lint on a certificate and returns the results
// with status warn, error or fatal.
func Zlint(t testing.TB, c *x509.Certificate) []LintFinding {
	t.Helper()
	zc, err := zx509.ParseCertificate(c.Raw)
	if err != nil {
		t.Fatalf("zcrypto cannot parse certificate: %v", err)
	}
	rs := zlint.LintCertificate(zc)
	reg := lint.GlobalRegistry()
	var out []LintFinding
	for name, r := range rs.Results {
		if r.Status < lint.Warn {
			continue
		}
		var src lint.LintSource
		if l := reg.ByName(name); l != nil {
			src = l.Source
		}
		out = append(out, LintFinding{Lint: name, Status: r.Status, Source: src})
	}
	return out
}

// AcceptedCABFFindings lists CA/Browser Forum and other non-RFC 5280 lints
// pkid's certificates trip, with the reason each is accepted for a private
// CA: the Baseline Requirements bind publicly trusted CAs only.
// docs/zlint.md lists the same.
var AcceptedCABFFindings = map[string]string{
	"e_sub_ca_certificate_policies_missing":                   "a private CA asserts no CA/Browser Forum certificate policy",
	"e_invalid_ca_certificate_policies":                       "a private CA asserts no CA/Browser Forum certificate policy",
	"e_sub_cert_cert_policy_empty":                            "a private CA asserts no certificate policy",
	"e_sub_cert_certificate_policies_missing":                 "a private CA asserts no certificate policy",
	"e_server_cert_valid_time_longer_than_200_days":           "the API's default validity is one year",
	"w_server_cert_valid_time_longer_than_199_days":           "the API's default validity is one year",
	"e_ext_san_contains_reserved_ip":                          "private networks are what a private CA names",
	"w_sub_cert_aia_contains_internal_names":                  "the CA issuer URL is the server's own, often internal, address",
	"w_subject_common_name_included":                          "the reference API puts commonName in the subject",
	"w_ext_subject_key_identifier_not_recommended_subscriber": "RFC 5280 §4.2.1.2 says end-entity certificates SHOULD carry a subject key identifier",
}

// RequireCleanLint fails the test on any RFC 5280 warning or error, and on
// any other finding that is not in AcceptedCABFFindings.
func RequireCleanLint(t testing.TB, c *x509.Certificate) {
	t.Helper()
	for _, f := range Zlint(t, c) {
		if f.Source != lint.RFC5280 {
			if _, ok := AcceptedCABFFindings[f.Lint]; ok {
				continue
			}
		}
		t.Errorf("zlint %s: %s (source %s) on certificate %s", f.Status, f.Lint, f.Source, c.Subject)
	}
}
