// Package pki holds the pure X.509 building blocks of pkid: key
// algorithms, serial numbers, subject names, certificate templates and PEM
// chains. It does no I/O and does not depend on HTTP or storage.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"strings"
)

// KeyAlgorithm names a CA key type in the wire format of the API.
type KeyAlgorithm string

// The key algorithms a CA can have.
const (
	RSA2048     KeyAlgorithm = "RSA_2048"
	RSA3072     KeyAlgorithm = "RSA_3072"
	RSA4096     KeyAlgorithm = "RSA_4096"
	ECP256      KeyAlgorithm = "EC_prime256v1"
	ECP384      KeyAlgorithm = "EC_secp384r1"
	ECP521      KeyAlgorithm = "EC_secp521r1"
	defaultAlgo              = RSA2048
)

// KeyAlgorithms lists every supported algorithm in a stable order.
var KeyAlgorithms = []KeyAlgorithm{RSA2048, RSA3072, RSA4096, ECP256, ECP384, ECP521}

// DefaultKeyAlgorithm is used when a request names none.
func DefaultKeyAlgorithm() KeyAlgorithm { return defaultAlgo }

// Valid reports whether a is one of KeyAlgorithms.
func (a KeyAlgorithm) Valid() bool {
	for _, k := range KeyAlgorithms {
		if a == k {
			return true
		}
	}
	return false
}

// GenerateKey creates a new private key of algorithm a, reading entropy from r.
func GenerateKey(r io.Reader, a KeyAlgorithm) (crypto.Signer, error) {
	switch a {
	case RSA2048:
		return rsa.GenerateKey(r, 2048)
	case RSA3072:
		return rsa.GenerateKey(r, 3072)
	case RSA4096:
		return rsa.GenerateKey(r, 4096)
	case ECP256:
		return ecdsa.GenerateKey(elliptic.P256(), r)
	case ECP384:
		return ecdsa.GenerateKey(elliptic.P384(), r)
	case ECP521:
		return ecdsa.GenerateKey(elliptic.P521(), r)
	}
	return nil, fmt.Errorf("pki: unsupported key algorithm %q", a)
}

// SignatureAlgorithmFor returns the signature algorithm a CA with key pub
// signs with: SHA-256 for RSA, and for ECDSA the hash that matches the
// curve size (SHA-256/384/512 for P-256/384/521).
func SignatureAlgorithmFor(pub crypto.PublicKey) (x509.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return x509.SHA256WithRSA, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return x509.ECDSAWithSHA256, nil
		case elliptic.P384():
			return x509.ECDSAWithSHA384, nil
		case elliptic.P521():
			return x509.ECDSAWithSHA512, nil
		}
	}
	return x509.UnknownSignatureAlgorithm, fmt.Errorf("pki: unsupported public key type %T", pub)
}

// MarshalPrivateKey encodes a private key as PKCS #8 DER.
func MarshalPrivateKey(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("pki: encoding private key: %w", err)
	}
	return der, nil
}

// ParsePrivateKey decodes a PKCS #8 DER private key into a signer.
func ParsePrivateKey(der []byte) (crypto.Signer, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("pki: decoding private key: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("pki: private key of type %T cannot sign", k)
	}
	return s, nil
}

// PrivateKeyPEM encodes PKCS #8 DER as one "PRIVATE KEY" PEM block
// without a trailing newline.
func PrivateKeyPEM(der []byte) string {
	b := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return strings.TrimRight(string(b), "\n")
}
