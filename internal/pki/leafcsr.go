package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

// MinRSABits is the smallest RSA key pkid signs a certificate for, the
// floor NIST SP 800-131A Rev. 2 sets for RSA keys in use today.
const MinRSABits = 2048

// maxRSABits bounds the RSA keys pkid accepts, so that checking a CSR's
// signature cannot cost unbounded CPU.
const maxRSABits = 8192

// ParseCSR decodes a PEM certificate signing request (PKCS #10), checks
// its self-signature, the strength of its key and that it lists at most
// MaxAltNames subject alternative names. Its errors are meant for the
// client.
func ParseCSR(pemText string) (*x509.CertificateRequest, error) {
	csr, err := ParseCSRPEM(pemText)
	if err != nil {
		return nil, err
	}
	if err := CheckLeafKey(csr.PublicKey); err != nil {
		return nil, err
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("CSR signature is invalid: %v", err)
	}
	n := len(csr.DNSNames) + len(csr.IPAddresses) + len(csr.EmailAddresses) + len(csr.URIs)
	if n > MaxAltNames {
		return nil, fmt.Errorf("CSR lists %d subject alternative names; a certificate may have at most %d", n, MaxAltNames)
	}
	if _, err := AltNamesFromCSR(csr); err != nil {
		return nil, err
	}
	if err := CheckName("CSR common name", csr.Subject.CommonName, maxCommonNameLen); err != nil {
		return nil, err
	}
	return csr, nil
}

// maxCommonNameLen is ub-common-name of RFC 5280 Appendix A.
const maxCommonNameLen = 64

// CheckLeafKey rejects public keys pkid does not sign certificates for:
// RSA below MinRSABits or above 8192 bits, EC curves other than P-256,
// P-384 and P-521, and every other algorithm.
func CheckLeafKey(pub any) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if bits < MinRSABits {
			return fmt.Errorf("CSR key is RSA-%d; RSA keys must have at least %d bits", bits, MinRSABits)
		}
		if bits > maxRSABits {
			return fmt.Errorf("CSR key is RSA-%d; RSA keys must have at most %d bits", bits, maxRSABits)
		}
		return nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return fmt.Errorf("CSR key uses the unsupported curve %s; use P-256, P-384 or P-521", k.Curve.Params().Name)
	}
	return fmt.Errorf("CSR key type %T is not supported; use RSA (at least %d bits) or ECDSA (P-256, P-384 or P-521)", pub, MinRSABits)
}
