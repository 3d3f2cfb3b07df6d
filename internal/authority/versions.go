package authority

import (
	"math/big"
	"time"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// newCACertRow builds the stored form of a CA certificate version.
func newCACertRow(caID string, version int, der []byte, chain string, serial *big.Int, notBefore, notAfter, now time.Time) store.CACert {
	return store.CACert{
		ID:           uuid.NewString(),
		CAID:         caID,
		Version:      version,
		Certificate:  pki.CertificatePEM(der),
		Chain:        chain,
		SerialNumber: pki.FormatSerial(serial),
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		CreatedAt:    now,
	}
}

// setActive points a CA at a certificate version and copies its serial
// and validity onto the CA row.
func setActive(ca *store.CA, row store.CACert) {
	id, serial := row.ID, row.SerialNumber
	notBefore, notAfter := row.NotBefore, row.NotAfter
	ca.ActiveCACertID = &id
	ca.SerialNumber = &serial
	ca.NotBefore = &notBefore
	ca.NotAfter = &notAfter
}
