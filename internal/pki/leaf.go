package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"time"
)

// LeafProfile is everything that varies between end-entity certificates
// pkid signs.
type LeafProfile struct {
	// CommonName is the only subject attribute; empty leaves the subject
	// empty, and Go then marks the SAN extension critical as RFC 5280
	// §4.2.1.6 requires.
	CommonName   string
	AltNames     AltNames
	PublicKey    crypto.PublicKey
	SerialNumber *big.Int
	NotBefore    time.Time
	NotAfter     time.Time
	KeyUsage     x509.KeyUsage
	ExtKeyUsage  []x509.ExtKeyUsage
	CRLURLs      []string
	IssuerURLs   []string
}

// LeafTemplate builds the template of an end-entity certificate: a
// critical basicConstraints without cA, the key usages, the names, and a
// subject key identifier (RFC 5280 §4.2.1.2). The authority key
// identifier comes from the issuer when the template is signed.
func LeafTemplate(p LeafProfile) (*x509.Certificate, error) {
	skid, err := SubjectKeyID(p.PublicKey)
	if err != nil {
		return nil, err
	}
	t := &x509.Certificate{
		SerialNumber:          p.SerialNumber,
		Subject:               pkix.Name{CommonName: p.CommonName},
		NotBefore:             p.NotBefore.UTC().Truncate(time.Second),
		NotAfter:              p.NotAfter.UTC().Truncate(time.Second),
		KeyUsage:              p.KeyUsage,
		ExtKeyUsage:           p.ExtKeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  false,
		SubjectKeyId:          skid,
		DNSNames:              p.AltNames.DNSNames,
		IPAddresses:           p.AltNames.IPAddresses,
		EmailAddresses:        p.AltNames.EmailAddresses,
		URIs:                  p.AltNames.URIs,
		CRLDistributionPoints: p.CRLURLs,
		IssuingCertificateURL: p.IssuerURLs,
	}
	return t, nil
}
