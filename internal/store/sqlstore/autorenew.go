package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pkid/pkid/internal/store"
)

const autoRenewalColumns = `ca_id, enabled, days_before_expiry, last_renewal_status,
	last_renewal_message, last_renewal_at, updated_at`

func scanAutoRenewal(row interface{ Scan(...any) error }) (store.AutoRenewal, error) {
	var a store.AutoRenewal
	var status, message sql.NullString
	var at sql.NullInt64
	var updated int64
	err := row.Scan(&a.CAID, &a.Enabled, &a.DaysBeforeExpiry, &status, &message, &at, &updated)
	a.LastStatus, a.LastMessage = fromNullString(status), fromNullString(message)
	a.LastAt, a.UpdatedAt = fromNullMillis(at), fromMillis(updated)
	return a, err
}

// GetAutoRenewal loads the auto-renewal setting of a CA.
func (q *Queries) GetAutoRenewal(ctx context.Context, caID string) (store.AutoRenewal, error) {
	a, err := scanAutoRenewal(q.queryRow(ctx,
		`SELECT `+autoRenewalColumns+` FROM ca_auto_renewals WHERE ca_id = ?`, caID))
	if err != nil {
		return a, fmt.Errorf("loading auto-renewal of CA %s: %w", caID, notFound(err))
	}
	return a, nil
}

// UpsertAutoRenewal writes the whole auto-renewal row of a CA.
func (q *Queries) UpsertAutoRenewal(ctx context.Context, a store.AutoRenewal) error {
	err := q.exec(ctx, `INSERT INTO ca_auto_renewals (`+autoRenewalColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ca_id) DO UPDATE SET enabled = excluded.enabled,
		days_before_expiry = excluded.days_before_expiry,
		last_renewal_status = excluded.last_renewal_status,
		last_renewal_message = excluded.last_renewal_message,
		last_renewal_at = excluded.last_renewal_at, updated_at = excluded.updated_at`,
		a.CAID, a.Enabled, a.DaysBeforeExpiry, toNullString(a.LastStatus),
		toNullString(a.LastMessage), toNullMillis(a.LastAt), toMillis(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("saving auto-renewal of CA %s: %w", a.CAID, err)
	}
	return nil
}

// ListEnabledAutoRenewals returns every CA setting with auto-renewal on.
func (q *Queries) ListEnabledAutoRenewals(ctx context.Context) ([]store.AutoRenewal, error) {
	rows, err := q.query(ctx, `SELECT `+autoRenewalColumns+` FROM ca_auto_renewals
		WHERE enabled = ? ORDER BY ca_id`, true)
	if err != nil {
		return nil, fmt.Errorf("listing auto-renewals: %w", err)
	}
	defer rows.Close()
	var out []store.AutoRenewal
	for rows.Next() {
		a, err := scanAutoRenewal(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning auto-renewal: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ListAllCAs returns every CA, oldest first.
func (q *Queries) ListAllCAs(ctx context.Context) ([]store.CA, error) {
	rows, err := q.query(ctx, `SELECT `+caColumns+` FROM cas ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("listing CAs: %w", err)
	}
	defer rows.Close()
	var out []store.CA
	for rows.Next() {
		c, err := scanCA(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning CA: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
