package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

const (
	caPath   = "/api/v1/cert-manager/ca/internal"
	certPath = "/api/v1/cert-manager/certificates"
)

// caURL returns the path of a CA sub-resource; id is escaped so a
// malformed id reaches the server's validation instead of another route.
func caURL(caID, suffix string) string {
	return caPath + "/" + url.PathEscape(caID) + suffix
}

func certURL(id, suffix string) string {
	return certPath + "/" + url.PathEscape(id) + suffix
}

// Login exchanges a universal-auth client id and secret for a token. It
// needs no token on the client.
func (c *Client) Login(ctx context.Context, clientID, clientSecret string) (LoginResult, json.RawMessage, error) {
	var out LoginResult
	raw, err := c.do(ctx, http.MethodPost, "/api/v1/auth/universal-auth/login",
		map[string]string{"clientId": clientID, "clientSecret": clientSecret}, &out)
	return out, raw, err
}

// CreateProject creates a project.
func (c *Client) CreateProject(ctx context.Context, in NewProject) (Project, json.RawMessage, error) {
	var out struct {
		Project Project `json:"project"`
	}
	raw, err := c.do(ctx, http.MethodPost, "/api/v1/projects", in, &out)
	return out.Project, raw, err
}

// GetProject reads a project.
func (c *Client) GetProject(ctx context.Context, id string) (Project, json.RawMessage, error) {
	var out struct {
		Project Project `json:"project"`
	}
	raw, err := c.do(ctx, http.MethodGet, "/api/v1/projects/"+url.PathEscape(id), nil, &out)
	return out.Project, raw, err
}

// CreateCA creates a root or intermediate CA.
func (c *Client) CreateCA(ctx context.Context, in NewCA) (CA, json.RawMessage, error) {
	var out CA
	raw, err := c.do(ctx, http.MethodPost, caPath, in, &out)
	return out, raw, err
}

// ListCAs lists the CAs of a project that the caller may read.
func (c *Client) ListCAs(ctx context.Context, projectID string) ([]CA, json.RawMessage, error) {
	var out []CA
	raw, err := c.do(ctx, http.MethodGet, caPath+"?projectId="+url.QueryEscape(projectID), nil, &out)
	return out, raw, err
}

// GetCA reads a CA.
func (c *Client) GetCA(ctx context.Context, id string) (CA, json.RawMessage, error) {
	var out CA
	raw, err := c.do(ctx, http.MethodGet, caURL(id, ""), nil, &out)
	return out, raw, err
}

// UpdateCA changes a CA's status or name.
func (c *Client) UpdateCA(ctx context.Context, id string, in CAUpdate) (CA, json.RawMessage, error) {
	var out CA
	raw, err := c.do(ctx, http.MethodPatch, caURL(id, ""), in, &out)
	return out, raw, err
}

// DeleteCA deletes a CA and returns it as it was.
func (c *Client) DeleteCA(ctx context.Context, id string) (CA, json.RawMessage, error) {
	var out CA
	raw, err := c.do(ctx, http.MethodDelete, caURL(id, ""), nil, &out)
	return out, raw, err
}

// CACSR returns the PEM certificate signing request of an intermediate CA.
func (c *Client) CACSR(ctx context.Context, id string) (string, json.RawMessage, error) {
	var out struct {
		CSR string `json:"csr"`
	}
	raw, err := c.do(ctx, http.MethodGet, caURL(id, "/csr"), nil, &out)
	return out.CSR, raw, err
}

// RenewCA issues a new certificate for the CA's existing key pair, valid
// until notAfter (an ISO 8601 date).
func (c *Client) RenewCA(ctx context.Context, id, notAfter string) (CACert, json.RawMessage, error) {
	var out CACert
	raw, err := c.do(ctx, http.MethodPost, caURL(id, "/renew"),
		map[string]string{"type": "existing", "notAfter": notAfter}, &out)
	return out, raw, err
}

// CACertificates lists every certificate version of a CA, oldest first.
func (c *Client) CACertificates(ctx context.Context, id string) ([]CACert, json.RawMessage, error) {
	var out []CACert
	raw, err := c.do(ctx, http.MethodGet, caURL(id, "/ca-certificates"), nil, &out)
	return out, raw, err
}

// CACertificate returns the active certificate of a CA and its chain.
func (c *Client) CACertificate(ctx context.Context, id string) (CACert, json.RawMessage, error) {
	var out CACert
	raw, err := c.do(ctx, http.MethodGet, caURL(id, "/certificate"), nil, &out)
	return out, raw, err
}

// SignIntermediate signs an intermediate CA's CSR with the CA id.
func (c *Client) SignIntermediate(ctx context.Context, id string, in SignIntermediate) (SignedIntermediate, json.RawMessage, error) {
	var out SignedIntermediate
	raw, err := c.do(ctx, http.MethodPost, caURL(id, "/sign-intermediate"), in, &out)
	return out, raw, err
}

// ImportCACertificate installs a certificate, signed elsewhere, on a CA
// that is waiting for one.
func (c *Client) ImportCACertificate(ctx context.Context, id, certificate, chain string) (ImportResult, json.RawMessage, error) {
	var out ImportResult
	raw, err := c.do(ctx, http.MethodPost, caURL(id, "/import-certificate"),
		map[string]string{"certificate": certificate, "certificateChain": chain}, &out)
	return out, raw, err
}

// CRLs lists a CA's revocation lists, newest first.
func (c *Client) CRLs(ctx context.Context, caID string) ([]CRL, json.RawMessage, error) {
	var out []CRL
	raw, err := c.do(ctx, http.MethodGet, caURL(caID, "/crls"), nil, &out)
	return out, raw, err
}

// IssueCertificate creates a key pair and a certificate for it.
func (c *Client) IssueCertificate(ctx context.Context, in CertificateRequest) (IssuedCertificate, json.RawMessage, error) {
	var out IssuedCertificate
	raw, err := c.do(ctx, http.MethodPost, certPath+"/issue-certificate", in, &out)
	return out, raw, err
}

// SignCertificate signs a certificate signing request.
func (c *Client) SignCertificate(ctx context.Context, in CertificateRequest) (IssuedCertificate, json.RawMessage, error) {
	var out IssuedCertificate
	raw, err := c.do(ctx, http.MethodPost, certPath+"/sign-certificate", in, &out)
	return out, raw, err
}

// GetCertificate reads the record of an issued certificate.
func (c *Client) GetCertificate(ctx context.Context, id string) (Certificate, json.RawMessage, error) {
	var out struct {
		Certificate Certificate `json:"certificate"`
	}
	raw, err := c.do(ctx, http.MethodGet, certURL(id, ""), nil, &out)
	return out.Certificate, raw, err
}

// CertificatePEM returns an issued certificate and its chain. With
// privateKey it reads the bundle route, which also returns the key and
// needs the read-private-key permission.
func (c *Client) CertificatePEM(ctx context.Context, id string, privateKey bool) (CertificateBundle, json.RawMessage, error) {
	suffix := "/certificate"
	if privateKey {
		suffix = "/bundle"
	}
	var out CertificateBundle
	raw, err := c.do(ctx, http.MethodGet, certURL(id, suffix), nil, &out)
	return out, raw, err
}

// RevokeCertificate revokes an issued certificate with one of
// RevocationReasons.
func (c *Client) RevokeCertificate(ctx context.Context, id, reason string) (RevokeResult, json.RawMessage, error) {
	var out RevokeResult
	raw, err := c.do(ctx, http.MethodPost, certURL(id, "/revoke"),
		map[string]string{"revocationReason": reason}, &out)
	return out, raw, err
}
