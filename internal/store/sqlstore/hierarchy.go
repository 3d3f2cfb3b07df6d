package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/pkid/pkid/internal/store"
)

// CountChildCAs returns how many CAs name parentID as their parent.
func (q *Queries) CountChildCAs(ctx context.Context, parentID string) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM cas WHERE parent_ca_id = ?`, parentID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting child CAs of %s: %w", parentID, err)
	}
	return n, nil
}

// DeleteCA removes a CA; its certificate versions go with it through
// ON DELETE CASCADE. An unknown id yields store.ErrNotFound.
func (q *Queries) DeleteCA(ctx context.Context, id string) error {
	res, err := q.q.ExecContext(ctx, q.d.rebind(`DELETE FROM cas WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("deleting CA %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("deleting CA %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("deleting CA %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// CountUnexpiredCertificates returns how many certificates of a CA end
// after now, whatever their status.
func (q *Queries) CountUnexpiredCertificates(ctx context.Context, caID string, now time.Time) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM certificates WHERE ca_id = ? AND not_after > ?`,
		caID, toMillis(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting unexpired certificates of CA %s: %w", caID, err)
	}
	return n, nil
}
