package sqlstore

import (
	"context"
	"fmt"

	"github.com/pkid/pkid/internal/store"
)

// InsertProject stores a new project. A taken slug yields store.ErrConflict.
func (q *Queries) InsertProject(ctx context.Context, p store.Project) error {
	err := q.exec(ctx, `INSERT INTO projects (id, name, slug, description, type, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.Slug, p.Description, p.Type, toMillis(p.CreatedAt), toMillis(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("inserting project: %w", err)
	}
	return nil
}

// GetProject loads a project by id.
func (q *Queries) GetProject(ctx context.Context, id string) (store.Project, error) {
	var p store.Project
	var created, updated int64
	err := q.queryRow(ctx, `SELECT id, name, slug, description, type, created_at, updated_at
		FROM projects WHERE id = ?`, id).
		Scan(&p.ID, &p.Name, &p.Slug, &p.Description, &p.Type, &created, &updated)
	if err != nil {
		return p, fmt.Errorf("loading project %s: %w", id, notFound(err))
	}
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, nil
}

// UpsertMembership gives an identity a role in a project, replacing any
// role it had there.
func (q *Queries) UpsertMembership(ctx context.Context, m store.Membership) error {
	err := q.exec(ctx, `INSERT INTO project_memberships
		(id, project_id, identity_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, identity_id) DO UPDATE SET role = excluded.role,
		updated_at = excluded.updated_at`,
		m.ID, m.ProjectID, m.IdentityID, m.Role, toMillis(m.CreatedAt), toMillis(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("saving project membership: %w", err)
	}
	return nil
}

// GetMembership loads the membership of an identity in a project.
func (q *Queries) GetMembership(ctx context.Context, projectID, identityID string) (store.Membership, error) {
	var m store.Membership
	var created, updated int64
	err := q.queryRow(ctx, `SELECT id, project_id, identity_id, role, created_at, updated_at
		FROM project_memberships WHERE project_id = ? AND identity_id = ?`, projectID, identityID).
		Scan(&m.ID, &m.ProjectID, &m.IdentityID, &m.Role, &created, &updated)
	if err != nil {
		return m, fmt.Errorf("loading membership: %w", notFound(err))
	}
	m.CreatedAt, m.UpdatedAt = fromMillis(created), fromMillis(updated)
	return m, nil
}

// GetServerKey loads a sealed server-wide key by name.
func (q *Queries) GetServerKey(ctx context.Context, name string) (string, error) {
	var sealed string
	err := q.queryRow(ctx, `SELECT sealed FROM server_keys WHERE name = ?`, name).Scan(&sealed)
	if err != nil {
		return "", fmt.Errorf("loading server key %s: %w", name, notFound(err))
	}
	return sealed, nil
}

// InsertServerKey stores a sealed server-wide key. When two replicas race
// to create the same key, the loser gets store.ErrConflict and should
// load the winner's.
func (q *Queries) InsertServerKey(ctx context.Context, name, sealed string, createdAtMillis int64) error {
	err := q.exec(ctx, `INSERT INTO server_keys (name, sealed, created_at) VALUES (?, ?, ?)`,
		name, sealed, createdAtMillis)
	if err != nil {
		return fmt.Errorf("inserting server key %s: %w", name, err)
	}
	return nil
}
