package store

import (
	"context"
	"time"
)

// Queries is every statement pkid runs. One implementation serves both
// SQLite and PostgreSQL; it runs either on the pool or inside InTx.
type Queries interface {
	IdentityQueries
	ProjectQueries
	CAQueries
	CertificateQueries
	CRLQueries
	ServerKeyQueries
	AutoRenewalQueries
	AuditQueries
}

// Store is a database: Queries outside any transaction, and InTx for work
// that must commit as a whole.
type Store interface {
	Queries
	// InTx runs fn in one transaction, committing when fn returns nil.
	InTx(ctx context.Context, fn func(Queries) error) error
	// InGroupTx runs fn in a transaction it may share with concurrent
	// callers, each fn in its own savepoint, and returns once that
	// transaction has committed. fn must use the context it is passed.
	InGroupTx(ctx context.Context, fn func(context.Context, Queries) error) error
}

// IdentityQueries stores machine identities and their credentials.
type IdentityQueries interface {
	CountIdentities(ctx context.Context) (int, error)
	InsertIdentity(ctx context.Context, i Identity) error
	GetIdentity(ctx context.Context, id string) (Identity, error)
	InsertUniversalAuth(ctx context.Context, u UniversalAuth) error
	GetUniversalAuth(ctx context.Context, identityID string) (UniversalAuth, error)
	GetUniversalAuthByClientID(ctx context.Context, clientID string) (UniversalAuth, error)
	InsertClientSecret(ctx context.Context, s ClientSecret) error
	GetClientSecret(ctx context.Context, id string) (ClientSecret, error)
	ListClientSecrets(ctx context.Context, identityID string) ([]ClientSecret, error)
	IncrementClientSecretUses(ctx context.Context, id string) error
	RevokeClientSecret(ctx context.Context, id string) error
}

// ProjectQueries stores projects and who may act in them.
type ProjectQueries interface {
	InsertProject(ctx context.Context, p Project) error
	GetProject(ctx context.Context, id string) (Project, error)
	UpsertMembership(ctx context.Context, m Membership) error
	GetMembership(ctx context.Context, projectID, identityID string) (Membership, error)
}

// CAQueries stores CAs and their certificate versions.
type CAQueries interface {
	InsertCA(ctx context.Context, c CA) error
	GetCA(ctx context.Context, id string) (CA, error)
	LockCA(ctx context.Context, id string) (CA, error)
	ListCAs(ctx context.Context, projectID string) ([]CA, error)
	UpdateCA(ctx context.Context, c CA) error
	InsertCACert(ctx context.Context, c CACert) error
	GetCACert(ctx context.Context, id string) (CACert, error)
	ListCACerts(ctx context.Context, caID string) ([]CACert, error)
	MaxCACertVersion(ctx context.Context, caID string) (int, error)
	// CountChildCAs returns how many CAs name parentID as their parent.
	CountChildCAs(ctx context.Context, parentID string) (int, error)
	// CountUnexpiredCertificates returns how many certificates a CA
	// issued that are still within their validity at now, revoked and
	// deleted records included.
	CountUnexpiredCertificates(ctx context.Context, caID string, now time.Time) (int, error)
	// DeleteCA removes a CA and its certificate versions.
	DeleteCA(ctx context.Context, id string) error
}

// CertificateQueries stores end-entity certificates. Lookups by id or
// serial skip deleted rows; ListRevokedCertificates includes them.
type CertificateQueries interface {
	InsertCertificate(ctx context.Context, c Certificate) error
	GetCertificate(ctx context.Context, id string) (Certificate, error)
	GetCertificateBySerial(ctx context.Context, serial string) (Certificate, error)
	RevokeCertificate(ctx context.Context, id string, revokedAt time.Time, reason string) error
	DeleteCertificate(ctx context.Context, id string, deletedAt time.Time) error
	ListRevokedCertificates(ctx context.Context, caID string) ([]Certificate, error)
}

// CRLQueries stores the CRL of each CA.
type CRLQueries interface {
	InsertCRL(ctx context.Context, c CRL) error
	GetCRL(ctx context.Context, id string) (CRL, error)
	GetCRLByCA(ctx context.Context, caID string) (CRL, error)
	UpdateCRL(ctx context.Context, c CRL) error
	// ListCRLsDue returns the CRLs whose nextUpdate is at or before t.
	ListCRLsDue(ctx context.Context, t time.Time) ([]CRL, error)
}

// ServerKeyQueries stores sealed server-wide keys, such as the token
// signing key.
type ServerKeyQueries interface {
	GetServerKey(ctx context.Context, name string) (string, error)
	InsertServerKey(ctx context.Context, name, sealed string, createdAtMillis int64) error
}

// AutoRenewalQueries stores CA auto-renewal settings and outcomes.
type AutoRenewalQueries interface {
	// GetAutoRenewal returns the setting of a CA; ErrNotFound when the CA
	// never had one.
	GetAutoRenewal(ctx context.Context, caID string) (AutoRenewal, error)
	UpsertAutoRenewal(ctx context.Context, a AutoRenewal) error
	ListEnabledAutoRenewals(ctx context.Context) ([]AutoRenewal, error)
	// ListAllCAs returns every CA of every project, for the scheduler and
	// the metrics.
	ListAllCAs(ctx context.Context) ([]CA, error)
}

// AuditQueries stores the audit log.
type AuditQueries interface {
	InsertAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns matching entries, oldest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
