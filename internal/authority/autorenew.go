package authority

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

// DefaultAutoRenewalDays is the renewal window of a CA whose auto-renewal
// was never configured.
const DefaultAutoRenewalDays = 30

// Outcomes recorded in lastRenewalStatus.
const (
	RenewalSuccess = "success"
	RenewalFailed  = "failed"
)

// schedulerPrincipal is the actor of automatic renewals: the server itself,
// with every permission.
var schedulerPrincipal = auth.Principal{IdentityID: "system:auto-renewal", Name: "auto-renewal", OrgRole: auth.OrgRoleAdmin}

// AutoRenewal returns the auto-renewal setting of a CA the caller may read.
func (s *Service) AutoRenewal(ctx context.Context, p auth.Principal, caID string) (store.AutoRenewal, error) {
	if _, err := s.GetCA(ctx, p, caID); err != nil {
		return store.AutoRenewal{}, err
	}
	return autoRenewalOrDefault(ctx, s.store, caID)
}

func autoRenewalOrDefault(ctx context.Context, q store.AutoRenewalQueries, caID string) (store.AutoRenewal, error) {
	a, err := q.GetAutoRenewal(ctx, caID)
	if errors.Is(err, store.ErrNotFound) {
		return store.AutoRenewal{CAID: caID, DaysBeforeExpiry: DefaultAutoRenewalDays}, nil
	}
	return a, err
}

// UpdateAutoRenewal changes the auto-renewal setting of a CA; nil fields
// keep their value.
func (s *Service) UpdateAutoRenewal(ctx context.Context, p auth.Principal, caID string, enabled *bool, days *int) (store.AutoRenewal, error) {
	var out store.AutoRenewal
	err := s.store.InTx(ctx, func(q store.Queries) error {
		ca, err := loadCA(ctx, q, caID, true)
		if err != nil {
			return err
		}
		if err := require(ctx, q, p, ca.ProjectID, auth.ActionEdit); err != nil {
			return err
		}
		if out, err = autoRenewalOrDefault(ctx, q, caID); err != nil {
			return err
		}
		before := map[string]any{"autoRenewalEnabled": out.Enabled, "autoRenewalDaysBeforeExpiry": out.DaysBeforeExpiry}
		if enabled != nil {
			out.Enabled = *enabled
		}
		if days != nil {
			out.DaysBeforeExpiry = *days
		}
		if out.Enabled {
			if err := checkAutoRenewable(ca, out.DaysBeforeExpiry); err != nil {
				return err
			}
		}
		out.UpdatedAt = s.clock.Now()
		if err := q.UpsertAutoRenewal(ctx, out); err != nil {
			return err
		}
		return s.audit(ctx, q, p, AuditUpdateAutoRenewal, ca, "certificate-authority/"+ca.ID+"/auto-renewal",
			map[string]any{"caId": ca.ID, "before": before, "after": map[string]any{
				"autoRenewalEnabled": out.Enabled, "autoRenewalDaysBeforeExpiry": out.DaysBeforeExpiry}})
	})
	return out, err
}

// RenewalOutcome is the result of one pass for one CA.
type RenewalOutcome struct {
	CAID    string
	Status  string // RenewalSuccess or RenewalFailed
	Message string
}

// RunAutoRenewal renews every CA with auto-renewal on whose active
// certificate ends within its window, parents before their children, so a
// child's new notAfter can fit under its parent's renewed one. Each
// renewal re-checks the window under the CA's row lock: when another
// replica renewed the CA meanwhile, this pass skips it, so a CA is renewed
// once however many schedulers run.
func (s *Service) RunAutoRenewal(ctx context.Context) ([]RenewalOutcome, error) {
	settings, err := s.store.ListEnabledAutoRenewals(ctx)
	if err != nil {
		return nil, err
	}
	cas, err := s.store.ListAllCAs(ctx)
	if err != nil {
		return nil, err
	}
	var out []RenewalOutcome
	for _, ca := range parentsFirst(cas, settings) {
		o, renewed, err := s.autoRenewOne(ctx, ca.ID)
		if err != nil {
			return out, err
		}
		if renewed {
			out = append(out, o)
		}
	}
	return out, nil
}

// parentsFirst returns the CAs with auto-renewal on, ordered by their
// depth in the hierarchy (roots first).
func parentsFirst(cas []store.CA, settings []store.AutoRenewal) []store.CA {
	byID := make(map[string]store.CA, len(cas))
	for _, c := range cas {
		byID[c.ID] = c
	}
	depth := func(c store.CA) int {
		d := 0
		for c.ParentCAID != nil && d < len(cas) {
			p, ok := byID[*c.ParentCAID]
			if !ok {
				break
			}
			c, d = p, d+1
		}
		return d
	}
	var enabled []store.CA
	for _, a := range settings {
		if c, ok := byID[a.CAID]; ok {
			enabled = append(enabled, c)
		}
	}
	slices.SortStableFunc(enabled, func(a, b store.CA) int { return cmp.Compare(depth(a), depth(b)) })
	return enabled
}

