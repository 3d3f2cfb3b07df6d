package e2e

import (
	"net/http"
	"testing"

	"github.com/pkid/pkid/internal/api"
)

// TestRateLimits drives each limit past its budget and expects 429
// RateLimitExceeded, while other keys keep working.
func TestRateLimits(t *testing.T) {
	b := Backends(t)[0]
	t.Run("per identity", func(t *testing.T) {
		s := Start(t, b, Options{Limits: &api.Limits{PerIdentity: 1}})
		admin := s.AdminToken(t)
		got429 := false
		for range 10 {
			r := s.Do(t, http.MethodPost, "/api/v1/projects", admin, map[string]any{"projectName": "rl"})
			if r.Status == http.StatusTooManyRequests {
				r.ExpectError(t, 429, "RateLimitExceeded", "")
				if r.Header.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
				got429 = true
				break
			}
		}
		if !got429 {
			t.Fatal("10 requests at once never met a limit of 1 per second")
		}
		// Public routes do not count against an identity.
		s.Do(t, http.MethodGet, "/api/status", "", nil).OK(t, nil)
	})
	t.Run("per address", func(t *testing.T) {
		s := Start(t, b, Options{Limits: &api.Limits{PerIP: 1}})
		got429 := false
		for range 10 {
			if s.Do(t, http.MethodGet, "/api/status", "", nil).Status == http.StatusTooManyRequests {
				got429 = true
				break
			}
		}
		if !got429 {
			t.Fatal("10 requests at once never met a per-address limit of 1 per second")
		}
	})
	t.Run("failed logins per client id", func(t *testing.T) {
		s := Start(t, b, Options{Limits: &api.Limits{LoginFailures: 3}})
		bad := map[string]string{"clientId": AdminClientID, "clientSecret": "wrong"}
		for range 3 {
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "", bad).
				ExpectError(t, 401, "UnauthorizedError", "Invalid credentials")
		}
		s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "", bad).
			ExpectError(t, 429, "RateLimitExceeded", "")
		// Another client id is not affected.
		s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
			map[string]string{"clientId": "someone-else", "clientSecret": "x"}).
			ExpectError(t, 401, "UnauthorizedError", "Invalid credentials")
	})
}
