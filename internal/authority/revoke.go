package authority

import (
	"context"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

// RevokeCertificate revokes a certificate and signs its CA's CRL again in
// the same transaction, so the revocation is published when the call
// returns. reason is an API reason name such as KEY_COMPROMISE, already
// checked by the caller. Revoking needs the delete permission on
// certificates, as in the reference API.
func (s *Service) RevokeCertificate(ctx context.Context, p auth.Principal, key CertificateKey, reason string) (store.Certificate, error) {
	var out store.Certificate
	err := s.store.InTx(ctx, func(q store.Queries) error {
		// Lock the CA first: it serializes every CRL update of the CA, so
		// CRL numbers grow in commit order.
		c, ca, err := certificateFor(ctx, q, p, key, auth.ActionDelete, true)
		if err != nil {
			return err
		}
		// Read the certificate again now that the CA is locked: a
		// concurrent revocation may have committed after the first read,
		// and its reason and date must not be overwritten.
		if c, err = q.GetCertificate(ctx, c.ID); err != nil {
			return err
		}
		if c.Status == CertStatusRevoked {
			return errs.New(errs.BadRequest, "The certificate is already revoked")
		}
		now := s.clock.Now()
		if err := q.RevokeCertificate(ctx, c.ID, now, reason); err != nil {
			return err
		}
		if _, err := s.resignCRL(ctx, q, ca); err != nil {
			return err
		}
		if out, err = q.GetCertificate(ctx, c.ID); err != nil {
			return err
		}
		return s.audit(ctx, q, p, AuditRevokeCert, ca, "certificate/"+c.ID, map[string]any{
			"caId": ca.ID, "certificateId": c.ID, "serialNumber": c.SerialNumber, "reason": reason,
		})
	})
	if err != nil {
		return store.Certificate{}, err
	}
	s.opts.Observer.CertificateRevoked()
	s.log.Info("revoked certificate", "certificate_id", out.ID, "ca_id", out.CAID,
		"identity_id", p.IdentityID, "serial", out.SerialNumber, "reason", reason)
	return out, nil
}
