package authority

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// Renewal messages of the API contract.
const (
	msgRenewNotFuture     = "notAfter must be in the future"
	msgRenewRootNotLater  = "New Root CA certificate must have notAfter date that is greater than the current certificate notAfter date"
	msgRenewExternal      = "Failed to renew intermediate CA certificate with external parent CA"
	msgParentNoCert       = "Parent CA does not have a certificate installed"
	msgParentDisabled     = "Parent CA is disabled"
	msgRenewIntNotLater   = "New Intermediate CA certificate must have notAfter date that is greater than the current certificate notAfter date"
	msgRenewIntPastParent = "New Intermediate CA certificate must have notAfter date that is equal to or smaller than the notAfter date of the parent CA certificate current certificate notAfter date"
)

// issuer is who signs a renewed certificate: the CA itself for a root,
// the parent's active certificate and key for an intermediate.
type issuer struct {
	cert   *x509.Certificate
	row    store.CACert
	signer crypto.Signer
}

// RenewCA issues a new certificate for the same key pair, subject and
// subject key identifier, so that everything the CA signed before keeps
// verifying. It runs in one transaction that holds the CA's row lock:
// concurrent renewals of one CA are serialized, and each one reads the
// version committed before it.
func (s *Service) RenewCA(ctx context.Context, p auth.Principal, caID string, notAfter time.Time) (store.CACert, error) {
	var out store.CACert
	err := s.store.InTx(ctx, func(q store.Queries) error {
		var err error
		out, err = s.renewInTx(ctx, q, p, caID, notAfter)
		return err
	})
	if err != nil {
		return store.CACert{}, err
	}
	s.forgetCA(caID)
	s.opts.Observer.CARenewed(TriggerManual)
	s.log.Info("renewed CA certificate", "ca_id", caID, "identity_id", p.IdentityID,
		"version", out.Version, "serial", out.SerialNumber, "not_after", out.NotAfter)
	return out, nil
}

// renewInTx checks, signs and persists one renewal inside transaction q.
func (s *Service) renewInTx(ctx context.Context, q store.Queries, p auth.Principal, caID string, notAfter time.Time) (store.CACert, error) {
	notAfter = notAfter.UTC().Truncate(time.Second)
	// 1. Check, in the order of the API contract.
	ca, current, iss, err := s.checkRenewal(ctx, q, p, caID, notAfter)
	if err != nil {
		return store.CACert{}, err
	}
	// 2. Build and sign.
	now := s.clock.Now()
	cert, err := s.signRenewal(ca, current, iss, now, notAfter)
	if err != nil {
		return store.CACert{}, err
	}
	// 3. Persist the new version and point the CA at it.
	version, err := q.MaxCACertVersion(ctx, ca.ID)
	if err != nil {
		return store.CACert{}, err
	}
	chain, err := renewalChain(ctx, q, ca)
	if err != nil {
		return store.CACert{}, err
	}
	out := newCACertRow(ca.ID, version+1, cert.Raw, chain, cert.SerialNumber, cert.NotBefore, cert.NotAfter, now)
	if err := q.InsertCACert(ctx, out); err != nil {
		return store.CACert{}, err
	}
	setActive(&ca, out)
	ca.UpdatedAt = now
	if err := q.UpdateCA(ctx, ca); err != nil {
		return store.CACert{}, err
	}
	return out, s.audit(ctx, q, p, AuditRenewCA, ca, "ca-certificate/"+out.ID, map[string]any{
		"caId": ca.ID, "version": out.Version, "serialNumber": out.SerialNumber,
		"previousSerialNumber": pki.FormatSerial(current.SerialNumber),
		"notAfter":             out.NotAfter.Format(time.RFC3339),
	})
}

