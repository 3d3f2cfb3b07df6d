package sqlstore

import (
	"context"
	"fmt"

	"github.com/pkid/pkid/internal/store"
)

// CountIdentities returns how many identities exist.
func (q *Queries) CountIdentities(ctx context.Context) (int, error) {
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM identities`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting identities: %w", err)
	}
	return n, nil
}

// InsertIdentity stores a new identity.
func (q *Queries) InsertIdentity(ctx context.Context, i store.Identity) error {
	err := q.exec(ctx, `INSERT INTO identities (id, name, org_role, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`,
		i.ID, i.Name, i.OrgRole, toMillis(i.CreatedAt), toMillis(i.UpdatedAt))
	if err != nil {
		return fmt.Errorf("inserting identity: %w", err)
	}
	return nil
}

// GetIdentity loads an identity by id.
func (q *Queries) GetIdentity(ctx context.Context, id string) (store.Identity, error) {
	var i store.Identity
	var created, updated int64
	err := q.queryRow(ctx, `SELECT id, name, org_role, created_at, updated_at
		FROM identities WHERE id = ?`, id).Scan(&i.ID, &i.Name, &i.OrgRole, &created, &updated)
	if err != nil {
		return i, fmt.Errorf("loading identity %s: %w", id, notFound(err))
	}
	i.CreatedAt, i.UpdatedAt = fromMillis(created), fromMillis(updated)
	return i, nil
}

// InsertUniversalAuth attaches universal auth to an identity. A second
// attach yields store.ErrConflict.
func (q *Queries) InsertUniversalAuth(ctx context.Context, u store.UniversalAuth) error {
	err := q.exec(ctx, `INSERT INTO universal_auths
		(identity_id, client_id, access_token_ttl, access_token_max_ttl, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		u.IdentityID, u.ClientID, u.AccessTokenTTL, u.AccessTokenMaxTTL,
		toMillis(u.CreatedAt), toMillis(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("inserting universal auth: %w", err)
	}
	return nil
}

const universalAuthColumns = `identity_id, client_id, access_token_ttl, access_token_max_ttl, created_at, updated_at`

func scanUniversalAuth(row interface{ Scan(...any) error }) (store.UniversalAuth, error) {
	var u store.UniversalAuth
	var created, updated int64
	err := row.Scan(&u.IdentityID, &u.ClientID, &u.AccessTokenTTL, &u.AccessTokenMaxTTL, &created, &updated)
	u.CreatedAt, u.UpdatedAt = fromMillis(created), fromMillis(updated)
	return u, err
}

// GetUniversalAuthByClientID loads the universal auth with a client id.
func (q *Queries) GetUniversalAuthByClientID(ctx context.Context, clientID string) (store.UniversalAuth, error) {
	u, err := scanUniversalAuth(q.queryRow(ctx,
		`SELECT `+universalAuthColumns+` FROM universal_auths WHERE client_id = ?`, clientID))
	if err != nil {
		return u, fmt.Errorf("loading universal auth: %w", notFound(err))
	}
	return u, nil
}

// GetUniversalAuth loads the universal auth of an identity.
func (q *Queries) GetUniversalAuth(ctx context.Context, identityID string) (store.UniversalAuth, error) {
	u, err := scanUniversalAuth(q.queryRow(ctx,
		`SELECT `+universalAuthColumns+` FROM universal_auths WHERE identity_id = ?`, identityID))
	if err != nil {
		return u, fmt.Errorf("loading universal auth of %s: %w", identityID, notFound(err))
	}
	return u, nil
}

// InsertClientSecret stores the hash of a new client secret.
func (q *Queries) InsertClientSecret(ctx context.Context, s store.ClientSecret) error {
	err := q.exec(ctx, `INSERT INTO client_secrets
		(id, identity_id, secret_hash, secret_prefix, description, ttl, num_uses_limit,
		 num_uses, revoked, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.IdentityID, s.Hash, s.Prefix, s.Description, s.TTL, s.NumUsesLimit,
		s.NumUses, s.Revoked, toMillis(s.CreatedAt))
	if err != nil {
		return fmt.Errorf("inserting client secret: %w", err)
	}
	return nil
}

const clientSecretColumns = `id, identity_id, secret_hash, secret_prefix, description, ttl,
	num_uses_limit, num_uses, revoked, created_at`

func scanClientSecret(row interface{ Scan(...any) error }) (store.ClientSecret, error) {
	var s store.ClientSecret
	var created int64
	err := row.Scan(&s.ID, &s.IdentityID, &s.Hash, &s.Prefix, &s.Description, &s.TTL,
		&s.NumUsesLimit, &s.NumUses, &s.Revoked, &created)
	s.CreatedAt = fromMillis(created)
	return s, err
}

// ListClientSecrets returns every client secret of an identity, revoked
// ones included, oldest first.
func (q *Queries) ListClientSecrets(ctx context.Context, identityID string) ([]store.ClientSecret, error) {
	rows, err := q.query(ctx, `SELECT `+clientSecretColumns+`
		FROM client_secrets WHERE identity_id = ? ORDER BY created_at, id`, identityID)
	if err != nil {
		return nil, fmt.Errorf("listing client secrets: %w", err)
	}
	defer rows.Close()
	var out []store.ClientSecret
	for rows.Next() {
		s, err := scanClientSecret(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning client secret: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// GetClientSecret loads one client secret by id.
func (q *Queries) GetClientSecret(ctx context.Context, id string) (store.ClientSecret, error) {
	s, err := scanClientSecret(q.queryRow(ctx,
		`SELECT `+clientSecretColumns+` FROM client_secrets WHERE id = ?`, id))
	if err != nil {
		return s, fmt.Errorf("loading client secret: %w", notFound(err))
	}
	return s, nil
}

// IncrementClientSecretUses counts one successful login with a secret.
func (q *Queries) IncrementClientSecretUses(ctx context.Context, id string) error {
	if err := q.exec(ctx, `UPDATE client_secrets SET num_uses = num_uses + 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("counting client secret use: %w", err)
	}
	return nil
}

// RevokeClientSecret marks a client secret revoked.
func (q *Queries) RevokeClientSecret(ctx context.Context, id string) error {
	if err := q.exec(ctx, `UPDATE client_secrets SET revoked = ? WHERE id = ?`, true, id); err != nil {
		return fmt.Errorf("revoking client secret: %w", err)
	}
	return nil
}
