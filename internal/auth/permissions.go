package auth

import (
	"context"
	"errors"

	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

// Permission subjects and actions, as named in the reference API.
const (
	SubjectCAs          = "certificate-authorities"
	SubjectCertificates = "certificates"

	ActionRead               = "read"
	ActionCreate             = "create"
	ActionEdit               = "edit"
	ActionDelete             = "delete"
	ActionIssueCACertificate = "issue-ca-certificate"
	ActionSignIntermediate   = "sign-intermediate"
	ActionReadPrivateKey     = "read-private-key"
)

// Project roles. Org role admin acts as RoleAdmin in every project.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
	RoleViewer = "viewer"

	OrgRoleAdmin    = "admin"
	OrgRoleMember   = "member"
	OrgRoleNoAccess = "no-access"
)

// ProjectRoles lists the roles a membership may have.
var ProjectRoles = []string{RoleAdmin, RoleMember, RoleViewer}

// roleAllows reports whether a project role grants action on subject:
// admin everything, member everything but delete, viewer only read.
func roleAllows(role, subject, action string) bool {
	switch role {
	case RoleAdmin:
		return true
	case RoleMember:
		return action != ActionDelete
	case RoleViewer:
		return action == ActionRead
	}
	return false
}

// ProjectRole returns p's role in a project, "" when it has none. It
// reads through q, so a caller inside a transaction passes the
// transaction and holds no second connection.
func ProjectRole(ctx context.Context, q store.ProjectQueries, p Principal, projectID string) (string, error) {
	if p.OrgRole == OrgRoleAdmin {
		return RoleAdmin, nil
	}
	m, err := q.GetMembership(ctx, projectID, p.IdentityID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return m.Role, nil
}

// Require returns a PermissionDenied error unless p may do action on
// subject in a project, reading memberships through q.
func Require(ctx context.Context, q store.ProjectQueries, p Principal, projectID, subject, action string) error {
	role, err := ProjectRole(ctx, q, p, projectID)
	if err != nil {
		return err
	}
	if !roleAllows(role, subject, action) {
		return errs.Denied(action, subject)
	}
	return nil
}

func (s *Service) projectRole(ctx context.Context, p Principal, projectID string) (string, error) {
	return ProjectRole(ctx, s.store, p, projectID)
}

// IsMember reports whether p has any role in a project.
func (s *Service) IsMember(ctx context.Context, p Principal, projectID string) (bool, error) {
	role, err := s.projectRole(ctx, p, projectID)
	return role != "", err
}
