package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// BenchmarkSignLeaf measures creating one end-entity certificate for a
// P-256 key with a CA key of each algorithm: template, serial and
// x509.CreateCertificate.
func BenchmarkSignLeaf(b *testing.B) {
	leafKey, err := GenerateKey(rand.Reader, ECP256)
	if err != nil {
		b.Fatal(err)
	}
	for _, alg := range []KeyAlgorithm{ECP256, ECP384, RSA2048} {
		b.Run(string(alg), func(b *testing.B) {
			caKey, err := GenerateKey(rand.Reader, alg)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			caTmpl := &x509.Certificate{
				SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench CA"},
				NotBefore: now, NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
				KeyUsage: x509.KeyUsageCertSign,
			}
			caCert, err := Sign(caTmpl, caTmpl, caKey.Public(), caKey)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					serial, err := NewSerial(rand.Reader)
					if err != nil {
						b.Error(err)
						return
					}
					tmpl, err := LeafTemplate(LeafProfile{
						CommonName: "bench.pkid.test", AltNames: AltNames{DNSNames: []string{"bench.pkid.test"}},
						PublicKey: leafKey.Public(), SerialNumber: serial, NotBefore: now, NotAfter: now.Add(time.Minute),
						KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
						CRLURLs: []string{"http://127.0.0.1/crl"}, IssuerURLs: []string{"http://127.0.0.1/ca"},
					})
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := Sign(tmpl, caCert, leafKey.Public(), caKey); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
