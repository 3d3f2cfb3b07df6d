package loadtest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// rawBench is the signing work of one sign-certificate request without
// the server: parse a CSR and check its signature, then sign a leaf
// certificate with a CA key of the same algorithm as the CA under load.
type rawBench struct {
	caCert *x509.Certificate
	caKey  crypto.Signer
	csrDER []byte
}

func newRawBench(caKeyAlgorithm string, csrDER []byte) (*rawBench, error) {
	key, err := pki.GenerateKey(rand.Reader, pki.KeyAlgorithm(caKeyAlgorithm))
	if err != nil {
		return nil, fmt.Errorf("generating a %s key for the in-process rate: %w", caKeyAlgorithm, err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pkid bench CA"},
		NotBefore: now, NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("creating the CA certificate for the in-process rate: %w", err)
	}
	caCert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &rawBench{caCert: caCert, caKey: key, csrDER: csrDER}, nil
}

// once runs the work of one request.
func (b *rawBench) once() error {
	csr, err := x509.ParseCertificateRequest(b.csrDER)
	if err != nil {
		return err
	}
	if err := csr.CheckSignature(); err != nil {
		return err
	}
	serial, err := pki.NewSerial(rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl, err := pki.LeafTemplate(pki.LeafProfile{
		CommonName: csr.Subject.CommonName, AltNames: pki.AltNames{DNSNames: csr.DNSNames},
		PublicKey: csr.PublicKey, SerialNumber: serial, NotBefore: now, NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		CRLURLs:    []string{"http://127.0.0.1:8080/api/v1/cert-manager/crl/00000000-0000-4000-8000-000000000000/der"},
		IssuerURLs: []string{"http://127.0.0.1:8080/api/v1/cert-manager/ca/internal/x/certificates/y/der"},
	})
	if err != nil {
		return err
	}
	_, err = x509.CreateCertificate(rand.Reader, tmpl, b.caCert, csr.PublicKey, b.caKey)
	return err
}

// rate runs once on workers goroutines for d and returns completions per
// second; 0 when the work fails.
func (b *rawBench) rate(ctx context.Context, workers int, d time.Duration) float64 {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var done atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := b.once(); err != nil {
					failed.Store(true)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		return 0
	}
	return float64(done.Load()) / time.Since(start).Seconds()
}