// autoRenewOne renews one CA when it is still due, recording the outcome.
// renewed is false when the CA was not due (anymore).
func (s *Service) autoRenewOne(ctx context.Context, caID string) (RenewalOutcome, bool, error) {
	o := RenewalOutcome{CAID: caID}
	due := false
	err := s.store.InTx(ctx, func(q store.Queries) error {
		notAfter, capped, ok, err := s.dueRenewal(ctx, q, caID)
		if err != nil || !ok {
			return err
		}
		due = true
		row, err := s.renewInTx(ctx, q, schedulerPrincipal, caID, notAfter)
		if err != nil {
			return err
		}
		o.Status, o.Message = RenewalSuccess, fmt.Sprintf("Renewed to version %d, valid until %s", row.Version, row.NotAfter.Format(time.RFC3339))
		if capped {
			o.Message += "; shortened to the parent CA's notAfter, renew the parent to extend it"
		}
		return s.recordOutcome(ctx, q, caID, o)
	})
	if err == nil {
		if due {
			s.forgetCA(caID)
			s.opts.Observer.CARenewed(TriggerAuto)
			s.opts.Observer.AutoRenewal(RenewalSuccess)
			s.log.Info("auto-renewed CA", "ca_id", caID, "message", o.Message)
		}
		return o, due, nil
	}
	s.opts.Observer.AutoRenewal(RenewalFailed)
	if _, clientErr := errs.As(err); !clientErr {
		s.log.Error("auto-renewal failed", "ca_id", caID, "error", err)
	} else {
		s.log.Warn("auto-renewal failed", "ca_id", caID, "error", err)
	}
	o.Status, o.Message = RenewalFailed, err.Error()
	if rerr := s.store.InTx(ctx, func(q store.Queries) error { return s.recordOutcome(ctx, q, caID, o) }); rerr != nil {
		return o, true, fmt.Errorf("recording auto-renewal failure of CA %s: %w", caID, rerr)
	}
	return o, true, nil
}

// dueRenewal decides, under the CA's row lock, whether a CA is due and the
// notAfter of its renewal: the same validity length as now, capped at the
// parent's notAfter for an intermediate. A renewal that would leave the CA
// inside its window again, or could not extend it at all, is an error, so
// the scheduler records why instead of renewing on every pass.
func (s *Service) dueRenewal(ctx context.Context, q store.Queries, caID string) (time.Time, bool, bool, error) {
	ca, err := loadCA(ctx, q, caID, true)
	if err != nil {
		return time.Time{}, false, false, err
	}
	setting, err := autoRenewalOrDefault(ctx, q, caID)
	if err != nil || !setting.Enabled || ca.ActiveCACertID == nil || ca.NotAfter == nil || ca.NotBefore == nil {
		return time.Time{}, false, false, err
	}
	// A disabled CA was stopped on purpose: it is not due, and not a
	// failure to record on every pass.
	if ca.Status != StatusActive {
		return time.Time{}, false, false, nil
	}
	now := s.clock.Now()
	window := time.Duration(setting.DaysBeforeExpiry) * 24 * time.Hour
	if now.Before(ca.NotAfter.Add(-window)) {
		return time.Time{}, false, false, nil
	}
	validity := ca.NotAfter.Sub(*ca.NotBefore)
	var parent store.CA
	if ca.Type == TypeIntermediate && ca.ParentCAID != nil {
		if parent, err = q.GetCA(ctx, *ca.ParentCAID); err != nil {
			// A missing parent is reported by the renewal checks.
			return now.Add(validity), false, true, nil
		}
		if parent.NotAfter != nil && !parent.NotAfter.After(*ca.NotAfter) {
			return time.Time{}, false, false, errs.New(errs.BadRequest,
				"The parent CA's certificate ends at %s, no later than this CA's: renew the parent CA first",
				parent.NotAfter.Format(time.RFC3339))
		}
	}
	if err := checkWindow(setting.DaysBeforeExpiry, validity); err != nil {
		return time.Time{}, false, false, err
	}
	notAfter := now.Add(validity)
	if parent.NotAfter == nil || !notAfter.After(*parent.NotAfter) {
		return notAfter, false, true, nil
	}
	return *parent.NotAfter, true, true, nil
}

// checkAutoRenewable rejects turning auto-renewal on for a CA the
// scheduler could never renew, instead of recording a failure every pass.
func checkAutoRenewable(ca store.CA, days int) error {
	if ca.ActiveCACertID == nil || ca.NotAfter == nil || ca.NotBefore == nil {
		return errs.New(errs.BadRequest, "%s: auto-renewal needs a certificate to renew", msgNoCertificate)
	}
	if ca.Type == TypeIntermediate && ca.ParentCAID == nil {
		return errs.New(errs.BadRequest,
			"This CA was signed by a parent outside pkid, which pkid cannot ask to renew it; renew it there and import the new certificate")
	}
	return checkWindow(days, ca.NotAfter.Sub(*ca.NotBefore))
}

// checkWindow rejects a renewal window that is not shorter than the CA's
// validity: every renewed certificate would start inside it, and the CA
// would be renewed on every pass.
func checkWindow(days int, validity time.Duration) error {
	if time.Duration(days)*24*time.Hour < validity {
		return nil
	}
	return errs.New(errs.BadRequest,
		"autoRenewalDaysBeforeExpiry (%d days) must be shorter than the CA certificate's validity (%d days); lower it or renew the CA once with a later notAfter",
		days, int(validity.Hours()/24))
}

func (s *Service) recordOutcome(ctx context.Context, q store.AutoRenewalQueries, caID string, o RenewalOutcome) error {
	a, err := autoRenewalOrDefault(ctx, q, caID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	a.LastStatus, a.LastMessage, a.LastAt, a.UpdatedAt = &o.Status, &o.Message, &now, now
	return q.UpsertAutoRenewal(ctx, a)
}
