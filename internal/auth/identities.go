package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

// requireOrgAdmin guards the identity-management operations, which only
// an organization admin may perform; action names the operation in the
// PermissionDenied message.
func requireOrgAdmin(p Principal, action string) error {
	if p.OrgRole != OrgRoleAdmin {
		return errs.Denied(action, "identity")
	}
	return nil
}

// CreateIdentity creates a machine identity with an organization role.
func (s *Service) CreateIdentity(ctx context.Context, p Principal, name, orgRole string) (store.Identity, error) {
	if err := requireOrgAdmin(p, ActionCreate); err != nil {
		return store.Identity{}, err
	}
	now := s.clock.Now()
	i := store.Identity{ID: uuid.NewString(), Name: name, OrgRole: orgRole, CreatedAt: now, UpdatedAt: now}
	if err := s.store.InsertIdentity(ctx, i); err != nil {
		return store.Identity{}, err
	}
	return i, nil
}

// AttachUniversalAuth gives an identity a client id for login. Zero
// lifetimes take the defaults.
func (s *Service) AttachUniversalAuth(ctx context.Context, p Principal, identityID string, ttl, maxTTL int64) (store.UniversalAuth, error) {
	if err := requireOrgAdmin(p, ActionEdit); err != nil {
		return store.UniversalAuth{}, err
	}
	if _, err := s.loadIdentity(ctx, identityID); err != nil {
		return store.UniversalAuth{}, err
	}
	if ttl == 0 {
		ttl = DefaultAccessTokenTTL
	}
	if maxTTL == 0 {
		maxTTL = max(DefaultAccessTokenMaxTTL, ttl)
	}
	if ttl > maxTTL {
		return store.UniversalAuth{}, errs.Invalid("accessTokenTTL", "too_big",
			"accessTokenTTL cannot be greater than accessTokenMaxTTL")
	}
	now := s.clock.Now()
	ua := store.UniversalAuth{
		IdentityID: identityID, ClientID: uuid.NewString(),
		AccessTokenTTL: ttl, AccessTokenMaxTTL: maxTTL, CreatedAt: now, UpdatedAt: now,
	}
	err := s.store.InsertUniversalAuth(ctx, ua)
	if errors.Is(err, store.ErrConflict) {
		return ua, errs.New(errs.BadRequest, "Failed to add universal auth to already configured identity")
	}
	return ua, err
}

// NewClientSecret creates a client secret for an identity with universal
// auth and returns the secret in clear, once. ttl is in seconds (0: no
// expiry) and numUsesLimit 0 means unlimited.
func (s *Service) NewClientSecret(ctx context.Context, p Principal, identityID, description string, ttl, numUsesLimit int64) (string, store.ClientSecret, error) {
	if err := requireOrgAdmin(p, ActionEdit); err != nil {
		return "", store.ClientSecret{}, err
	}
	if _, err := s.loadIdentity(ctx, identityID); err != nil {
		return "", store.ClientSecret{}, err
	}
	if _, err := s.store.GetUniversalAuth(ctx, identityID); errors.Is(err, store.ErrNotFound) {
		return "", store.ClientSecret{}, errs.New(errs.BadRequest,
			"Identity %s does not have universal auth attached", identityID)
	} else if err != nil {
		return "", store.ClientSecret{}, err
	}
	return s.createClientSecret(ctx, s.store, identityID, description, ttl, numUsesLimit, "")
}

// createClientSecret stores the hash of a secret, generating the secret
// when given is empty.
func (s *Service) createClientSecret(ctx context.Context, q store.IdentityQueries, identityID, description string, ttl, numUsesLimit int64, given string) (string, store.ClientSecret, error) {
	secret := given
	if secret == "" {
		var err error
		if secret, err = NewSecret(); err != nil {
			return "", store.ClientSecret{}, err
		}
	}
	hash, err := HashSecret(secret)
	if err != nil {
		return "", store.ClientSecret{}, err
	}
	cs := store.ClientSecret{
		ID: uuid.NewString(), IdentityID: identityID, Hash: hash, Prefix: secretPrefix(secret),
		Description: description, TTL: ttl, NumUsesLimit: numUsesLimit, CreatedAt: s.clock.Now(),
	}
	if err := q.InsertClientSecret(ctx, cs); err != nil {
		return "", store.ClientSecret{}, err
	}
	return secret, cs, nil
}

