package pki

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// CertificatePEM encodes a certificate as one PEM block without a trailing
// newline, the form the API returns.
func CertificatePEM(der []byte) string {
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return strings.TrimRight(string(b), "\n")
}

// JoinChain joins PEM blocks with a single newline and no trailing
// newline, skipping empty parts. The issuer comes first, the root last.
func JoinChain(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n")
}

// ParseCertificatePEM decodes the first CERTIFICATE block of s.
func ParseCertificatePEM(s string) (*x509.Certificate, error) {
	certs, err := ParseCertificatesPEM(s)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("pki: no CERTIFICATE block found")
	}
	return certs[0], nil
}

// ParseCertificatesPEM decodes every CERTIFICATE block of s, in order.
// Blocks of other types are an error, so a key pasted by mistake is not
// silently ignored.
func ParseCertificatesPEM(s string) ([]*x509.Certificate, error) {
	rest := []byte(s)
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("pki: unexpected PEM block %q", b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pki: parsing certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}
