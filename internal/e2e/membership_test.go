package e2e

import (
	"net/http"
	"testing"
)

// TestMembershipNeedsOneRole checks that a membership request must name
// exactly one role, so a typo cannot silently demote an admin.
func TestMembershipNeedsOneRole(t *testing.T) {
	s := Start(t, Backends(t)[0], Options{})
	admin := s.AdminToken(t)
	project := s.CreateProject(t, admin, "roles")
	id := s.CreateIdentity(t, admin, "lead", project, "admin")
	path := "/api/v1/projects/" + project + "/memberships/identities/" + id.ID
	for _, body := range []string{`{}`, `{"role":null}`, `{"roles":[]}`, `{"Role":"admin"}`} {
		s.Do(t, http.MethodPost, path, admin, body).ExpectValidation(t, "role")
	}
	s.Do(t, http.MethodPost, path, admin, `{"roles":[{"role":"viewer"},{"role":"admin"}]}`).ExpectValidation(t, "roles")
	s.Do(t, http.MethodPost, path, admin, `{"role":"owner"}`).ExpectValidation(t, "role")
	s.Do(t, http.MethodPost, path, admin, `{"role":"admin","roles":[{"role":"viewer"}]}`).ExpectValidation(t, "roles")
	// The identity is still admin: it may read the audit log.
	token := s.Login(t, id.ClientID, id.ClientSecret)
	s.Do(t, http.MethodGet, "/api/v1/projects/"+project+"/audit-logs", token, nil).OK(t, nil)
	s.Do(t, http.MethodPost, path, admin, `{"roles":[{"role":"viewer"}]}`).OK(t, nil)
	s.Do(t, http.MethodGet, "/api/v1/projects/"+project+"/audit-logs", token, nil).
		ExpectError(t, 403, "PermissionDenied", "")
}

// TestMembershipNoSelfDemotion keeps a project admin from demoting itself
// and leaving the project without an admin.
func TestMembershipNoSelfDemotion(t *testing.T) {
	s := Start(t, Backends(t)[0], Options{})
	admin := s.AdminToken(t)
	lead := s.CreateIdentity(t, admin, "lead", "", "")
	token := s.Login(t, lead.ClientID, lead.ClientSecret)
	project := s.CreateProject(t, token, "own")
	s.Do(t, http.MethodPost, "/api/v1/projects/"+project+"/memberships/identities/"+lead.ID, token,
		`{"role":"viewer"}`).ExpectError(t, 400, "BadRequest", "You cannot change your own role in a project; ask another project admin")
	s.Do(t, http.MethodGet, "/api/v1/projects/"+project+"/audit-logs", token, nil).OK(t, nil)
}