// RevokeClientSecret revokes a client secret; tokens obtained with it
// stop working at once.
func (s *Service) RevokeClientSecret(ctx context.Context, p Principal, identityID, secretID string) (store.ClientSecret, error) {
	if err := requireOrgAdmin(p, ActionEdit); err != nil {
		return store.ClientSecret{}, err
	}
	cs, err := s.store.GetClientSecret(ctx, secretID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cs.IdentityID != identityID) {
		return cs, errs.New(errs.NotFound, "Client secret with ID '%s' not found", secretID)
	}
	if err != nil {
		return cs, err
	}
	if err := s.store.RevokeClientSecret(ctx, secretID); err != nil {
		return cs, err
	}
	cs.Revoked = true
	return cs, nil
}

// AddMembership gives an identity a role in a project. The caller must be
// allowed to manage the project (its admin).
func (s *Service) AddMembership(ctx context.Context, p Principal, projectID, identityID, role string) (store.Membership, error) {
	if _, err := s.loadProject(ctx, projectID); err != nil {
		return store.Membership{}, err
	}
	callerRole, err := s.projectRole(ctx, p, projectID)
	if err != nil {
		return store.Membership{}, err
	}
	if callerRole != RoleAdmin {
		return store.Membership{}, errs.Denied(ActionCreate, "identity")
	}
	// A project admin who demotes itself may leave the project without
	// an admin; another admin has to make that change.
	if identityID == p.IdentityID && p.OrgRole != OrgRoleAdmin && role != RoleAdmin {
		return store.Membership{}, errs.New(errs.BadRequest,
			"You cannot change your own role in a project; ask another project admin")
	}
	if _, err := s.loadIdentity(ctx, identityID); err != nil {
		return store.Membership{}, err
	}
	if !slices.Contains(ProjectRoles, role) {
		return store.Membership{}, errs.Invalid("role", "invalid_enum_value",
			fmt.Sprintf("role must be one of %s, got %q", strings.Join(ProjectRoles, ", "), role))
	}
	now := s.clock.Now()
	m := store.Membership{ID: uuid.NewString(), ProjectID: projectID, IdentityID: identityID,
		Role: role, CreatedAt: now, UpdatedAt: now}
	// Who may act in a project is as much worth an audit trail as what
	// was signed, so the change and its entry commit together.
	err = s.store.InTx(ctx, func(q store.Queries) error {
		if err := q.UpsertMembership(ctx, m); err != nil {
			return err
		}
		return q.InsertAudit(ctx, store.AuditEntry{
			ID: store.NewAuditID(), CreatedAt: now, ActorType: "identity", IdentityID: p.IdentityID,
			ActorName: p.Name, Action: "set-identity-membership", ProjectID: projectID,
			Resource: "identity/" + identityID, ReqID: p.RequestID,
			Metadata: map[string]any{"identityId": identityID, "role": role},
		})
	})
	if err != nil {
		return store.Membership{}, err
	}
	return s.store.GetMembership(ctx, projectID, identityID)
}

func (s *Service) loadIdentity(ctx context.Context, id string) (store.Identity, error) {
	i, err := s.store.GetIdentity(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return i, errs.New(errs.NotFound, "Identity with ID '%s' not found", id)
	}
	return i, err
}

func (s *Service) loadProject(ctx context.Context, id string) (store.Project, error) {
	p, err := s.store.GetProject(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, errs.New(errs.NotFound, "Project with ID '%s' not found", id)
	}
	return p, err
}
