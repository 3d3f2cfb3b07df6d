package authority

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// Import messages of the API contract.
const (
	msgImportKeyMismatch = "CA and certificate public key do not match"
	msgImportMismatch    = "Imported certificate does not match CA configuration: "
	msgInvalidChain      = "Invalid certificate chain"
	msgRootImport        = "Root CA cannot import a certificate: a root gets its self-signed certificate at creation"
)

// ImportCertificate installs a certificate for an intermediate CA's key,
// signed inside or outside pkid, as the CA's next version and makes the
// CA active. The certificate must match the CA's key, subject and path
// length, and chain must verify from it up to a self-signed root, issuer
// first and root last. parentCaId is set to the pkid CA of the same
// project whose certificate has the issuer's subject and key, or cleared
// when the issuer is outside pkid.
func (s *Service) ImportCertificate(ctx context.Context, p auth.Principal, caID, certPEM, chainPEM string) error {
	cert, err := parseImportedCert(certPEM)
	if err != nil {
		return err
	}
	var row store.CACert
	err = s.store.InTx(ctx, func(q store.Queries) error {
		ca, err := loadCA(ctx, q, caID, true)
		if err != nil {
			return err
		}
		if err := require(ctx, q, p, ca.ProjectID, auth.ActionEdit); err != nil {
			return err
		}
		if ca.Type == TypeRoot {
			return errs.New(errs.BadRequest, msgRootImport)
		}
		if err := s.checkImportedCert(ca, cert); err != nil {
			return err
		}
		chain, err := pki.ParseCertificatesPEM(chainPEM)
		if err == nil {
			err = verifyImportedChain(cert, chain, s.clock.Now())
		}
		if err != nil {
			s.log.Info("rejected imported certificate chain", "ca_id", ca.ID, "reason", err.Error())
			return errs.New(errs.BadRequest, msgInvalidChain)
		}
		parentID, err := findIssuerCA(ctx, q, ca, chain[0])
		if err != nil {
			return err
		}
		if row, err = s.installImported(ctx, q, ca, cert, chain, parentID); err != nil {
			return err
		}
		return s.audit(ctx, q, p, AuditImportCACert, ca, "ca-certificate/"+row.ID, map[string]any{
			"caId": ca.ID, "version": row.Version, "serialNumber": row.SerialNumber,
			"issuer": cert.Issuer.String(), "parentCaId": parentID,
		})
	})
	if err != nil {
		return err
	}
	s.forgetCA(caID)
	s.log.Info("imported CA certificate", "ca_id", caID, "identity_id", p.IdentityID,
		"version", row.Version, "serial", row.SerialNumber)
	return nil
}

func parseImportedCert(certPEM string) (*x509.Certificate, error) {
	certs, err := pki.ParseCertificatesPEM(certPEM)
	if err != nil || len(certs) != 1 {
		return nil, errs.Invalid("certificate", "invalid_string",
			"certificate must be exactly one PEM certificate (BEGIN CERTIFICATE)")
	}
	return certs[0], nil
}

// checkImportedCert compares the certificate with the CA: the same key,
// the CA's subject (string types may differ), a CA certificate, and the
// configured path length.
func (s *Service) checkImportedCert(ca store.CA, cert *x509.Certificate) error {
	key, err := s.signer(ca)
	if err != nil {
		return err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return errs.New(errs.BadRequest, msgImportKeyMismatch)
	}
	want, err := pki.EncodeName(subjectOf(ca).Name())
	if err != nil {
		return err
	}
	if !pki.SameName(cert.RawSubject, want) {
		return errs.New(errs.BadRequest, "%ssubject %q differs from the CA's %q",
			msgImportMismatch, pki.NameString(cert.RawSubject), pki.NameString(want))
	}
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return errs.New(errs.BadRequest, "%sthe certificate is not a CA certificate (basicConstraints cA is not set)", msgImportMismatch)
	}
	got, configured := pathLenText(pki.PathLen(cert)), pathLenText(ca.MaxPathLength)
	if got != configured {
		return errs.New(errs.BadRequest, "%spath length constraint is %s, the CA's maxPathLength is %s",
			msgImportMismatch, got, configured)
	}
	return nil
}

// pathLenText renders a path length limit, nil or negative meaning none.
func pathLenText(n *int) string {
	if n == nil || *n < 0 {
		return "unlimited"
	}
	return fmt.Sprint(*n)
}

