package authority

import (
	"context"
	"time"
)

// expiryWarningWindow is the span before a CA's notAfter in which
// WarnExpiring logs about a CA without auto-renewal.
const expiryWarningWindow = 30 * 24 * time.Hour

// WarnExpiring logs a warning for every active CA whose certificate ends
// within 30 days while auto-renewal is off, at most once per CA per UTC
// day in this process.
func (s *Service) WarnExpiring(ctx context.Context) error {
	cas, err := s.store.ListAllCAs(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	today := now.Format(time.DateOnly)
	for _, ca := range cas {
		if ca.NotAfter == nil || ca.Status != StatusActive || ca.NotAfter.Sub(now) > expiryWarningWindow {
			continue
		}
		setting, err := autoRenewalOrDefault(ctx, s.store, ca.ID)
		if err != nil {
			return err
		}
		if setting.Enabled {
			continue
		}
		s.warnMu.Lock()
		seen := s.warned[ca.ID] == today
		s.warned[ca.ID] = today
		s.warnMu.Unlock()
		if !seen {
			s.log.Warn("CA certificate expires soon and auto-renewal is off",
				"ca_id", ca.ID, "name", ca.Name, "project_id", ca.ProjectID,
				"not_after", ca.NotAfter.Format(time.RFC3339),
				"days_left", int(ca.NotAfter.Sub(now).Hours()/24))
		}
	}
	return nil
}
