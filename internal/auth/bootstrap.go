package auth

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/store"
)

// MinAdminSecretLen is the shortest admin client secret an operator may
// set; generated secrets have 64 hex digits.
const MinAdminSecretLen = 16

// AdminCredentials are the universal-auth credentials of the first admin.
type AdminCredentials struct {
	IdentityID   string `json:"identityId"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// BootstrapAdmin creates the first admin identity when the database has no
// identity at all, and returns its credentials; created is false when
// identities already exist. An empty clientID or clientSecret is
// generated. The secret is stored only as a hash.
func (s *Service) BootstrapAdmin(ctx context.Context, clientID, clientSecret string) (creds AdminCredentials, created bool, err error) {
	err = s.store.InTx(ctx, func(q store.Queries) error {
		n, err := q.CountIdentities(ctx)
		if err != nil || n > 0 {
			return err
		}
		now := s.clock.Now()
		id := store.Identity{ID: uuid.NewString(), Name: "admin", OrgRole: OrgRoleAdmin, CreatedAt: now, UpdatedAt: now}
		if err := q.InsertIdentity(ctx, id); err != nil {
			return err
		}
		if clientID == "" {
			clientID = uuid.NewString()
		}
		ua := store.UniversalAuth{IdentityID: id.ID, ClientID: clientID,
			AccessTokenTTL: DefaultAccessTokenTTL, AccessTokenMaxTTL: DefaultAccessTokenMaxTTL,
			CreatedAt: now, UpdatedAt: now}
		if err := q.InsertUniversalAuth(ctx, ua); err != nil {
			return err
		}
		secret, _, err := s.createClientSecret(ctx, q, id.ID, "bootstrap admin", 0, 0, clientSecret)
		if err != nil {
			return err
		}
		creds = AdminCredentials{IdentityID: id.ID, ClientID: clientID, ClientSecret: secret}
		created = true
		return nil
	})
	if err != nil {
		return AdminCredentials{}, false, fmt.Errorf("creating admin identity: %w", err)
	}
	return creds, created, nil
}
