package e2e

import (
	"net/http"
	"testing"
	"time"
)

// TestUpdateCA covers PATCH: rename, status changes, and its rejections.
func TestUpdateCA(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "update-ca")
		root := s.CreateCA(t, token, RootRequest(project, "root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		s.CreateCA(t, token, RootRequest(project, "taken", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		pending := s.CreateCA(t, token, intermediateBody(project, "pending", "EC_prime256v1", "", time.Time{}, nil))
		path := caBase + "/" + root.ID

		var got CA
		s.Do(t, http.MethodPatch, path, token, map[string]any{"name": "renamed", "status": "disabled"}).OK(t, &got)
		if got.Name != "renamed" || got.Status != "disabled" || s.getCA(t, token, root.ID).Status != "disabled" {
			t.Errorf("after PATCH: name %q status %q, want renamed and disabled", got.Name, got.Status)
		}
		s.Do(t, http.MethodPatch, path, token, map[string]any{"status": "active"}).OK(t, &got)
		if got.Status != "active" || got.Name != "renamed" {
			t.Errorf("after re-enabling: name %q status %q", got.Name, got.Status)
		}
		s.Do(t, http.MethodPatch, path, token, map[string]any{"name": "taken"}).
			ExpectError(t, http.StatusBadRequest, "BadRequest", "A CA with the name 'taken' already exists in this project")
		s.Do(t, http.MethodPatch, path, token, map[string]any{"name": "Not A Slug"}).ExpectValidation(t, "name")
		s.Do(t, http.MethodPatch, path, token, map[string]any{"status": "pending-certificate"}).ExpectValidation(t, "status")
		s.Do(t, http.MethodPatch, caBase+"/"+pending.ID, token, map[string]any{"status": "active"}).
			ExpectError(t, http.StatusBadRequest, "BadRequest", "Cannot set status to 'active': the CA does not have a certificate installed yet")
		s.Do(t, http.MethodPatch, caBase+"/00000000-0000-4000-8000-000000000002", token, map[string]any{"name": "x"}).
			ExpectError(t, http.StatusNotFound, "NotFound", "CA with ID '00000000-0000-4000-8000-000000000002' not found")
		s.Do(t, http.MethodPatch, caBase+"/not-a-uuid", token, map[string]any{"name": "x"}).ExpectValidation(t, "caId")
		// The older path prefix reaches the same handler.
		s.Do(t, http.MethodPatch, "/api/v1/pki/ca/"+root.ID, token, map[string]any{"name": "legacy"}).OK(t, &got)
		if got.Name != "legacy" {
			t.Errorf("legacy PATCH left name %q", got.Name)
		}
	})
}

// TestDeleteCAWithChildren checks that a CA with child CAs is not deleted
// and that deleting bottom-up works.
func TestDeleteCAWithChildren(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "delete-ca")
		root := s.CreateCA(t, token, RootRequest(project, "root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		child := s.createViaCSR(t, token, project, "child", "EC_prime256v1", root.ID, time.Now().AddDate(2, 0, 0), nil)

		s.Do(t, http.MethodDelete, caBase+"/"+root.ID, token, nil).ExpectError(t, http.StatusBadRequest, "BadRequest",
			"Cannot delete CA 'root' because 1 child CA(s) name it as their parent: delete the child CAs first")
		if s.getCA(t, token, root.ID).Status != "active" {
			t.Error("rejected delete changed the root")
		}
		var deleted CA
		s.Do(t, http.MethodDelete, caBase+"/"+child.ID, token, nil).OK(t, &deleted)
		if deleted.ID != child.ID {
			t.Errorf("DELETE returned CA %s, want %s", deleted.ID, child.ID)
		}
		s.Do(t, http.MethodDelete, caBase+"/"+root.ID, token, nil).OK(t, &deleted)
		for _, id := range []string{root.ID, child.ID} {
			s.Do(t, http.MethodGet, caBase+"/"+id, token, nil).ExpectError(t, http.StatusNotFound, "NotFound", "")
			s.Do(t, http.MethodGet, caBase+"/"+id+"/ca-certificates", token, nil).ExpectError(t, http.StatusNotFound, "NotFound", "")
		}
		s.Do(t, http.MethodDelete, caBase+"/"+root.ID, token, nil).ExpectError(t, http.StatusNotFound, "NotFound", "")
	})
}
