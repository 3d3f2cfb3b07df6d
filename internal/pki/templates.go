package pki

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// CAProfile is everything that varies between CA certificates pkid signs.
type CAProfile struct {
	// RawSubject, when set, is copied into the certificate byte for byte;
	// otherwise Subject is encoded.
	RawSubject   []byte
	Subject      pkix.Name
	PublicKey    crypto.PublicKey
	SerialNumber *big.Int
	NotBefore    time.Time
	NotAfter     time.Time
	// MaxPathLen is the basicConstraints pathLenConstraint; nil means none.
	MaxPathLen *int
	// Intermediate adds digitalSignature to the key usage, so the CA can
	// also sign OCSP responses.
	Intermediate   bool
	SubjectKeyID   []byte
	AuthorityKeyID []byte
	CRLURLs        []string
	IssuerURLs     []string
	OCSPURLs       []string
}

// SubjectKeyID computes the key identifier of RFC 5280 §4.2.1.2 method 1:
// the SHA-1 hash of the subjectPublicKey BIT STRING, without tag and length.
func SubjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("pki: encoding public key: %w", err)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, fmt.Errorf("pki: decoding public key: %w", err)
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:], nil
}

// CATemplate builds the certificate template for a CA certificate: a
// critical basicConstraints with cA set (RFC 5280 §4.2.1.9), a critical
// keyUsage of keyCertSign and cRLSign (§4.2.1.3), and the key identifiers.
func CATemplate(p CAProfile) *x509.Certificate {
	usage := x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	if p.Intermediate {
		usage |= x509.KeyUsageDigitalSignature
	}
	t := &x509.Certificate{
		SerialNumber:          p.SerialNumber,
		RawSubject:            p.RawSubject,
		Subject:               p.Subject,
		NotBefore:             p.NotBefore.UTC().Truncate(time.Second),
		NotAfter:              p.NotAfter.UTC().Truncate(time.Second),
		KeyUsage:              usage,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            -1,
		SubjectKeyId:          p.SubjectKeyID,
		AuthorityKeyId:        p.AuthorityKeyID,
		CRLDistributionPoints: p.CRLURLs,
		IssuingCertificateURL: p.IssuerURLs,
		OCSPServer:            p.OCSPURLs,
	}
	if p.MaxPathLen != nil && *p.MaxPathLen >= 0 {
		t.MaxPathLen = *p.MaxPathLen
		// Without MaxPathLenZero, Go drops a zero limit from the encoding.
		t.MaxPathLenZero = *p.MaxPathLen == 0
	}
	return t
}

// Sign signs template with signer on behalf of issuer and returns the
// parsed certificate. For a self-signed certificate pass the template as
// issuer. The signature algorithm follows the signer's key.
func Sign(template, issuer *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	alg, err := SignatureAlgorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	template.SignatureAlgorithm = alg
	der, err := x509.CreateCertificate(nil, template, issuer, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("pki: signing certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parsing signed certificate: %w", err)
	}
	return cert, nil
}

// PathLen returns the pathLenConstraint of a CA certificate, nil when the
// certificate sets none.
func PathLen(c *x509.Certificate) *int {
	if c.MaxPathLen < 0 || (c.MaxPathLen == 0 && !c.MaxPathLenZero) {
		return nil
	}
	n := c.MaxPathLen
	return &n
}
