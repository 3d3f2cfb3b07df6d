package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/zmap/zlint/v3/lint"
)

// TestZlintCatchesBadCA makes sure the lint helper really reports RFC 5280
// errors: a self-signed CA certificate with an empty subject and issuer
// must produce findings.
func TestZlintCatchesBadCA(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{},
		NotBefore:             time.Now(),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	rfc := 0
	for _, f := range Zlint(t, c) {
		if f.Source == lint.RFC5280 {
			rfc++
		}
	}
	if rfc == 0 {
		t.Fatal("zlint reported no RFC 5280 finding for a CA certificate with an empty subject")
	}
}
