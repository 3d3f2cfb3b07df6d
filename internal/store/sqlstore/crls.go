package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/pkid/pkid/internal/store"
)

const crlColumns = `id, ca_id, crl_number, this_update, next_update, der, created_at, updated_at`

func scanCRL(row interface{ Scan(...any) error }) (store.CRL, error) {
	var c store.CRL
	var der string
	var thisUpdate, nextUpdate, created, updated int64
	err := row.Scan(&c.ID, &c.CAID, &c.Number, &thisUpdate, &nextUpdate, &der, &created, &updated)
	if err != nil {
		return c, err
	}
	c.ThisUpdate, c.NextUpdate = fromMillis(thisUpdate), fromMillis(nextUpdate)
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	if c.DER, err = base64.StdEncoding.DecodeString(der); err != nil {
		return c, fmt.Errorf("decoding CRL %s: %w", c.ID, err)
	}
	return c, nil
}

// InsertCRL stores the CRL of a CA. A CA that has one yields
// store.ErrConflict.
func (q *Queries) InsertCRL(ctx context.Context, c store.CRL) error {
	err := q.exec(ctx, `INSERT INTO crls (`+crlColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CAID, c.Number, toMillis(c.ThisUpdate), toMillis(c.NextUpdate),
		base64.StdEncoding.EncodeToString(c.DER), toMillis(c.CreatedAt), toMillis(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("inserting CRL: %w", err)
	}
	return nil
}

// GetCRL loads a CRL by id.
func (q *Queries) GetCRL(ctx context.Context, id string) (store.CRL, error) {
	c, err := scanCRL(q.queryRow(ctx, `SELECT `+crlColumns+` FROM crls WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("loading CRL %s: %w", id, notFound(err))
	}
	return c, nil
}

// GetCRLByCA loads the CRL of a CA.
func (q *Queries) GetCRLByCA(ctx context.Context, caID string) (store.CRL, error) {
	c, err := scanCRL(q.queryRow(ctx, `SELECT `+crlColumns+` FROM crls WHERE ca_id = ?`, caID))
	if err != nil {
		return c, fmt.Errorf("loading CRL of CA %s: %w", caID, notFound(err))
	}
	return c, nil
}

// UpdateCRL stores a newly signed version of a CRL.
func (q *Queries) UpdateCRL(ctx context.Context, c store.CRL) error {
	err := q.exec(ctx, `UPDATE crls SET crl_number = ?, this_update = ?, next_update = ?, der = ?,
		updated_at = ? WHERE id = ?`,
		c.Number, toMillis(c.ThisUpdate), toMillis(c.NextUpdate),
		base64.StdEncoding.EncodeToString(c.DER), toMillis(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("updating CRL %s: %w", c.ID, err)
	}
	return nil
}

// ListCRLsDue returns the CRLs whose nextUpdate is at or before t, the
// most urgent first.
func (q *Queries) ListCRLsDue(ctx context.Context, t time.Time) ([]store.CRL, error) {
	rows, err := q.query(ctx, `SELECT `+crlColumns+` FROM crls WHERE next_update <= ?
		ORDER BY next_update, id`, toMillis(t))
	if err != nil {
		return nil, fmt.Errorf("listing CRLs due: %w", err)
	}
	defer rows.Close()
	out := []store.CRL{}
	for rows.Next() {
		c, err := scanCRL(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning CRL: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
