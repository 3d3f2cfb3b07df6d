// Package store defines pkid's persistent records and the errors storage
// returns. The SQL implementation lives in store/sqlstore.
package store

import (
	"errors"
	"github.com/google/uuid"
	"time"
)

// ErrNotFound is returned when a lookup matches no row.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write would break a uniqueness rule.
var ErrConflict = errors.New("store: unique constraint violated")

// Project groups CAs and the identities allowed to use them.
type Project struct {
	ID          string
	Name        string
	Slug        string
	Description string
	Type        string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Identity is a machine identity. OrgRole "admin" grants every permission
// in every project; other identities act through project memberships.
type Identity struct {
	ID        string
	Name      string
	OrgRole   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UniversalAuth is the client-id/secret login method of an identity.
type UniversalAuth struct {
	IdentityID        string
	ClientID          string
	AccessTokenTTL    int64 // seconds
	AccessTokenMaxTTL int64 // seconds
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// ClientSecret is one secret of a universal auth. Only a hash of the
// secret is stored; Prefix keeps its first characters for display.
type ClientSecret struct {
	ID           string
	IdentityID   string
	Hash         string
	Prefix       string
	Description  string
	TTL          int64 // seconds; 0 means it does not expire
	NumUsesLimit int64 // 0 means unlimited
	NumUses      int64
	Revoked      bool
	CreatedAt    time.Time
}

// Membership gives an identity a role in a project.
type Membership struct {
	ID         string
	ProjectID  string
	IdentityID string
	Role       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CA is an internal certificate authority. SealedKey is its private key
// sealed by the keystore; the plaintext key is never stored.
type CA struct {
	ID                   string
	ProjectID            string
	Name                 string
	Status               string
	Type                 string // "root" or "intermediate"
	FriendlyName         string
	CommonName           string
	Organization         string
	OU                   string
	Country              string
	Province             string
	Locality             string
	DN                   string
	KeyAlgorithm         string
	MaxPathLength        *int
	ParentCAID           *string
	NotBefore            *time.Time
	NotAfter             *time.Time
	SerialNumber         *string
	ActiveCACertID       *string
	SealedKey            string
	EnableDirectIssuance bool
	CRLURLs              []string
	DisableManagedCRL    bool
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// CACert is one version of a CA's certificate. Versions count up from 1
// and are never deleted while the CA exists.
type CACert struct {
	ID           string
	CAID         string
	Version      int
	Certificate  string // PEM
	Chain        string // PEM blocks, issuer first, root last
	SerialNumber string
	NotBefore    time.Time
	NotAfter     time.Time
	CreatedAt    time.Time
}

// AutoRenewal is the auto-renewal setting of a CA and the outcome of its
// last automatic renewal.
type AutoRenewal struct {
	CAID             string
	Enabled          bool
	DaysBeforeExpiry int
	LastStatus       *string // "success" or "failed"; nil before the first attempt
	LastMessage      *string
	LastAt           *time.Time
	UpdatedAt        time.Time
}

// AuditEntry records one change to a CA or certificate: who, what, where.
type AuditEntry struct {
	ID         string
	CreatedAt  time.Time
	ActorType  string // "identity" or "system"
	IdentityID string
	ActorName  string
	Action     string
	ProjectID  string
	CAID       *string
	Resource   string
	Metadata   map[string]any
	ReqID      string
}

// AuditFilter selects audit entries of one project; zero fields match all.
type AuditFilter struct {
	ProjectID string
	Action    string
	CAID      string
	Start     *time.Time
	End       *time.Time
	Offset    int
	Limit     int
}

// NewAuditID returns a UUIDv7 (RFC 9562) for an audit entry: its
// time-ordered bits make "ORDER BY created_at, id" list the entries of
// one process in the order they were written, also within a millisecond.
func NewAuditID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
