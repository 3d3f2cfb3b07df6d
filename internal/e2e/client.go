package e2e

import (
	"net/http"
	"testing"
	"time"
)

// Login returns an access token for a client id and secret.
func (s *Server) Login(t testing.TB, clientID, clientSecret string) string {
	t.Helper()
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	s.Do(t, http.MethodPost, "/api/v1/auth/universal-auth/login", "",
		map[string]string{"clientId": clientID, "clientSecret": clientSecret}).OK(t, &out)
	if out.AccessToken == "" {
		t.Fatal("login returned no accessToken")
	}
	return out.AccessToken
}

// AdminToken returns a token of the bootstrap admin, logging in once.
func (s *Server) AdminToken(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.adminT = s.Login(t, AdminClientID, AdminClientSecret) })
	return s.adminT
}

// CreateProject creates a project and returns its id.
func (s *Server) CreateProject(t testing.TB, token, name string) string {
	t.Helper()
	var out struct {
		Project struct {
			ID string `json:"id"`
		} `json:"project"`
	}
	s.Do(t, http.MethodPost, "/api/v1/projects", token, map[string]any{"projectName": name}).OK(t, &out)
	return out.Project.ID
}

// CA is the part of the CA object tests read.
type CA struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	ProjectID     string `json:"projectId"`
	Status        string `json:"status"`
	Configuration struct {
		Type           string  `json:"type"`
		KeyAlgorithm   string  `json:"keyAlgorithm"`
		NotBefore      *string `json:"notBefore"`
		NotAfter       *string `json:"notAfter"`
		MaxPathLength  *int    `json:"maxPathLength"`
		ParentCAID     *string `json:"parentCaId"`
		SerialNumber   *string `json:"serialNumber"`
		ActiveCACertID *string `json:"activeCaCertId"`
		DN             string  `json:"dn"`
	} `json:"configuration"`
}

// CACert is a CA certificate as renew, certificate and ca-certificates
// return it.
type CACert struct {
	Certificate      string `json:"certificate"`
	CertificateChain string `json:"certificateChain"`
	SerialNumber     string `json:"serialNumber"`
	CertID           string `json:"certId"`
	Version          int    `json:"version"`
}

// RootRequest builds the body that creates an active root CA.
func RootRequest(projectID, name, keyAlgorithm string, notAfter time.Time) map[string]any {
	return map[string]any{
		"projectId": projectID, "name": name, "status": "active",
		"configuration": map[string]any{
			"type": "root", "keyAlgorithm": keyAlgorithm, "commonName": name + " Root CA",
			"organization": "pkid e2e", "country": "US",
			"notAfter": notAfter.UTC().Format(time.RFC3339),
		},
	}
}

// CreateCA posts a CA body and returns the created CA.
func (s *Server) CreateCA(t testing.TB, token string, body map[string]any) CA {
	t.Helper()
	var ca CA
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/ca/internal", token, body).OK(t, &ca)
	return ca
}

// Renew renews a CA and returns the new certificate.
func (s *Server) Renew(t testing.TB, token, caID string, notAfter time.Time) CACert {
	t.Helper()
	var out CACert
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/ca/internal/"+caID+"/renew", token,
		map[string]any{"type": "existing", "notAfter": notAfter.UTC().Format(time.RFC3339)}).OK(t, &out)
	return out
}

// CACertificates lists the certificate versions of a CA.
func (s *Server) CACertificates(t testing.TB, token, caID string) []CACert {
	t.Helper()
	var out []CACert
	s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+caID+"/ca-certificates", token, nil).OK(t, &out)
	return out
}
