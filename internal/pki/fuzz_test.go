package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// The fuzz targets below run in CI through scripts/fuzz.sh. Interesting
// inputs they found are kept under testdata/fuzz/<target>.

// FuzzParseAltNames checks that an accepted list has at most MaxAltNames
// well-formed names and that its String form parses back to itself.
func FuzzParseAltNames(f *testing.F) {
	for _, s := range []string{
		"a.example,10.0.0.1,::1,ops@example.com,spiffe://example.org/ns/x",
		"*.a.example, A.EXAMPLE ,a.example,,", "a..b", "http://", "x@", "<a@b.c>",
		"a@b.c://d", "urn:x", "1.2.3.4.5", "-a.example", strings.Repeat("a,", 150),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		a, err := ParseAltNames(list)
		if err != nil {
			if !a.Empty() {
				t.Fatalf("ParseAltNames(%q) returned names with error %v", list, err)
			}
			return
		}
		if a.Count() > MaxAltNames {
			t.Fatalf("ParseAltNames(%q) accepted %d names", list, a.Count())
		}
		for _, d := range a.DNSNames {
			if !IsDNSName(d) || d != strings.ToLower(d) {
				t.Fatalf("ParseAltNames(%q) accepted DNS name %q", list, d)
			}
		}
		for _, e := range a.EmailAddresses {
			if !strings.Contains(e, "@") {
				t.Fatalf("ParseAltNames(%q) accepted email %q", list, e)
			}
		}
		for _, u := range a.URIs {
			if u.Scheme == "" || u.Host == "" {
				t.Fatalf("ParseAltNames(%q) accepted URI %q", list, u)
			}
		}
		again, err := ParseAltNames(a.String())
		if err != nil || again.String() != a.String() {
			t.Fatalf("ParseAltNames(%q) = %q does not round-trip: %q, %v", list, a.String(), again.String(), err)
		}
	})
}

// fuzzCSR returns a DER CSR for a new P-256 key.
func fuzzCSR(f *testing.F, dnsNames ...string) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "fuzz.example", Organization: []string{"pkid"}}, DNSNames: dnsNames,
	}, key)
	if err != nil {
		f.Fatal(err)
	}
	return der
}

func csrPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// FuzzParseCSR mutates the DER of a CSR: an accepted request has a
// valid self-signature, a supported key and at most MaxAltNames names.
func FuzzParseCSR(f *testing.F) {
	f.Add(fuzzCSR(f, "fuzz.example", "www.fuzz.example"))
	f.Add(fuzzCSR(f))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		csr, err := ParseCSR(csrPEM(der))
		if err != nil {
			return
		}
		if err := csr.CheckSignature(); err != nil {
			t.Fatalf("accepted a CSR with a bad signature: %v", err)
		}
		if err := CheckLeafKey(csr.PublicKey); err != nil {
			t.Fatalf("accepted a CSR with a rejected key: %v", err)
		}
		n := len(csr.DNSNames) + len(csr.IPAddresses) + len(csr.EmailAddresses) + len(csr.URIs)
		if n > MaxAltNames {
			t.Fatalf("accepted a CSR with %d names", n)
		}
	})
}

// FuzzParseCSRPEM mutates the PEM text around a CSR: an accepted text
// holds exactly one CSR block, whose DER the result was parsed from.
func FuzzParseCSRPEM(f *testing.F) {
	good := csrPEM(fuzzCSR(f, "fuzz.example"))
	f.Add(good)
	f.Add("  \n" + good + "\n\n")
	f.Add(good + good)
	f.Add(strings.Replace(good, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", 2))
	f.Add(strings.Replace(good, "CERTIFICATE REQUEST", "PRIVATE KEY", 2))
	f.Add("-----BEGIN CERTIFICATE REQUEST-----\n=\n-----END CERTIFICATE REQUEST-----")
	f.Fuzz(func(t *testing.T, text string) {
		csr, err := ParseCSRPEM(text)
		if err != nil {
			return
		}
		block, rest := pem.Decode([]byte(strings.TrimSpace(text)))
		if block == nil || !bytes.Equal(block.Bytes, csr.Raw) {
			t.Fatal("accepted CSR is not the DER of the first PEM block")
		}
		if strings.TrimSpace(string(rest)) != "" {
			t.Fatalf("accepted text with %d bytes after the CSR block", len(rest))
		}
	})
}

// fuzzCertificate returns the DER of a self-signed P-256 CA certificate.
func fuzzCertificate(f *testing.F) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz root"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		f.Fatal(err)
	}
	return der
}

// FuzzParseCertificatesPEM checks that every accepted certificate
// re-encodes to PEM and parses back to the same DER, in order.
func FuzzParseCertificatesPEM(f *testing.F) {
	one := CertificatePEM(fuzzCertificate(f))
	f.Add(one)
	f.Add(JoinChain(one, one, one))
	f.Add("junk\n" + one + "\ntrailing junk")
	f.Add(strings.Replace(one, "CERTIFICATE", "PRIVATE KEY", 2))
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		certs, err := ParseCertificatesPEM(text)
		if err != nil {
			return
		}
		parts := make([]string, len(certs))
		for i, c := range certs {
			if c == nil {
				t.Fatalf("certificate %d is nil", i+1)
			}
			parts[i] = CertificatePEM(c.Raw)
		}
		again, err := ParseCertificatesPEM(JoinChain(parts...))
		if err != nil || len(again) != len(certs) {
			t.Fatalf("re-encoded chain of %d parses to %d certificates, %v", len(certs), len(again), err)
		}
		for i := range certs {
			if !bytes.Equal(again[i].Raw, certs[i].Raw) {
				t.Fatalf("certificate %d changed in a PEM round trip", i+1)
			}
		}
	})
}
