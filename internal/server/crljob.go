package server

import (
	"context"
	"time"
)

// DefaultCRLCheckInterval is how often the server looks for CRLs to sign
// again when Config sets no interval. CRLs are re-signed half their
// validity (3.5 days by default) before nextUpdate, so an hourly look is
// far more often than needed and costs one indexed query.
const DefaultCRLCheckInterval = time.Hour

// refreshCRLPass re-signs CRLs that near their nextUpdate. It reads the
// time through the service's clock; the ticker of every only paces it.
func (s *Server) refreshCRLPass(ctx context.Context) {
	if _, err := s.RefreshCRLs(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("CRL refresh pass failed", "error", err)
	}
}

// RefreshCRLs runs one pass of the CRL refresher now and returns how many
// CRLs it signed.
func (s *Server) RefreshCRLs(ctx context.Context) (int, error) {
	return s.authority.RefreshCRLs(ctx)
}
