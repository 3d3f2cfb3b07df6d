package store

import "time"

// Certificate is an end-entity certificate a CA issued. SealedKey is the
// private key pkid generated for it, sealed by the keystore; it is empty
// when the certificate was signed from a CSR.
type Certificate struct {
	ID           string
	CAID         string
	CACertID     string // the CA certificate version that signed it
	Status       string // "active" or "revoked"
	SerialNumber string
	FriendlyName string
	CommonName   string
	AltNames     string // comma-separated, as the API reports them
	KeyUsages    []string
	ExtKeyUsages []string
	NotBefore    time.Time
	NotAfter     time.Time
	Certificate  string // PEM
	Chain        string // PEM blocks, issuing CA first, root last
	SealedKey    string
	RevokedAt    *time.Time
	// RevocationReason is the API name of the reason, such as
	// KEY_COMPROMISE; nil while the certificate is not revoked.
	RevocationReason *string
	// DeletedAt is set by a delete. The row stays so that a revoked
	// certificate stays on its CA's CRL after its record is deleted.
	DeletedAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CRL is the one certificate revocation list of a CA. Number grows by one
// each time the list is signed again.
type CRL struct {
	ID         string
	CAID       string
	Number     int64
	ThisUpdate time.Time
	NextUpdate time.Time
	DER        []byte
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
