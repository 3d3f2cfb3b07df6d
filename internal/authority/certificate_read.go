package authority

import (
	"context"
	"errors"
	"fmt"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// CertificateKey names a certificate by id or, on the legacy routes, by
// serial number in hex.
type CertificateKey struct {
	ID     string
	Serial string
}

// loadCertificate returns a certificate that is not deleted, or the
// NotFound error of the API contract.
func loadCertificate(ctx context.Context, q store.CertificateQueries, key CertificateKey) (store.Certificate, error) {
	var c store.Certificate
	var err error
	if key.Serial != "" {
		c, err = q.GetCertificateBySerial(ctx, key.Serial)
	} else {
		c, err = q.GetCertificate(ctx, key.ID)
	}
	if errors.Is(err, store.ErrNotFound) {
		if key.Serial != "" {
			return c, errs.New(errs.NotFound, "Certificate with serial number '%s' not found", key.Serial)
		}
		return c, errs.New(errs.NotFound, "Certificate with ID '%s' not found", key.ID)
	}
	return c, err
}

// certificateFor loads a certificate and its CA through q and checks
// that p may do action on certificates in the CA's project.
func certificateFor(ctx context.Context, q store.Queries, p auth.Principal, key CertificateKey, action string, lockCA bool) (store.Certificate, store.CA, error) {
	c, err := loadCertificate(ctx, q, key)
	if err != nil {
		return c, store.CA{}, err
	}
	ca, err := loadCA(ctx, q, c.CAID, lockCA)
	if err != nil {
		return c, ca, fmt.Errorf("loading CA of certificate %s: %w", c.ID, err)
	}
	return c, ca, requireCertificates(ctx, q, p, ca.ProjectID, action)
}

// GetCertificate returns a certificate the caller may read.
func (s *Service) GetCertificate(ctx context.Context, p auth.Principal, key CertificateKey) (store.Certificate, error) {
	c, _, err := certificateFor(ctx, s.store, p, key, auth.ActionRead, false)
	return c, err
}

// CertificateBundle returns a certificate with its private key in PEM.
// It needs the read-private-key permission, and fails for a certificate
// signed from a CSR, whose key pkid never held.
func (s *Service) CertificateBundle(ctx context.Context, p auth.Principal, key CertificateKey) (store.Certificate, string, error) {
	c, ca, err := certificateFor(ctx, s.store, p, key, auth.ActionRead, false)
	if err != nil {
		return c, "", err
	}
	if err := requireCertificates(ctx, s.store, p, ca.ProjectID, auth.ActionReadPrivateKey); err != nil {
		return c, "", err
	}
	if c.SealedKey == "" {
		return c, "", errs.New(errs.BadRequest, "Certificate was signed from a CSR, so pkid does not hold its private key")
	}
	der, err := s.sealer.Open(c.SealedKey, certificateKeyAAD(c.ID))
	if err != nil {
		return c, "", fmt.Errorf("opening key of certificate %s: %w", c.ID, err)
	}
	s.log.Info("read certificate private key", "certificate_id", c.ID, "identity_id", p.IdentityID)
	return c, pki.PrivateKeyPEM(der), nil
}

// DeleteCertificate deletes a certificate record and its private key.
// Deleting does not revoke: the certificate stays valid until it expires,
// and a revoked one stays on the CRL.
func (s *Service) DeleteCertificate(ctx context.Context, p auth.Principal, key CertificateKey) (store.Certificate, error) {
	var out store.Certificate
	err := s.store.InTx(ctx, func(q store.Queries) error {
		c, ca, err := certificateFor(ctx, q, p, key, auth.ActionDelete, false)
		if err != nil {
			return err
		}
		out = c
		if err := q.DeleteCertificate(ctx, c.ID, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, q, p, AuditDeleteCert, ca, "certificate/"+c.ID, map[string]any{
			"caId": ca.ID, "certificateId": c.ID, "serialNumber": c.SerialNumber,
		})
	})
	if err != nil {
		return store.Certificate{}, err
	}
	s.log.Info("deleted certificate", "certificate_id", out.ID, "ca_id", out.CAID,
		"identity_id", p.IdentityID, "serial", out.SerialNumber)
	return out, nil
}
