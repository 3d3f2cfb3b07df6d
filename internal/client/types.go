package client

// Field names and shapes follow the pkid API, which keeps the wire format
// of Infisical's certificate-manager API.

// LoginResult is the response of a universal-auth login.
type LoginResult struct {
	AccessToken string `json:"accessToken"`
	// ExpiresIn is the token's lifetime in seconds.
	ExpiresIn         int64  `json:"expiresIn"`
	AccessTokenMaxTTL int64  `json:"accessTokenMaxTTL"`
	TokenType         string `json:"tokenType"`
}

// Project is a project as the projects routes return it.
type Project struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
	Type        string `json:"type"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

// NewProject is the body of POST /api/v1/projects.
type NewProject struct {
	ProjectName        string `json:"projectName"`
	ProjectDescription string `json:"projectDescription,omitempty"`
	Slug               string `json:"slug,omitempty"`
	Type               string `json:"type,omitempty"`
}

// CA is the CA object of the internal CA routes.
type CA struct {
	ID                   string   `json:"id"`
	Name                 string   `json:"name"`
	ProjectID            string   `json:"projectId"`
	Status               string   `json:"status"`
	Type                 string   `json:"type"`
	EnableDirectIssuance bool     `json:"enableDirectIssuance"`
	Configuration        CAConfig `json:"configuration"`
}

// CAConfig is the configuration object of a CA. Pointers are fields the
// server sends as null until the CA has a certificate.
type CAConfig struct {
	Type           string  `json:"type"`
	FriendlyName   string  `json:"friendlyName"`
	CommonName     string  `json:"commonName"`
	Organization   string  `json:"organization"`
	OU             string  `json:"ou"`
	Country        string  `json:"country"`
	Province       string  `json:"province"`
	Locality       string  `json:"locality"`
	NotBefore      *string `json:"notBefore"`
	NotAfter       *string `json:"notAfter"`
	MaxPathLength  *int    `json:"maxPathLength"`
	KeyAlgorithm   string  `json:"keyAlgorithm"`
	DN             string  `json:"dn"`
	ParentCAID     *string `json:"parentCaId"`
	SerialNumber   *string `json:"serialNumber"`
	ActiveCACertID *string `json:"activeCaCertId"`
}

// NewCA is the body of POST /api/v1/cert-manager/ca/internal.
type NewCA struct {
	Name          string      `json:"name"`
	ProjectID     string      `json:"projectId"`
	Status        string      `json:"status,omitempty"`
	Configuration NewCAConfig `json:"configuration"`
}

// NewCAConfig is the configuration of a CA to create. Empty strings are
// left out of the request.
type NewCAConfig struct {
	Type          string `json:"type"`
	KeyAlgorithm  string `json:"keyAlgorithm,omitempty"`
	FriendlyName  string `json:"friendlyName,omitempty"`
	CommonName    string `json:"commonName,omitempty"`
	Organization  string `json:"organization,omitempty"`
	OU            string `json:"ou,omitempty"`
	Country       string `json:"country,omitempty"`
	Province      string `json:"province,omitempty"`
	Locality      string `json:"locality,omitempty"`
	NotBefore     string `json:"notBefore,omitempty"`
	NotAfter      string `json:"notAfter,omitempty"`
	MaxPathLength *int   `json:"maxPathLength,omitempty"`
	ParentCAID    string `json:"parentCaId,omitempty"`
}

// CAUpdate is the body of PATCH /ca/internal/{caId}; nil fields stay
// unchanged.
type CAUpdate struct {
	Status *string `json:"status,omitempty"`
	Name   *string `json:"name,omitempty"`
}

// CACert is one certificate version of a CA, as renew, certificate and
// ca-certificates return it. Version is set only by ca-certificates.
type CACert struct {
	Certificate      string `json:"certificate"`
	CertificateChain string `json:"certificateChain"`
	SerialNumber     string `json:"serialNumber"`
	CertID           string `json:"certId"`
	Version          int    `json:"version,omitempty"`
}

// SignIntermediate is the body of POST /ca/internal/{caId}/sign-intermediate.
type SignIntermediate struct {
	CSR           string `json:"csr"`
	NotAfter      string `json:"notAfter"`
	NotBefore     string `json:"notBefore,omitempty"`
	MaxPathLength *int   `json:"maxPathLength,omitempty"`
}

// SignedIntermediate is the response of sign-intermediate.
type SignedIntermediate struct {
	Certificate          string `json:"certificate"`
	CertificateChain     string `json:"certificateChain"`
	IssuingCACertificate string `json:"issuingCaCertificate"`
	SerialNumber         string `json:"serialNumber"`
}

// ImportResult is the response of import-certificate.
type ImportResult struct {
	Message string `json:"message"`
	CAID    string `json:"caId"`
}

// CertificateRequest is the body of issue-certificate and
// sign-certificate. TTL and NotAfter are exclusive; CSR is set only for
// sign-certificate.
type CertificateRequest struct {
	CAID              string   `json:"caId"`
	CSR               string   `json:"csr,omitempty"`
	FriendlyName      string   `json:"friendlyName,omitempty"`
	CommonName        string   `json:"commonName,omitempty"`
	AltNames          string   `json:"altNames,omitempty"`
	TTL               string   `json:"ttl,omitempty"`
	NotBefore         string   `json:"notBefore,omitempty"`
	NotAfter          string   `json:"notAfter,omitempty"`
	KeyUsages         []string `json:"keyUsages,omitempty"`
	ExtendedKeyUsages []string `json:"extendedKeyUsages,omitempty"`
}

// IssuedCertificate is the response of issue-certificate and
// sign-certificate. PrivateKey is empty for sign-certificate.
type IssuedCertificate struct {
	Certificate          string `json:"certificate"`
	IssuingCACertificate string `json:"issuingCaCertificate"`
	CertificateChain     string `json:"certificateChain"`
	PrivateKey           string `json:"privateKey"`
	SerialNumber         string `json:"serialNumber"`
	CertificateID        string `json:"certificateId"`
}

// Certificate is the record of an issued end-entity certificate.
type Certificate struct {
	ID                string           `json:"id"`
	CAID              string           `json:"caId"`
	CACertID          string           `json:"caCertId"`
	Status            string           `json:"status"`
	SerialNumber      string           `json:"serialNumber"`
	FriendlyName      string           `json:"friendlyName"`
	CommonName        string           `json:"commonName"`
	AltNames          string           `json:"altNames"`
	NotBefore         string           `json:"notBefore"`
	NotAfter          string           `json:"notAfter"`
	RevokedAt         *string          `json:"revokedAt"`
	RevocationReason  RevocationReason `json:"revocationReason"`
	KeyUsages         []string         `json:"keyUsages"`
	ExtendedKeyUsages []string         `json:"extendedKeyUsages"`
}

// CertificateBundle is the PEM of an issued certificate; PrivateKey is
// set only by the bundle route.
type CertificateBundle struct {
	Certificate      string `json:"certificate"`
	CertificateChain string `json:"certificateChain"`
	SerialNumber     string `json:"serialNumber"`
	PrivateKey       string `json:"privateKey,omitempty"`
}

// RevokeResult is the response of the revoke route.
type RevokeResult struct {
	Message      string `json:"message"`
	SerialNumber string `json:"serialNumber"`
	RevokedAt    string `json:"revokedAt"`
}

// CRL is one certificate revocation list of a CA, PEM encoded.
type CRL struct {
	ID  string `json:"id"`
	CRL string `json:"crl"`
}

// RevocationReasons lists the values the revoke route accepts.
var RevocationReasons = []string{
	"UNSPECIFIED", "KEY_COMPROMISE", "CA_COMPROMISE", "AFFILIATION_CHANGED",
	"SUPERSEDED", "CESSATION_OF_OPERATION", "CERTIFICATE_HOLD",
	"PRIVILEGE_WITHDRAWN", "A_A_COMPROMISE",
}

// KeyAlgorithms lists the CA key algorithms the server accepts.
var KeyAlgorithms = []string{
	"RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1",
}
