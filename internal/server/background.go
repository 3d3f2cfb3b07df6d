package server

import (
	"context"
	"sync"
	"time"
)

// startBackground starts the server's periodic jobs; they stop when ctx is
// cancelled, and the returned group finishes once they have.
func (s *Server) startBackground(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.every(ctx, s.cfg.CRLCheckInterval, s.refreshCRLPass)
	}()
	if s.cfg.AutoRenewInterval > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.every(ctx, s.cfg.AutoRenewInterval, s.autoRenewPass)
		}()
	}
	return &wg
}

// every runs job at once and then every interval until ctx ends.
func (s *Server) every(ctx context.Context, interval time.Duration, job func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		job(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// autoRenewPass renews the CAs that are due and warns about CAs that
// expire soon without auto-renewal. Failures are logged; the next pass
// tries again.
func (s *Server) autoRenewPass(ctx context.Context) {
	if _, err := s.authority.RunAutoRenewal(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("auto-renewal pass failed", "error", err)
	}
	if err := s.authority.WarnExpiring(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("expiry check failed", "error", err)
	}
}
