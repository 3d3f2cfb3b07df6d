// Package authority holds the CA use-cases: create, read, renew. It owns
// transactions and the clock, checks permissions, and returns errs errors;
// it does not depend on HTTP.
package authority

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/keystore"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// CA statuses and types as they appear on the wire.
const (
	StatusActive             = "active"
	StatusDisabled           = "disabled"
	StatusPendingCertificate = "pending-certificate"

	TypeRoot         = "root"
	TypeIntermediate = "intermediate"
)

// Client-facing messages shared by several operations.
const (
	msgNoCertificate = "CA does not have a certificate installed"
	msgDisabled      = "CA is disabled"
)

// Options are the settings of a Service that have defaults.
type Options struct {
	// PublicURL is the base URL clients reach this server at, such as
	// http://127.0.0.1:8080. Issued certificates point their CRL
	// distribution point and AIA caIssuers URL below it.
	PublicURL string
	// Observer receives completed operations. A nil Observer discards them.
	Observer Observer
	// CRLValidity is the time from a CRL's thisUpdate to its nextUpdate;
	// zero means DefaultCRLValidity.
	CRLValidity time.Duration
}

// DefaultCRLValidity is the nextUpdate distance of a CRL when Options
// sets none.
const DefaultCRLValidity = 7 * 24 * time.Hour

// Service runs CA operations.
type Service struct {
	store  store.Store
	sealer *keystore.Sealer
	clock  clock.Clock
	log    *slog.Logger
	opts   Options

	// warned records the UTC day WarnExpiring last warned about each CA.
	warnMu sync.Mutex
	warned map[string]string

	cache *caCaches
}

// New returns a Service. Every dependency is required.
func New(st store.Store, sealer *keystore.Sealer, clk clock.Clock, log *slog.Logger, opts Options) (*Service, error) {
	if st == nil || sealer == nil || clk == nil || log == nil {
		return nil, errors.New("authority: store, sealer, clock and logger are required")
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	if opts.CRLValidity <= 0 {
		opts.CRLValidity = DefaultCRLValidity
	}
	return &Service{store: st, sealer: sealer, clock: clk, log: log, opts: opts, warned: map[string]string{},
		cache: newCACaches()}, nil
}

// keyAAD binds a sealed CA key to its CA, so a key copied onto another CA
// row does not decrypt.
func keyAAD(caID string) []byte { return []byte("pkid:ca-key:" + caID) }

// signer decrypts the private key of a CA.
func (s *Service) signer(ca store.CA) (crypto.Signer, error) {
	der, err := s.sealer.Open(ca.SealedKey, keyAAD(ca.ID))
	if err != nil {
		return nil, fmt.Errorf("opening key of CA %s: %w", ca.ID, err)
	}
	return pki.ParsePrivateKey(der)
}

// loadCA returns a CA by id, or the NotFound error of the API contract.
func loadCA(ctx context.Context, q store.CAQueries, id string, lock bool) (store.CA, error) {
	var ca store.CA
	var err error
	if lock {
		ca, err = q.LockCA(ctx, id)
	} else {
		ca, err = q.GetCA(ctx, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return ca, errs.New(errs.NotFound, "CA with ID '%s' not found", id)
	}
	return ca, err
}

// activeCert returns the active certificate version of a CA, parsed.
func activeCert(ctx context.Context, q store.CAQueries, ca store.CA) (store.CACert, *x509.Certificate, error) {
	if ca.ActiveCACertID == nil {
		return store.CACert{}, nil, errs.New(errs.BadRequest, msgNoCertificate)
	}
	row, err := q.GetCACert(ctx, *ca.ActiveCACertID)
	if err != nil {
		return row, nil, fmt.Errorf("loading active certificate of CA %s: %w", ca.ID, err)
	}
	cert, err := pki.ParseCertificatePEM(row.Certificate)
	if err != nil {
		return row, nil, fmt.Errorf("parsing active certificate of CA %s: %w", ca.ID, err)
	}
	return row, cert, nil
}

// require checks a permission through q.
func require(ctx context.Context, q store.ProjectQueries, p auth.Principal, projectID, action string) error {
	return auth.Require(ctx, q, p, projectID, auth.SubjectCAs, action)
}
