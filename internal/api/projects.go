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

func (a *API) createProject(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	f, err := readBody(r, false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	name := f.strLen("projectName", true, 1, 64)
	description := f.strLen("projectDescription", false, 0, 256)
	slug := f.strLen("slug", false, 5, 36)
	if slug != nil && !slugPattern.MatchString(*slug) {
		f.add("slug", "invalid_string", "slug must contain only lowercase letters, digits and single hyphens")
	}
	f.enum("type", false, auth.ProjectTypeCertManager)
	if err := f.err(); err != nil {
		a.writeError(w, r, err)
		return
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
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, projectJSON(proj))
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := pathUUID(r, "projectId")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	proj, err := a.auth.GetProject(r.Context(), p, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, projectJSON(proj))
}
