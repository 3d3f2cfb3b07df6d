package e2e

import (
	"net/http"
	"testing"
)

// Identity is a machine identity made through the API, with its
// universal-auth credentials.
type Identity struct {
	ID           string
	ClientID     string
	ClientSecret string
	SecretID     string
}

// CreateIdentity creates an identity with universal auth and a client
// secret through the reference API's identity routes, and, when
// projectID is not empty, adds it to that project with a role.
func (s *Server) CreateIdentity(t testing.TB, adminToken, name, projectID, role string) Identity {
	t.Helper()
	var created struct {
		Identity struct {
			ID string `json:"id"`
		} `json:"identity"`
	}
	s.Do(t, http.MethodPost, "/api/v1/identities", adminToken,
		map[string]any{"name": name, "organizationId": "ignored", "role": "member"}).OK(t, &created)
	id := created.Identity.ID
	var ua struct {
		UA struct {
			ClientID string `json:"clientId"`
		} `json:"identityUniversalAuth"`
	}
	s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/identities/"+id, adminToken,
		map[string]any{}).OK(t, &ua)
	var secret struct {
		ClientSecret string `json:"clientSecret"`
		Data         struct {
			ID string `json:"id"`
		} `json:"clientSecretData"`
	}
	s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/identities/"+id+"/client-secrets", adminToken,
		map[string]any{"description": "e2e"}).OK(t, &secret)
	if projectID != "" {
		s.Do(t, http.MethodPost, "/api/v1/projects/"+projectID+"/memberships/identities/"+id, adminToken,
			map[string]any{"role": role}).OK(t, nil)
	}
	return Identity{ID: id, ClientID: ua.UA.ClientID, ClientSecret: secret.ClientSecret, SecretID: secret.Data.ID}
}
