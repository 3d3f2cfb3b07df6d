package api

import (
	"net/http"
	"regexp"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/store"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func projectJSON(p store.Project) map[string]any {
	return map[string]any{"project": map[string]any{
		"id": p.ID, "name": p.Name, "slug": p.Slug, "description": p.Description, "type": p.Type,
		"createdAt": formatTime(p.CreatedAt), "updatedAt": formatTime(p.UpdatedAt),
	}}
}

func (a *API) createProject(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	name := f.strLen("projectName", true, 1, 64)
	description := f.strLen("projectDescription", false, 0, 256)
	slug := f.strLen("slug", false, 5, 36)
	if slug != nil && !slugPattern.MatchString(*slug) {
		f.add("slug", "invalid_string", "slug must contain only lowercase letters, digits and single hyphens")
	}
	f.enum("type", false, auth.ProjectTypeCertManager)
	if err := f.err(); err != nil {
		return err
	}
	in := auth.NewProject{Name: *name, Type: auth.ProjectTypeCertManager}
	if description != nil {
		in.Description = *description
	}
	if slug != nil {
		in.Slug = *slug
	}
	proj, err := a.auth.CreateProject(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, projectJSON(proj))
	return nil
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathUUID(r, "projectId")
	if err != nil {
		return err
	}
	proj, err := a.auth.GetProject(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, projectJSON(proj))
	return nil
}