// verifyImportedChain checks that chain lists the issuers of cert in
// order, issuer first, with at most maxChainDepth certificates: each
// certificate is signed by the next, only the last is self-signed, and
// Go's path validation accepts the whole path at now (validity, CA flags,
// key usage and path length limits).
func verifyImportedChain(cert *x509.Certificate, chain []*x509.Certificate, now time.Time) error {
	if len(chain) == 0 {
		return errors.New("the chain is empty")
	}
	if len(chain) > maxChainDepth {
		return fmt.Errorf("the chain has %d certificates; at most %d are allowed", len(chain), maxChainDepth)
	}
	child := cert
	for i, issuer := range chain {
		// A self-signed certificate ends a path, so one before the last
		// means the chain repeats the root or holds extra certificates.
		if i < len(chain)-1 && bytes.Equal(issuer.RawIssuer, issuer.RawSubject) {
			return fmt.Errorf("chain certificate %d is self-signed but is not the last", i+1)
		}
		if !bytes.Equal(child.RawIssuer, issuer.RawSubject) {
			return fmt.Errorf("chain certificate %d is not the issuer of the certificate before it", i+1)
		}
		if err := child.CheckSignatureFrom(issuer); err != nil {
			return fmt.Errorf("chain certificate %d did not sign the certificate before it: %w", i+1, err)
		}
		child = issuer
	}
	root := chain[len(chain)-1]
	if !bytes.Equal(root.RawIssuer, root.RawSubject) || root.CheckSignatureFrom(root) != nil {
		return errors.New("the last chain certificate is not a self-signed root")
	}
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root)
	for _, c := range chain[:len(chain)-1] {
		intermediates.AddCert(c)
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: intermediates, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err
}

// findIssuerCA returns the id of the pkid CA in ca's project whose active
// certificate has the subject and key of issuer, or nil when there is
// none. Matching on subject and key rather than on a serial still finds
// the parent after it was renewed.
// NOTE: a parent in another project is not matched, so its child renews
// as one with an external parent.
func findIssuerCA(ctx context.Context, q store.Queries, ca store.CA, issuer *x509.Certificate) (*string, error) {
	cas, err := q.ListCAs(ctx, ca.ProjectID)
	if err != nil {
		return nil, err
	}
	for _, candidate := range cas {
		if candidate.ID == ca.ID || candidate.ActiveCACertID == nil {
			continue
		}
		_, c, err := activeCert(ctx, q, candidate)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(c.RawSubject, issuer.RawSubject) &&
			bytes.Equal(c.RawSubjectPublicKeyInfo, issuer.RawSubjectPublicKeyInfo) {
			id := candidate.ID
			return &id, nil
		}
	}
	return nil, nil
}

// installImported stores the certificate as the CA's next version and
// points the CA at it.
func (s *Service) installImported(ctx context.Context, q store.Queries, ca store.CA, cert *x509.Certificate, chain []*x509.Certificate, parentID *string) (store.CACert, error) {
	if err := checkNotRollback(ctx, q, ca, cert); err != nil {
		return store.CACert{}, err
	}
	version, err := q.MaxCACertVersion(ctx, ca.ID)
	if err != nil {
		return store.CACert{}, err
	}
	blocks := make([]string, len(chain))
	for i, c := range chain {
		blocks[i] = pki.CertificatePEM(c.Raw)
	}
	now := s.clock.Now()
	row := newCACertRow(ca.ID, version+1, cert.Raw, strings.Join(blocks, "\n"),
		cert.SerialNumber, cert.NotBefore, cert.NotAfter, now)
	if err := q.InsertCACert(ctx, row); err != nil {
		return row, err
	}
	setActive(&ca, row)
	ca.ParentCAID = parentID
	// A disabled CA stays disabled; only a CA waiting for its first
	// certificate becomes active.
	if ca.Status == StatusPendingCertificate {
		ca.Status = StatusActive
	}
	ca.UpdatedAt = now
	return row, q.UpdateCA(ctx, ca)
}

// checkNotRollback rejects an import that would put back a certificate
// the CA already has, or one that expires before the active one: either
// would undo a renewal without anyone asking for it.
func checkNotRollback(ctx context.Context, q store.CAQueries, ca store.CA, cert *x509.Certificate) error {
	if ca.ActiveCACertID == nil {
		return nil
	}
	versions, err := q.ListCACerts(ctx, ca.ID)
	if err != nil {
		return err
	}
	serial := pki.FormatSerial(cert.SerialNumber)
	for _, v := range versions {
		if v.SerialNumber == serial {
			return errs.New(errs.BadRequest, "This certificate is already installed on the CA as version %d", v.Version)
		}
		if v.ID == *ca.ActiveCACertID && cert.NotAfter.Before(v.NotAfter) {
			return errs.New(errs.BadRequest,
				"Imported certificate expires at %s, before the CA's current certificate (%s); import a newer certificate",
				cert.NotAfter.UTC().Format(time.RFC3339), v.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	return nil
}
