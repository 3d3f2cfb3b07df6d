package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

// Key usage names of the API, one per bit of RFC 5280 §4.2.1.3.
const (
	UsageDigitalSignature = "digital_signature"
	UsageNonRepudiation   = "non_repudiation"
	UsageKeyEncipherment  = "key_encipherment"
	UsageDataEncipherment = "data_encipherment"
	UsageKeyAgreement     = "key_agreement"
	UsageKeyCertSign      = "key_cert_sign"
	UsageCRLSign          = "crl_sign"
	UsageEncipherOnly     = "encipher_only"
	UsageDecipherOnly     = "decipher_only"
)

// Extended key usage names of the API (RFC 5280 §4.2.1.12).
const (
	ExtUsageServerAuth      = "server_auth"
	ExtUsageClientAuth      = "client_auth"
	ExtUsageCodeSigning     = "code_signing"
	ExtUsageEmailProtection = "email_protection"
	ExtUsageTimeStamping    = "time_stamping"
	ExtUsageOCSPSigning     = "ocsp_signing"
)

var keyUsageBits = map[string]x509.KeyUsage{
	UsageDigitalSignature: x509.KeyUsageDigitalSignature,
	UsageNonRepudiation:   x509.KeyUsageContentCommitment,
	UsageKeyEncipherment:  x509.KeyUsageKeyEncipherment,
	UsageDataEncipherment: x509.KeyUsageDataEncipherment,
	UsageKeyAgreement:     x509.KeyUsageKeyAgreement,
	UsageKeyCertSign:      x509.KeyUsageCertSign,
	UsageCRLSign:          x509.KeyUsageCRLSign,
	UsageEncipherOnly:     x509.KeyUsageEncipherOnly,
	UsageDecipherOnly:     x509.KeyUsageDecipherOnly,
}

var extKeyUsages = map[string]x509.ExtKeyUsage{
	ExtUsageServerAuth:      x509.ExtKeyUsageServerAuth,
	ExtUsageClientAuth:      x509.ExtKeyUsageClientAuth,
	ExtUsageCodeSigning:     x509.ExtKeyUsageCodeSigning,
	ExtUsageEmailProtection: x509.ExtKeyUsageEmailProtection,
	ExtUsageTimeStamping:    x509.ExtKeyUsageTimeStamping,
	ExtUsageOCSPSigning:     x509.ExtKeyUsageOCSPSigning,
}

// KeyUsageNames lists the key usage names in bit order.
var KeyUsageNames = []string{
	UsageDigitalSignature, UsageNonRepudiation, UsageKeyEncipherment, UsageDataEncipherment,
	UsageKeyAgreement, UsageKeyCertSign, UsageCRLSign, UsageEncipherOnly, UsageDecipherOnly,
}

// ExtKeyUsageNames lists the extended key usage names.
var ExtKeyUsageNames = []string{
	ExtUsageClientAuth, ExtUsageServerAuth, ExtUsageCodeSigning, ExtUsageEmailProtection,
	ExtUsageTimeStamping, ExtUsageOCSPSigning,
}

// DefaultKeyUsages returns the key usages of a TLS server certificate for
// a key: digitalSignature, plus keyEncipherment for RSA, which TLS 1.2 RSA
// key exchange needs and RFC 5480 §3 forbids for EC keys.
func DefaultKeyUsages(pub crypto.PublicKey) []string {
	if _, ok := pub.(*rsa.PublicKey); ok {
		return []string{UsageDigitalSignature, UsageKeyEncipherment}
	}
	return []string{UsageDigitalSignature}
}

// DefaultExtKeyUsages returns the extended key usages of a TLS server
// certificate.
func DefaultExtKeyUsages() []string { return []string{ExtUsageServerAuth} }

// forbiddenUsages lists, per key type, the key usages that the key cannot
// perform: RFC 4055 §1.2 for RSA (no key agreement) and RFC 5480 §3 for
// EC (no encipherment).
func forbiddenUsages(pub crypto.PublicKey) []string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return []string{UsageKeyAgreement, UsageEncipherOnly, UsageDecipherOnly}
	case *ecdsa.PublicKey:
		return []string{UsageKeyEncipherment, UsageDataEncipherment}
	}
	return nil
}

// LeafKeyUsage converts key usage names into the bits of an end-entity
// certificate for key pub. It rejects usages the key type cannot perform,
// keyCertSign (RFC 5280 §4.2.1.3 allows it only with cA set), and
// encipherOnly or decipherOnly without keyAgreement, whose meaning is
// undefined alone.
func LeafKeyUsage(names []string, pub crypto.PublicKey) (x509.KeyUsage, error) {
	var usage x509.KeyUsage
	for _, n := range names {
		bit, ok := keyUsageBits[n]
		if !ok {
			return 0, fmt.Errorf("unknown key usage %q", n)
		}
		usage |= bit
	}
	for _, n := range forbiddenUsages(pub) {
		if usage&keyUsageBits[n] != 0 {
			return 0, fmt.Errorf("key usage %s is not allowed for %s keys", n, KeyTypeName(pub))
		}
	}
	if usage&x509.KeyUsageCertSign != 0 {
		return 0, fmt.Errorf("key usage %s is only allowed in CA certificates", UsageKeyCertSign)
	}
	if usage&(x509.KeyUsageEncipherOnly|x509.KeyUsageDecipherOnly) != 0 && usage&x509.KeyUsageKeyAgreement == 0 {
		return 0, fmt.Errorf("key usages %s and %s need %s", UsageEncipherOnly, UsageDecipherOnly, UsageKeyAgreement)
	}
	return usage, nil
}

// ExtKeyUsages converts extended key usage names.
func ExtKeyUsages(names []string) ([]x509.ExtKeyUsage, error) {
	out := make([]x509.ExtKeyUsage, 0, len(names))
	for _, n := range names {
		u, ok := extKeyUsages[n]
		if !ok {
			return nil, fmt.Errorf("unknown extended key usage %q", n)
		}
		out = append(out, u)
	}
	return out, nil
}

// KeyTypeName names the type and size of a public key for messages, such
// as "RSA-2048" or "ECDSA P-256".
func KeyTypeName(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", pub)
}
