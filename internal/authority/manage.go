package authority

import (
	"context"
	"errors"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

// CAUpdate is the input of UpdateCA; nil fields stay unchanged.
type CAUpdate struct {
	Status *string // StatusActive or StatusDisabled
	Name   *string
}

// UpdateCA renames a CA or switches it between active and disabled. A CA
// still waiting for its certificate cannot change status: it becomes
// active when a certificate is installed.
func (s *Service) UpdateCA(ctx context.Context, p auth.Principal, caID string, in CAUpdate) (store.CA, error) {
	var ca store.CA
	err := s.store.InTx(ctx, func(q store.Queries) error {
		var err error
		ca, err = loadCA(ctx, q, caID, true)
		if err != nil {
			return err
		}
		if err := require(ctx, q, p, ca.ProjectID, auth.ActionEdit); err != nil {
			return err
		}
		before := map[string]any{"status": ca.Status, "name": ca.Name}
		if in.Status != nil && *in.Status != ca.Status {
			if ca.Status == StatusPendingCertificate {
				return errs.New(errs.BadRequest,
					"Cannot set status to '%s': the CA does not have a certificate installed yet", *in.Status)
			}
			ca.Status = *in.Status
		}
		if in.Name != nil {
			ca.Name = *in.Name
		}
		ca.UpdatedAt = s.clock.Now()
		if err := q.UpdateCA(ctx, ca); err != nil {
			return err
		}
		return s.audit(ctx, q, p, AuditUpdateCA, ca, "certificate-authority/"+ca.ID, map[string]any{
			"caId": ca.ID, "before": before, "after": map[string]any{"status": ca.Status, "name": ca.Name},
		})
	})
	if errors.Is(err, store.ErrConflict) {
		return store.CA{}, errs.New(errs.BadRequest, "A CA with the name '%s' already exists in this project", *in.Name)
	}
	if err != nil {
		return store.CA{}, err
	}
	s.forgetCA(ca.ID)
	s.log.Info("updated CA", "ca_id", ca.ID, "identity_id", p.IdentityID, "status", ca.Status, "name", ca.Name)
	return ca, nil
}

// DeleteCA deletes a CA with its key and certificate versions and returns
// it as it was. A CA that other CAs name as their parent is not deleted:
// the caller must delete those first, so no hierarchy is cut silently.
func (s *Service) DeleteCA(ctx context.Context, p auth.Principal, caID string) (store.CA, error) {
	var ca store.CA
	err := s.store.InTx(ctx, func(q store.Queries) error {
		var err error
		ca, err = loadCA(ctx, q, caID, true)
		if err != nil {
			return err
		}
		if err := require(ctx, q, p, ca.ProjectID, auth.ActionDelete); err != nil {
			return err
		}
		children, err := q.CountChildCAs(ctx, ca.ID)
		if err != nil {
			return err
		}
		if children > 0 {
			return errs.New(errs.BadRequest,
				"Cannot delete CA '%s' because %d child CA(s) name it as their parent: delete the child CAs first",
				ca.Name, children)
		}
		// Deleting the CA would take its CRL offline, so a revoked
		// certificate it issued would verify again.
		unexpired, err := q.CountUnexpiredCertificates(ctx, ca.ID, s.clock.Now())
		if err != nil {
			return err
		}
		if unexpired > 0 {
			return errs.New(errs.BadRequest,
				"Cannot delete CA '%s' because %d certificate(s) it issued have not expired and its CRL must stay published: disable the CA instead",
				ca.Name, unexpired)
		}
		if err := q.DeleteCA(ctx, ca.ID); err != nil {
			return err
		}
		return s.audit(ctx, q, p, AuditDeleteCA, ca, "certificate-authority/"+ca.ID, map[string]any{
			"caId": ca.ID, "name": ca.Name, "dn": ca.DN, "serialNumber": ca.SerialNumber,
		})
	})
	if err != nil {
		return store.CA{}, err
	}
	s.forgetCA(ca.ID)
	s.log.Info("deleted CA", "ca_id", ca.ID, "identity_id", p.IdentityID, "name", ca.Name)
	return ca, nil
}
