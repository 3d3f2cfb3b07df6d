package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

var (
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
)

// EncodeName returns the DER encoding of n exactly as Go writes it into a
// certificate or CSR built from n, so a CSR subject and the subject of
// the certificate pkid would sign for the same DN are byte-identical.
func EncodeName(n pkix.Name) ([]byte, error) {
	der, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		return nil, fmt.Errorf("pki: encoding name: %w", err)
	}
	return der, nil
}

// SameName reports whether two DER names contain the same attributes with
// the same values in the same order. The string types may differ, so a
// PrintableString and a UTF8String of the same text compare equal.
func SameName(a, b []byte) bool {
	var ra, rb pkix.RDNSequence
	if rest, err := asn1.Unmarshal(a, &ra); err != nil || len(rest) > 0 {
		return false
	}
	if rest, err := asn1.Unmarshal(b, &rb); err != nil || len(rest) > 0 {
		return false
	}
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if len(ra[i]) != len(rb[i]) {
			return false
		}
		for j := range ra[i] {
			x, y := ra[i][j], rb[i][j]
			if !x.Type.Equal(y.Type) || fmt.Sprint(x.Value) != fmt.Sprint(y.Value) {
				return false
			}
		}
	}
	return true
}

// NameString renders a DER name for messages, such as "CN=Acme,O=Acme".
func NameString(der []byte) string {
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &rdn); err != nil {
		return "<invalid name>"
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}

// caRequestExtensions returns the extensions a CA's CSR requests: a
// critical basicConstraints with cA set and the path length, and a
// critical keyUsage of digitalSignature, keyCertSign and cRLSign, the
// profile pkid gives intermediate CAs.
func caRequestExtensions(maxPathLen *int) ([]pkix.Extension, error) {
	bc := struct {
		IsCA       bool `asn1:"optional"`
		MaxPathLen int  `asn1:"optional,default:-1"`
	}{IsCA: true, MaxPathLen: -1}
	if maxPathLen != nil && *maxPathLen >= 0 {
		bc.MaxPathLen = *maxPathLen
	}
	bcDER, err := asn1.Marshal(bc)
	if err != nil {
		return nil, fmt.Errorf("pki: encoding basicConstraints: %w", err)
	}
	// keyUsage bits in DER order: digitalSignature is bit 0 (0x80),
	// keyCertSign bit 5 (0x04) and cRLSign bit 6 (0x02). Bit 6 is the last
	// one set, so the BIT STRING is 7 bits long.
	kuDER, err := asn1.Marshal(asn1.BitString{Bytes: []byte{0x86}, BitLength: 7})
	if err != nil {
		return nil, fmt.Errorf("pki: encoding keyUsage: %w", err)
	}
	return []pkix.Extension{
		{Id: oidBasicConstraints, Critical: true, Value: bcDER},
		{Id: oidKeyUsage, Critical: true, Value: kuDER},
	}, nil
}

// NewCACSR builds a PEM certificate signing request for a CA key. The
// subject is copied from rawSubject byte for byte, and the CSR
// requests the intermediate CA profile with the given path length (nil or
// negative for none).
func NewCACSR(rawSubject []byte, key crypto.Signer, maxPathLen *int) (string, error) {
	alg, err := SignatureAlgorithmFor(key.Public())
	if err != nil {
		return "", err
	}
	exts, err := caRequestExtensions(maxPathLen)
	if err != nil {
		return "", err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		RawSubject:         rawSubject,
		SignatureAlgorithm: alg,
		ExtraExtensions:    exts,
	}, key)
	if err != nil {
		return "", fmt.Errorf("pki: creating CSR: %w", err)
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	return strings.TrimRight(string(b), "\n"), nil
}

// ParseCSRPEM decodes one PEM certificate signing request. It does not
// check the request's signature or key; ParseCSR does.
func ParseCSRPEM(pemText string) (*x509.CertificateRequest, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("CSR is not PEM encoded")
	}
	if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("CSR PEM block is %q, want \"CERTIFICATE REQUEST\"", block.Type)
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return nil, errors.New("CSR must be a single PEM block")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("CSR cannot be parsed: %v", err)
	}
	return csr, nil
}

// SupportedCAKey reports whether pub is a key type and size pkid accepts
// for a CA: the same keys CheckLeafKey accepts.
func SupportedCAKey(pub crypto.PublicKey) bool {
	return CheckLeafKey(pub) == nil
}
