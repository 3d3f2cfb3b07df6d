package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

// ProjectTypeCertManager is the only project type pkid serves.
const ProjectTypeCertManager = "cert-manager"

// NewProject is the input of CreateProject.
type NewProject struct {
	Name        string
	Description string
	Slug        string // generated from Name when empty
	Type        string
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugFor derives a slug from a project name plus a random suffix, so two
// projects with one name still get distinct slugs.
func slugFor(name string) (string, error) {
	base := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(base) > 28 {
		base = strings.Trim(base[:28], "-")
	}
	if base == "" {
		base = "project"
	}
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		return "", err
	}
	return base + "-" + hex.EncodeToString(suffix), nil
}

// CreateProject creates a project. Identities with the org role admin or
// member may create projects; a member becomes the new project's admin.
func (s *Service) CreateProject(ctx context.Context, p Principal, in NewProject) (store.Project, error) {
	if p.OrgRole != OrgRoleAdmin && p.OrgRole != OrgRoleMember {
		return store.Project{}, errs.Denied(ActionCreate, "workspace")
	}
	slug := in.Slug
	if slug == "" {
		var err error
		if slug, err = slugFor(in.Name); err != nil {
			return store.Project{}, err
		}
	}
	now := s.clock.Now()
	proj := store.Project{ID: uuid.NewString(), Name: in.Name, Slug: slug, Description: in.Description,
		Type: in.Type, CreatedAt: now, UpdatedAt: now}
	err := s.store.InTx(ctx, func(q store.Queries) error {
		if err := q.InsertProject(ctx, proj); err != nil {
			return err
		}
		if p.OrgRole == OrgRoleAdmin {
			return nil
		}
		return q.UpsertMembership(ctx, store.Membership{ID: uuid.NewString(), ProjectID: proj.ID,
			IdentityID: p.IdentityID, Role: RoleAdmin, CreatedAt: now, UpdatedAt: now})
	})
	if errors.Is(err, store.ErrConflict) {
		return store.Project{}, errs.New(errs.BadRequest, "A project with slug '%s' already exists", slug)
	}
	return proj, err
}

// GetProject returns a project. A caller without a role in it gets
// PermissionDenied.
func (s *Service) GetProject(ctx context.Context, p Principal, id string) (store.Project, error) {
	proj, err := s.loadProject(ctx, id)
	if err != nil {
		return proj, err
	}
	member, err := s.IsMember(ctx, p, id)
	if err != nil {
		return proj, err
	}
	if !member {
		return store.Project{}, errs.Denied(ActionRead, "workspace")
	}
	return proj, nil
}
