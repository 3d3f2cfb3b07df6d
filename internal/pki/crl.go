package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Revocation reason names of the API and their CRLReason codes (RFC 5280
// §5.3.1). Code 7 is unused and removeFromCRL (8) applies only to delta
// CRLs, so neither has a name.
var revocationReasons = map[string]int{
	"UNSPECIFIED":            0,
	"KEY_COMPROMISE":         1,
	"CA_COMPROMISE":          2,
	"AFFILIATION_CHANGED":    3,
	"SUPERSEDED":             4,
	"CESSATION_OF_OPERATION": 5,
	"CERTIFICATE_HOLD":       6,
	"PRIVILEGE_WITHDRAWN":    9,
	"A_A_COMPROMISE":         10,
}

// RevocationReasons lists the reason names in code order.
var RevocationReasons = []string{
	"UNSPECIFIED", "KEY_COMPROMISE", "CA_COMPROMISE", "AFFILIATION_CHANGED", "SUPERSEDED",
	"CESSATION_OF_OPERATION", "CERTIFICATE_HOLD", "PRIVILEGE_WITHDRAWN", "A_A_COMPROMISE",
}

// ReasonCode returns the CRLReason code of a reason name.
func ReasonCode(name string) (int, bool) {
	code, ok := revocationReasons[name]
	return code, ok
}

// RevokedEntry is one certificate on a CRL.
type RevokedEntry struct {
	SerialNumber *big.Int
	RevokedAt    time.Time
	ReasonCode   int
}

// CRLProfile is everything that varies between CRLs pkid signs.
type CRLProfile struct {
	Number     int64
	ThisUpdate time.Time
	NextUpdate time.Time
	Entries    []RevokedEntry
}

// SignCRL signs a version 2 CRL with the key of the CA certificate
// issuer. Go takes the CRL issuer name from the raw subject of issuer and
// the authority key identifier from its subject key identifier, so a CRL
// signed with any version of a renewed CA verifies under every version.
// An unspecified reason (code 0) is left out of the entry, as RFC 5280
// §5.3.1 recommends.
func SignCRL(p CRLProfile, issuer *x509.Certificate, signer crypto.Signer) ([]byte, error) {
	alg, err := SignatureAlgorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	entries := make([]x509.RevocationListEntry, 0, len(p.Entries))
	for _, e := range p.Entries {
		entries = append(entries, x509.RevocationListEntry{
			SerialNumber:   e.SerialNumber,
			RevocationTime: e.RevokedAt.UTC().Truncate(time.Second),
			ReasonCode:     e.ReasonCode,
		})
	}
	tmpl := &x509.RevocationList{
		SignatureAlgorithm:        alg,
		Number:                    big.NewInt(p.Number),
		ThisUpdate:                p.ThisUpdate.UTC().Truncate(time.Second),
		NextUpdate:                p.NextUpdate.UTC().Truncate(time.Second),
		RevokedCertificateEntries: entries,
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer, signer)
	if err != nil {
		return nil, fmt.Errorf("pki: signing CRL: %w", err)
	}
	return der, nil
}

// CRLPEM encodes a DER CRL as one PEM block without a trailing newline.
func CRLPEM(der []byte) string {
	b := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
	return strings.TrimRight(string(b), "\n")
}
