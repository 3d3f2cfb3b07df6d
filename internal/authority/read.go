package authority

import (
	"context"
	"errors"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// GetCA returns a CA the caller may read.
func (s *Service) GetCA(ctx context.Context, p auth.Principal, id string) (store.CA, error) {
	ca, err := loadCA(ctx, s.store, id, false)
	if err != nil {
		return ca, err
	}
	if err := require(ctx, s.store, p, ca.ProjectID, auth.ActionRead); err != nil {
		return store.CA{}, err
	}
	return ca, nil
}

// ListCAs returns the CAs of a project the caller may read.
func (s *Service) ListCAs(ctx context.Context, p auth.Principal, projectID string) ([]store.CA, error) {
	if _, err := s.store.GetProject(ctx, projectID); err != nil {
		return nil, projectNotFound(err, projectID)
	}
	if err := require(ctx, s.store, p, projectID, auth.ActionRead); err != nil {
		return nil, err
	}
	return s.store.ListCAs(ctx, projectID)
}

// ListCACerts returns every certificate version of a CA, version
// ascending, each with the chain it was issued with.
func (s *Service) ListCACerts(ctx context.Context, p auth.Principal, id string) ([]store.CACert, error) {
	ca, err := s.GetCA(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.store.ListCACerts(ctx, ca.ID)
}

// ActiveCertificate returns the active certificate of a CA with its
// current chain.
func (s *Service) ActiveCertificate(ctx context.Context, p auth.Principal, id string) (store.CACert, error) {
	ca, err := s.GetCA(ctx, p, id)
	if err != nil {
		return store.CACert{}, err
	}
	row, _, err := activeCert(ctx, s.store, ca)
	if err != nil {
		return row, err
	}
	// The chain is rebuilt from the ancestors' active certificates rather
	// than read from the version, so it shows a renewed parent.
	row.Chain, err = currentChain(ctx, s.store, ca)
	return row, err
}

// CertificateDER returns one certificate version of a CA as DER. It needs
// no caller: CA certificates are public, and clients fetch them from the
// AIA URL of issued certificates.
func (s *Service) CertificateDER(ctx context.Context, caID, certID string) ([]byte, error) {
	row, err := s.store.GetCACert(ctx, certID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.CAID != caID) {
		return nil, errs.New(errs.NotFound, "CA certificate with ID '%s' not found", certID)
	}
	if err != nil {
		return nil, err
	}
	cert, err := pki.ParseCertificatePEM(row.Certificate)
	if err != nil {
		return nil, err
	}
	return cert.Raw, nil
}

// projectNotFound turns store.ErrNotFound from a project lookup into the
// client's NotFound error and passes other errors through.
func projectNotFound(err error, projectID string) error {
	if errors.Is(err, store.ErrNotFound) {
		return errs.New(errs.NotFound, "Project with ID '%s' not found", projectID)
	}
	return err
}