// checkRenewal runs the renewal checks and returns the locked CA, its
// current certificate and the issuer of the new one.
func (s *Service) checkRenewal(ctx context.Context, q store.Queries, p auth.Principal, caID string, notAfter time.Time) (store.CA, *x509.Certificate, issuer, error) {
	ca, err := loadCA(ctx, q, caID, true)
	if err != nil {
		return ca, nil, issuer{}, err
	}
	_, current, err := activeCert(ctx, q, ca)
	if err != nil {
		return ca, nil, issuer{}, err
	}
	if err := require(ctx, q, p, ca.ProjectID, auth.ActionIssueCACertificate); err != nil {
		return ca, nil, issuer{}, err
	}
	if ca.Status == StatusDisabled {
		return ca, nil, issuer{}, errs.New(errs.BadRequest, msgDisabled)
	}
	if !notAfter.After(s.clock.Now()) {
		return ca, nil, issuer{}, errs.New(errs.BadRequest, msgRenewNotFuture)
	}
	if ca.Type == TypeRoot {
		if !notAfter.After(current.NotAfter) {
			return ca, nil, issuer{}, errs.New(errs.BadRequest, msgRenewRootNotLater)
		}
		signer, err := s.signer(ca)
		return ca, current, issuer{cert: current, signer: signer}, err
	}
	iss, err := s.parentIssuer(ctx, q, ca)
	if err != nil {
		return ca, nil, issuer{}, err
	}
	if !notAfter.After(current.NotAfter) {
		return ca, nil, issuer{}, errs.New(errs.BadRequest, msgRenewIntNotLater)
	}
	if notAfter.After(iss.cert.NotAfter) {
		return ca, nil, issuer{}, errs.New(errs.BadRequest, msgRenewIntPastParent)
	}
	return ca, current, iss, nil
}

// parentIssuer loads the parent of an intermediate CA as the issuer of
// its renewed certificate.
func (s *Service) parentIssuer(ctx context.Context, q store.Queries, ca store.CA) (issuer, error) {
	if ca.ParentCAID == nil {
		return issuer{}, errs.New(errs.BadRequest, msgRenewExternal)
	}
	parent, err := q.GetCA(ctx, *ca.ParentCAID)
	if errors.Is(err, store.ErrNotFound) {
		return issuer{}, errs.New(errs.BadRequest, msgRenewExternal)
	}
	if err != nil {
		return issuer{}, err
	}
	if parent.ActiveCACertID == nil {
		return issuer{}, errs.New(errs.BadRequest, msgParentNoCert)
	}
	if parent.Status == StatusDisabled {
		return issuer{}, errs.New(errs.BadRequest, msgParentDisabled)
	}
	row, cert, err := activeCert(ctx, q, parent)
	if err != nil {
		return issuer{}, err
	}
	signer, err := s.signer(parent)
	if err != nil {
		return issuer{}, err
	}
	return issuer{cert: cert, row: row, signer: signer}, nil
}

// signRenewal signs the renewed certificate. It copies the raw subject and
// SKID of the current certificate rather than rebuilding them, so the
// name bytes and key identifier that verifiers match on never change.
func (s *Service) signRenewal(ca store.CA, current *x509.Certificate, iss issuer, now, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := pki.NewSerial(rand.Reader)
	if err != nil {
		return nil, err
	}
	profile := pki.CAProfile{
		RawSubject:   current.RawSubject,
		PublicKey:    current.PublicKey,
		SerialNumber: serial,
		NotBefore:    now,
		NotAfter:     notAfter,
		MaxPathLen:   ca.MaxPathLength,
		Intermediate: ca.Type == TypeIntermediate,
		SubjectKeyID: current.SubjectKeyId,
	}
	issuerCert := iss.cert
	if ca.Type == TypeRoot {
		profile.AuthorityKeyID = current.SubjectKeyId
	} else {
		profile.AuthorityKeyID = iss.cert.SubjectKeyId
		profile.CRLURLs = current.CRLDistributionPoints
		profile.IssuerURLs = current.IssuingCertificateURL
		profile.OCSPURLs = current.OCSPServer
	}
	tmpl := pki.CATemplate(profile)
	if ca.Type == TypeRoot {
		issuerCert = tmpl
	}
	cert, err := pki.Sign(tmpl, issuerCert, current.PublicKey, iss.signer)
	if err != nil {
		return nil, fmt.Errorf("signing renewed certificate of CA %s: %w", ca.ID, err)
	}
	return cert, nil
}

// renewalChain returns the chain stored with a renewed certificate: empty
// for a root, and for an intermediate the parent's active certificate and
// its current chain, so a renewed ancestor appears in it.
func renewalChain(ctx context.Context, q store.CAQueries, ca store.CA) (string, error) {
	if ca.Type == TypeRoot {
		return "", nil
	}
	return currentChain(ctx, q, ca)
}
