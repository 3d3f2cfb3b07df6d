package authority

import (
	"context"
	"strings"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

// Audit actions, one per kind of change.
const (
	AuditCreateCA          = "create-ca"
	AuditRenewCA           = "renew-ca"
	AuditSignIntermediate  = "sign-intermediate"
	AuditImportCACert      = "import-ca-certificate"
	AuditUpdateCA          = "update-ca"
	AuditUpdateAutoRenewal = "update-ca-auto-renewal"
	AuditDeleteCA          = "delete-ca"
	AuditIssueCert         = "issue-cert"
	AuditSignCert          = "sign-cert"
	AuditRevokeCert        = "revoke-cert"
	AuditDeleteCert        = "delete-cert"
)

// audit writes one audit entry through q, inside the transaction of the
// change it records, so the entry exists exactly when the change does.
// metadata must not hold keys, secrets or tokens.
func (s *Service) audit(ctx context.Context, q store.AuditQueries, p auth.Principal, action string, ca store.CA, resource string, metadata map[string]any) error {
	actorType := "identity"
	if strings.HasPrefix(p.IdentityID, "system:") {
		actorType = "system"
	}
	caID := ca.ID
	return q.InsertAudit(ctx, store.AuditEntry{
		ID: store.NewAuditID(), CreatedAt: s.clock.Now(), ActorType: actorType,
		IdentityID: p.IdentityID, ActorName: p.Name, Action: action, ProjectID: ca.ProjectID,
		CAID: &caID, Resource: resource, Metadata: metadata, ReqID: p.RequestID,
	})
}

// MaxAuditPage is the largest page ListAudit returns.
const MaxAuditPage = 1000

// ListAudit returns a project's audit entries. Only project admins may
// read them.
func (s *Service) ListAudit(ctx context.Context, p auth.Principal, f store.AuditFilter) ([]store.AuditEntry, error) {
	if _, err := s.store.GetProject(ctx, f.ProjectID); err != nil {
		return nil, projectNotFound(err, f.ProjectID)
	}
	role, err := auth.ProjectRole(ctx, s.store, p, f.ProjectID)
	if err != nil {
		return nil, err
	}
	if role != auth.RoleAdmin {
		return nil, errs.Denied(auth.ActionRead, "audit-logs")
	}
	if f.Limit <= 0 || f.Limit > MaxAuditPage {
		f.Limit = MaxAuditPage
	}
	return s.store.ListAudit(ctx, f)
}
