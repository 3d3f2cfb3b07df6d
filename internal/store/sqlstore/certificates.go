package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pkid/pkid/internal/store"
)

const certColumns = `id, ca_id, ca_cert_id, status, serial_number, friendly_name, common_name,
	alt_names, key_usages, ext_key_usages, not_before, not_after, certificate,
	certificate_chain, sealed_key, revoked_at, revocation_reason, deleted_at,
	created_at, updated_at`

func scanCertificate(row interface{ Scan(...any) error }) (store.Certificate, error) {
	var c store.Certificate
	var keyUsages, extKeyUsages string
	var notBefore, notAfter, created, updated int64
	var revokedAt, deletedAt sql.NullInt64
	var reason sql.NullString
	err := row.Scan(&c.ID, &c.CAID, &c.CACertID, &c.Status, &c.SerialNumber, &c.FriendlyName,
		&c.CommonName, &c.AltNames, &keyUsages, &extKeyUsages, &notBefore, &notAfter,
		&c.Certificate, &c.Chain, &c.SealedKey, &revokedAt, &reason, &deletedAt,
		&created, &updated)
	if err != nil {
		return c, err
	}
	c.NotBefore, c.NotAfter = fromMillis(notBefore), fromMillis(notAfter)
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	c.RevokedAt, c.DeletedAt = fromNullMillis(revokedAt), fromNullMillis(deletedAt)
	c.RevocationReason = fromNullString(reason)
	if err := json.Unmarshal([]byte(keyUsages), &c.KeyUsages); err != nil {
		return c, fmt.Errorf("decoding key usages of certificate %s: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(extKeyUsages), &c.ExtKeyUsages); err != nil {
		return c, fmt.Errorf("decoding extended key usages of certificate %s: %w", c.ID, err)
	}
	return c, nil
}

// encodeStrings stores a string list as a JSON array, [] for nil.
func encodeStrings(list []string) (string, error) {
	if list == nil {
		list = []string{}
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// InsertCertificate stores a new certificate. A serial number already in
// use yields store.ErrConflict.
func (q *Queries) InsertCertificate(ctx context.Context, c store.Certificate) error {
	keyUsages, err := encodeStrings(c.KeyUsages)
	if err != nil {
		return fmt.Errorf("encoding key usages: %w", err)
	}
	extKeyUsages, err := encodeStrings(c.ExtKeyUsages)
	if err != nil {
		return fmt.Errorf("encoding extended key usages: %w", err)
	}
	err = q.exec(ctx, `INSERT INTO certificates (`+certColumns+`) VALUES
		(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CAID, c.CACertID, c.Status, c.SerialNumber, c.FriendlyName, c.CommonName,
		c.AltNames, keyUsages, extKeyUsages, toMillis(c.NotBefore), toMillis(c.NotAfter),
		c.Certificate, c.Chain, c.SealedKey, toNullMillis(c.RevokedAt),
		toNullString(c.RevocationReason), toNullMillis(c.DeletedAt),
		toMillis(c.CreatedAt), toMillis(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("inserting certificate: %w", err)
	}
	return nil
}

// GetCertificate loads a certificate that is not deleted by id.
func (q *Queries) GetCertificate(ctx context.Context, id string) (store.Certificate, error) {
	c, err := scanCertificate(q.queryRow(ctx, `SELECT `+certColumns+` FROM certificates
		WHERE id = ? AND deleted_at IS NULL`, id))
	if err != nil {
		return c, fmt.Errorf("loading certificate %s: %w", id, notFound(err))
	}
	return c, nil
}

// GetCertificateBySerial loads a certificate that is not deleted by its
// serial number in lowercase hex.
func (q *Queries) GetCertificateBySerial(ctx context.Context, serial string) (store.Certificate, error) {
	c, err := scanCertificate(q.queryRow(ctx, `SELECT `+certColumns+` FROM certificates
		WHERE serial_number = ? AND deleted_at IS NULL`, serial))
	if err != nil {
		return c, fmt.Errorf("loading certificate with serial %s: %w", serial, notFound(err))
	}
	return c, nil
}

// RevokeCertificate marks a certificate revoked with an API reason name.
func (q *Queries) RevokeCertificate(ctx context.Context, id string, revokedAt time.Time, reason string) error {
	err := q.exec(ctx, `UPDATE certificates SET status = 'revoked', revoked_at = ?,
		revocation_reason = ?, updated_at = ? WHERE id = ?`,
		toMillis(revokedAt), reason, toMillis(revokedAt), id)
	if err != nil {
		return fmt.Errorf("revoking certificate %s: %w", id, err)
	}
	return nil
}

// DeleteCertificate hides a certificate from lookups but keeps its row,
// so a revoked certificate stays on the CRL.
func (q *Queries) DeleteCertificate(ctx context.Context, id string, deletedAt time.Time) error {
	err := q.exec(ctx, `UPDATE certificates SET deleted_at = ?, sealed_key = '', updated_at = ?
		WHERE id = ?`, toMillis(deletedAt), toMillis(deletedAt), id)
	if err != nil {
		return fmt.Errorf("deleting certificate %s: %w", id, err)
	}
	return nil
}

// ListRevokedCertificates returns every revoked certificate of a CA,
// deleted ones included, oldest revocation first.
func (q *Queries) ListRevokedCertificates(ctx context.Context, caID string) ([]store.Certificate, error) {
	rows, err := q.query(ctx, `SELECT `+certColumns+` FROM certificates
		WHERE ca_id = ? AND status = 'revoked' ORDER BY revoked_at, serial_number`, caID)
	if err != nil {
		return nil, fmt.Errorf("listing revoked certificates of CA %s: %w", caID, err)
	}
	defer rows.Close()
	out := []store.Certificate{}
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning certificate: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
