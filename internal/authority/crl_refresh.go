package authority

import (
	"context"
	"errors"
	"time"

	"github.com/pkid/pkid/internal/store"
)

// RefreshCRLs signs again every CRL that reaches its nextUpdate within
// half the CRL validity, so verifiers never hold an expired CRL. It
// returns how many CRLs it signed. A CA that fails is logged and skipped,
// and the others are still refreshed.
func (s *Service) RefreshCRLs(ctx context.Context) (int, error) {
	threshold := s.clock.Now().Add(s.opts.CRLValidity / 2)
	due, err := s.store.ListCRLsDue(ctx, threshold)
	if err != nil {
		return 0, err
	}
	refreshed := 0
	var errList []error
	for _, crl := range due {
		err := s.refreshCRL(ctx, crl.CAID, threshold)
		if err != nil {
			s.log.Error("refreshing CRL failed", "ca_id", crl.CAID, "crl_id", crl.ID, "error", err)
			errList = append(errList, err)
			continue
		}
		refreshed++
	}
	return refreshed, errors.Join(errList...)
}

// refreshCRL signs the CRL of one CA again, unless another writer did so
// after the list was read.
func (s *Service) refreshCRL(ctx context.Context, caID string, threshold time.Time) error {
	return s.store.InTx(ctx, func(q store.Queries) error {
		ca, err := loadCA(ctx, q, caID, true)
		if err != nil {
			return err
		}
		crl, err := q.GetCRLByCA(ctx, ca.ID)
		if err != nil {
			return err
		}
		if crl.NextUpdate.After(threshold) {
			return nil
		}
		crl, err = s.signCRL(ctx, q, ca, crl)
		if err != nil {
			return err
		}
		if err := q.UpdateCRL(ctx, crl); err != nil {
			return err
		}
		s.log.Info("re-signed CRL", "ca_id", ca.ID, "crl_id", crl.ID, "crl_number", crl.Number,
			"next_update", crl.NextUpdate)
		return nil
	})
}
