package authority

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// fuzzNow is the time chains are verified at; the seed certificates are
// valid from 2025 to 2035.
var fuzzNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// fuzzHierarchy returns PEM certificates of a root, an intermediate it
// signed and a CA certificate the intermediate signed.
func fuzzHierarchy(f *testing.F) (root, intermediate, leafCA string) {
	newCA := func(cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
		if err != nil {
			f.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			f.Fatal(err)
		}
		return c, key
	}
	r, rk := newCA("fuzz root", nil, nil)
	i, ik := newCA("fuzz intermediate", r, rk)
	l, _ := newCA("fuzz issuing CA", i, ik)
	return pki.CertificatePEM(r.Raw), pki.CertificatePEM(i.Raw), pki.CertificatePEM(l.Raw)
}

// FuzzVerifyImportedChain feeds import-certificate's chain check: an
// accepted chain has 1 to maxChainDepth certificates, each the signing
// issuer of the one before it, and only the last is self-signed.
func FuzzVerifyImportedChain(f *testing.F) {
	root, intermediate, leafCA := fuzzHierarchy(f)
	f.Add(leafCA, pki.JoinChain(intermediate, root))
	f.Add(intermediate, root)
	f.Add(leafCA, pki.JoinChain(root, intermediate))
	f.Add(leafCA, pki.JoinChain(intermediate, root, root))
	f.Add(intermediate, strings.Repeat(root+"\n", 40))
	f.Add(leafCA, intermediate)
	f.Add(root, root)
	f.Add(leafCA, "")
	f.Fuzz(func(t *testing.T, certPEM, chainPEM string) {
		cert, err := parseImportedCert(certPEM)
		if err != nil {
			return
		}
		chain, err := pki.ParseCertificatesPEM(chainPEM)
		if err != nil {
			return
		}
		if err := verifyImportedChain(cert, chain, fuzzNow); err != nil {
			return
		}
		if len(chain) == 0 || len(chain) > maxChainDepth {
			t.Fatalf("accepted a chain of %d certificates", len(chain))
		}
		child := cert
		for i, c := range chain {
			if child.CheckSignatureFrom(c) != nil || !bytes.Equal(child.RawIssuer, c.RawSubject) {
				t.Fatalf("chain certificate %d is not the issuer of the one before it", i+1)
			}
			selfSigned := bytes.Equal(c.RawIssuer, c.RawSubject)
			if selfSigned != (i == len(chain)-1) {
				t.Fatalf("chain certificate %d of %d: self-signed %v", i+1, len(chain), selfSigned)
			}
			child = c
		}
	})
}
