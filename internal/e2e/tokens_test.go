package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/clock"
)

// TestTokenLifetime checks that a token works until the second its
// expiresIn ends and not after, and that revoking one client secret
// stops exactly the tokens issued for it.
func TestTokenLifetime(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		clk := clock.NewFake(time.Now().Truncate(time.Second))
		s := Start(t, b, Options{Clock: clk})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "tokens")
		projectPath := "/api/v1/projects/" + project

		t.Run("expiry", func(t *testing.T) {
			var login struct {
				AccessToken string `json:"accessToken"`
				ExpiresIn   int    `json:"expiresIn"`
			}
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
				map[string]string{"clientId": AdminClientID, "clientSecret": AdminClientSecret}).OK(t, &login)
			if login.ExpiresIn <= 1 {
				t.Fatalf("expiresIn %d", login.ExpiresIn)
			}
			clk.Advance(time.Duration(login.ExpiresIn-1) * time.Second)
			s.Do(t, http.MethodGet, projectPath, login.AccessToken, nil).OK(t, nil)
			clk.Advance(time.Second)
			s.Do(t, http.MethodGet, projectPath, login.AccessToken, nil).
				ExpectError(t, 403, "TokenError", "Your token has expired. Please re-authenticate.")
		})

		t.Run("revoking one secret", func(t *testing.T) {
			admin := s.Login(t, AdminClientID, AdminClientSecret) // the clock moved past the first token
			id := s.CreateIdentity(t, admin, "two-secrets", project, "viewer")
			var second struct {
				ClientSecret string `json:"clientSecret"`
			}
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/identities/"+id.ID+"/client-secrets", admin,
				map[string]any{"description": "second"}).OK(t, &second)
			first := s.Login(t, id.ClientID, id.ClientSecret)
			other := s.Login(t, id.ClientID, second.ClientSecret)
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/identities/"+id.ID+"/client-secrets/"+id.SecretID+"/revoke",
				admin, nil).OK(t, nil)
			s.Do(t, http.MethodGet, projectPath, first, nil).
				ExpectError(t, 403, "TokenError", "Your token has been revoked. Please re-authenticate.")
			s.Do(t, http.MethodGet, projectPath, other, nil).OK(t, nil)
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
				map[string]string{"clientId": id.ClientID, "clientSecret": id.ClientSecret}).
				ExpectError(t, 401, "UnauthorizedError", "Invalid credentials")
		})

		t.Run("tampered token", func(t *testing.T) {
			token := []byte(s.Login(t, AdminClientID, AdminClientSecret))
			token[len(token)-2] ^= 0x01
			s.Do(t, http.MethodGet, projectPath, string(token), nil).
				ExpectError(t, 403, "TokenError", "Failed to authenticate token")
		})
	})
}
