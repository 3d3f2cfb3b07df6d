package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestErrorEnvelope covers the envelope of answers that no handler
// chooses: unknown routes, oversized bodies, bad JSON and internal faults.
func TestErrorEnvelope(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)

		t.Run("unknown route is 404", func(t *testing.T) {
			s.Do(t, http.MethodGet, "/api/v1/no-such-route", admin, nil).
				ExpectError(t, 404, "NotFound", "Route GET:/api/v1/no-such-route not found")
		})
		t.Run("oversized body is 413", func(t *testing.T) {
			big := `{"projectName":"` + strings.Repeat("a", 2<<20) + `"}`
			s.Do(t, http.MethodPost, "/api/v1/projects", admin, big).
				ExpectError(t, 413, "PayloadTooLarge", "")
		})
		t.Run("body limit depends on the route", func(t *testing.T) {
			mid := `{"projectName":"` + strings.Repeat("a", 100<<10) + `"}`
			env := s.Do(t, http.MethodPost, "/api/v1/projects", admin, mid).ExpectError(t, 413, "PayloadTooLarge", "")
			if !strings.Contains(string(env.Message), "65536 bytes") {
				t.Errorf("413 message %s does not name the 64 KiB limit", env.Message)
			}
			// A chain route takes the same body: it fails on content, not size.
			caID := "7b0c4b9e-3a57-4c0e-9d38-0a4f2a5d9e11"
			body := `{"certificate":"` + strings.Repeat("a", 100<<10) + `","certificateChain":""}`
			r := s.Do(t, http.MethodPost, "/api/v1/cert-manager/ca/internal/"+caID+"/import-certificate", admin, body)
			if r.Status == http.StatusRequestEntityTooLarge || r.Status >= 500 {
				t.Errorf("import with a 100 KiB body: status %d, want a content error", r.Status)
			}
		})
		t.Run("invalid JSON is 400", func(t *testing.T) {
			s.Do(t, http.MethodPost, "/api/v1/projects", admin, `{"projectName":`).
				ExpectError(t, 400, "BadRequest", "")
		})
		t.Run("non-object JSON is 422", func(t *testing.T) {
			s.Do(t, http.MethodPost, "/api/v1/projects", admin, `["a"]`).ExpectValidation(t, "body")
		})
		t.Run("every response has a request id", func(t *testing.T) {
			r := s.Do(t, http.MethodGet, "/api/status", "", nil).OK(t, nil)
			if !strings.HasPrefix(r.Header.Get("X-Request-Id"), "req-") {
				t.Errorf("X-Request-Id %q", r.Header.Get("X-Request-Id"))
			}
		})
		t.Run("missing DN is 422", func(t *testing.T) {
			project := s.CreateProject(t, admin, "dn")
			body := map[string]any{"projectId": project, "name": "no-dn", "status": "active",
				"configuration": map[string]any{"type": "root", "notAfter": "2035-01-01"}}
			s.Do(t, http.MethodPost, "/api/v1/cert-manager/ca/internal", admin, body).ExpectValidation(t, "commonName")
		})
		t.Run("legacy prefixes reach the same handlers", func(t *testing.T) {
			project := s.CreateProject(t, admin, "legacy")
			ca := s.CreateCA(t, admin, RootRequest(project, "legacy-root", "EC_prime256v1", time.Now().AddDate(2, 0, 0)))
			for _, p := range []string{"/api/v1/pki/ca/internal/", "/api/v1/pki/ca/"} {
				var got CA
				s.Do(t, http.MethodGet, p+ca.ID, admin, nil).OK(t, &got)
				if got.ID != ca.ID {
					t.Errorf("%s: got CA %q", p, got.ID)
				}
			}
		})
	})
}

// TestInternalFaultIsOpaque breaks the SQLite schema under a running
// server: the client must get a 500 "Something went wrong" and the log
// the cause with the request id.
func TestInternalFaultIsOpaque(t *testing.T) {
	s := Start(t, Backends(t)[0], Options{})
	admin := s.AdminToken(t)
	project := s.CreateProject(t, admin, "fault")
	ca := s.CreateCA(t, admin, RootRequest(project, "fault-root", "EC_prime256v1", time.Now().AddDate(2, 0, 0)))
	if _, err := s.Srv.DB().SQL().Exec(`ALTER TABLE ca_certificates RENAME TO ca_certificates_gone`); err != nil {
		t.Fatal(err)
	}
	resp := s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+ca.ID+"/ca-certificates", admin, nil)
	env := resp.ExpectError(t, 500, "InternalServerError", "Something went wrong")
	if strings.Contains(string(resp.Body), "ca_certificates") {
		t.Errorf("500 body leaks the cause: %s", resp.Body)
	}
	log := s.Log.String()
	if !strings.Contains(log, env.ReqID) || !strings.Contains(log, "ca_certificates") {
		t.Errorf("log lacks the request id %s or the cause:\n%s", env.ReqID, log)
	}
}

// TestLogin covers JSON and form logins and wrong credentials.
func TestLogin(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		t.Run("form body", func(t *testing.T) {
			form := url.Values{"clientId": {AdminClientID}, "clientSecret": {AdminClientSecret}}
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/auth/universal-auth/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			var out map[string]any
			s.Send(t, req).OK(t, &out)
			if out["tokenType"] != "Bearer" || out["accessToken"] == "" || out["expiresIn"] == nil || out["accessTokenMaxTTL"] == nil {
				t.Errorf("login response %v", out)
			}
		})
		t.Run("wrong secret is 401", func(t *testing.T) {
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
				map[string]string{"clientId": AdminClientID, "clientSecret": "wrong"}).
				ExpectError(t, 401, "UnauthorizedError", "Invalid credentials")
		})
		t.Run("unknown client id is 401", func(t *testing.T) {
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
				map[string]string{"clientId": "nobody", "clientSecret": "wrong"}).
				ExpectError(t, 401, "UnauthorizedError", "Invalid credentials")
		})
		t.Run("missing clientSecret is 422", func(t *testing.T) {
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
				map[string]string{"clientId": AdminClientID}).ExpectValidation(t, "clientSecret")
		})
		t.Run("revoked secret stops its tokens", func(t *testing.T) {
			admin := s.AdminToken(t)
			id := s.CreateIdentity(t, admin, "short-lived", "", "")
			token := s.Login(t, id.ClientID, id.ClientSecret)
			project := s.CreateProject(t, token, "own-project")
			s.Do(t, http.MethodGet, "/api/v1/projects/"+project, token, nil).OK(t, nil)
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/identities/"+id.ID+"/client-secrets/"+id.SecretID+"/revoke", admin, nil).OK(t, nil)
			s.Do(t, http.MethodGet, "/api/v1/projects/"+project, token, nil).ExpectError(t, 403, "TokenError", "")
			s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
				map[string]string{"clientId": id.ClientID, "clientSecret": id.ClientSecret}).
				ExpectError(t, 401, "UnauthorizedError", "Invalid credentials")
		})
		t.Run("non-admin cannot manage identities", func(t *testing.T) {
			admin := s.AdminToken(t)
			id := s.CreateIdentity(t, admin, "member", "", "")
			token := s.Login(t, id.ClientID, id.ClientSecret)
			s.Do(t, http.MethodPost, "/api/v1/identities", token, map[string]any{"name": "x"}).
				ExpectError(t, 403, "PermissionDenied", "")
		})
	})
}
