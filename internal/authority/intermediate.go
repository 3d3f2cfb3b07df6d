package authority

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// Messages of sign-intermediate, in the order its checks run; it shares
// msgExpired, msgNotBeforeBeforeCA and msgNotAfterAfterCA with issuance.
const (
	msgRootCSR             = "Root CA cannot generate CSR"
	msgPathLenZero         = "Failed to issue intermediate certificate due to CA path length constraint"
	msgPathLenExceeds      = "The requested path length constraint exceeds the CA's allowed path length"
	msgNotBeforeAfterLimit = "notBefore date is after notAfter date"
)

// IntermediateRequest is the request a parent CA signs: the subject and key of
// the new intermediate and the terms of its certificate.
type IntermediateRequest struct {
	// RawSubject is copied into the certificate byte for byte, so the
	// string types the requester chose survive signing.
	RawSubject []byte
	PublicKey  crypto.PublicKey
	// NotBefore nil means now.
	NotBefore *time.Time
	NotAfter  time.Time
	// MaxPathLength nil or -1 means no path length limit.
	MaxPathLength *int
}

// SignedIntermediate is the result of SignIntermediate.
type SignedIntermediate struct {
	Certificate        string
	CertificateChain   string
	IssuingCertificate string
	SerialNumber       string
	parsed             *x509.Certificate
}

// CSR returns a PEM certificate signing request for an intermediate CA's
// key, with the CA's subject encoded exactly as pkid encodes it in
// certificates and the intermediate CA profile requested.
func (s *Service) CSR(ctx context.Context, p auth.Principal, caID string) (string, error) {
	ca, err := s.GetCA(ctx, p, caID)
	if err != nil {
		return "", err
	}
	if ca.Type == TypeRoot {
		return "", errs.New(errs.BadRequest, msgRootCSR)
	}
	subject, err := pki.EncodeName(subjectOf(ca).Name())
	if err != nil {
		return "", err
	}
	key, err := s.signer(ca)
	if err != nil {
		return "", err
	}
	return pki.NewCACSR(subject, key, ca.MaxPathLength)
}

// SignIntermediate signs a CSR as an intermediate CA certificate of the
// CA parentID. The CSR's signature must verify; its subject bytes and key
// go into the certificate unchanged.
func (s *Service) SignIntermediate(ctx context.Context, p auth.Principal, parentID, csrPEM string, notBefore *time.Time, notAfter time.Time, maxPathLength *int) (SignedIntermediate, error) {
	var out SignedIntermediate
	err := s.store.InTx(ctx, func(q store.Queries) error {
		parent, err := loadCA(ctx, q, parentID, false)
		if err != nil {
			return err
		}
		if err := require(ctx, q, p, parent.ProjectID, auth.ActionSignIntermediate); err != nil {
			return err
		}
		req, err := requestFromCSR(csrPEM)
		if err != nil {
			return err
		}
		req.NotBefore, req.NotAfter, req.MaxPathLength = notBefore, notAfter, maxPathLength
		if out, err = s.issueIntermediate(ctx, q, parent, req); err != nil {
			return err
		}
		return s.audit(ctx, q, p, AuditSignIntermediate, parent, "certificate/"+out.SerialNumber, map[string]any{
			"caId": parent.ID, "serialNumber": out.SerialNumber, "subject": out.parsed.Subject.String(),
			"notAfter": out.parsed.NotAfter.Format(time.RFC3339),
		})
	})
	if err != nil {
		return SignedIntermediate{}, err
	}
	s.log.Info("signed intermediate CA certificate", "parent_ca_id", parentID, "identity_id", p.IdentityID,
		"serial", out.SerialNumber, "subject", out.parsed.Subject.String())
	return out, nil
}

// requestFromCSR checks a PEM CSR and takes the subject and key from it.
func requestFromCSR(csrPEM string) (IntermediateRequest, error) {
	csr, err := pki.ParseCSRPEM(csrPEM)
	if err != nil {
		return IntermediateRequest{}, errs.Invalid("csr", "invalid_string",
			"csr must be a PEM certificate signing request (BEGIN CERTIFICATE REQUEST)")
	}
	if err := csr.CheckSignature(); err != nil {
		return IntermediateRequest{}, errs.New(errs.BadRequest, "CSR signature is invalid: %v", err)
	}
	if !pki.SupportedCAKey(csr.PublicKey) {
		return IntermediateRequest{}, errs.New(errs.BadRequest,
			"CSR public key is not supported: use RSA with at least 2048 bits or ECDSA on P-256, P-384 or P-521")
	}
	if pki.NameString(csr.RawSubject) == "" {
		return IntermediateRequest{}, errs.New(errs.BadRequest, "CSR subject must not be empty: a CA certificate needs a subject name")
	}
	if err := pki.CheckSubject(csr.Subject); err != nil {
		return IntermediateRequest{}, errs.New(errs.BadRequest, "CSR subject is invalid: %v", err)
	}
	return IntermediateRequest{RawSubject: csr.RawSubject, PublicKey: csr.PublicKey}, nil
}

// issueIntermediate runs the sign-intermediate checks against the
// parent's active certificate and signs req with the parent's key.
func (s *Service) issueIntermediate(ctx context.Context, q store.Queries, parent store.CA, req IntermediateRequest) (SignedIntermediate, error) {
	if parent.Status == StatusDisabled {
		return SignedIntermediate{}, errs.New(errs.BadRequest, msgDisabled)
	}
	parentRow, parentCert, err := activeCert(ctx, q, parent)
	if err != nil {
		return SignedIntermediate{}, err
	}
	now := s.clock.Now()
	notBefore := now.UTC().Truncate(time.Second)
	if req.NotBefore != nil {
		notBefore = req.NotBefore.UTC().Truncate(time.Second)
	}
	notAfter := req.NotAfter.UTC().Truncate(time.Second)
	if err := checkIntermediateTerms(parentCert, now, notBefore, notAfter, req.MaxPathLength); err != nil {
		return SignedIntermediate{}, err
	}
	// The parent's managed CRL is where verifiers look up whether the
	// parent revoked anything it signed, so its URL joins the configured
	// ones in the new certificate.
	crlURLs := parent.CRLURLs
	if s.opts.PublicURL != "" {
		crl, err := s.ensureCRL(ctx, q, parent)
		if err != nil {
			return SignedIntermediate{}, err
		}
		crlURLs = append(append([]string{}, parent.CRLURLs...), s.crlURL(crl.ID))
	}
	cert, err := s.signIntermediateCert(parent, parentCert, req, crlURLs, notBefore, notAfter)
	if err != nil {
		return SignedIntermediate{}, err
	}
	chain, err := issuerChain(ctx, q, parent)
	if err != nil {
		return SignedIntermediate{}, err
	}
	return SignedIntermediate{
		Certificate:        pki.CertificatePEM(cert.Raw),
		CertificateChain:   chain,
		IssuingCertificate: parentRow.Certificate,
		SerialNumber:       pki.FormatSerial(cert.SerialNumber),
		parsed:             cert,
	}, nil
}

// checkIntermediateTerms applies the parent's expiry, path length and
// validity limits, in the order of the API contract.
func checkIntermediateTerms(parentCert *x509.Certificate, now, notBefore, notAfter time.Time, maxPathLength *int) error {
	if now.After(parentCert.NotAfter) {
		return errs.New(errs.BadRequest, msgExpired)
	}
	if err := checkPathLength(pki.PathLen(parentCert), maxPathLength); err != nil {
		return err
	}
	if notBefore.Before(parentCert.NotBefore) {
		return errs.New(errs.BadRequest, msgNotBeforeBeforeCA)
	}
	if !notBefore.Before(notAfter) {
		return errs.New(errs.BadRequest, msgNotBeforeAfterLimit)
	}
	if notAfter.After(parentCert.NotAfter) {
		return errs.New(errs.BadRequest, msgNotAfterAfterCA)
	}
	if !notAfter.After(now) {
		return errs.New(errs.BadRequest, msgRenewNotFuture)
	}
	return nil
}

// checkPathLength enforces RFC 5280 §4.2.1.9 at signing time: a parent
// with pathLenConstraint n may only sign CAs whose own limit is below n,
// so a parent with 0 signs no CA and an unlimited child (-1 or nil) needs
// an unlimited parent.
func checkPathLength(parentLimit *int, requested *int) error {
	if parentLimit == nil {
		return nil
	}
	if *parentLimit == 0 {
		return errs.New(errs.BadRequest, msgPathLenZero)
	}
	if requested == nil || *requested < 0 || *requested >= *parentLimit {
		return errs.New(errs.BadRequest, msgPathLenExceeds)
	}
	return nil
}

// signIntermediateCert builds and signs the intermediate CA certificate:
// the CA profile with digitalSignature, the requested path length, an
// SKID of the child key and the parent's SKID as AKID, signed with the
// parent's key and so with the parent's signature algorithm.
func (s *Service) signIntermediateCert(parent store.CA, parentCert *x509.Certificate, req IntermediateRequest, crlURLs []string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := pki.NewSerial(rand.Reader)
	if err != nil {
		return nil, err
	}
	skid, err := pki.SubjectKeyID(req.PublicKey)
	if err != nil {
		return nil, err
	}
	signer, err := s.signer(parent)
	if err != nil {
		return nil, err
	}
	var issuerURLs []string
	if s.opts.PublicURL != "" {
		issuerURLs = []string{s.caCertificateURL(parent)}
	}
	tmpl := pki.CATemplate(pki.CAProfile{
		RawSubject:     req.RawSubject,
		PublicKey:      req.PublicKey,
		SerialNumber:   serial,
		NotBefore:      notBefore,
		NotAfter:       notAfter,
		MaxPathLen:     req.MaxPathLength,
		Intermediate:   true,
		SubjectKeyID:   skid,
		AuthorityKeyID: parentCert.SubjectKeyId,
		CRLURLs:        crlURLs,
		IssuerURLs:     issuerURLs,
	})
	cert, err := pki.Sign(tmpl, parentCert, req.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("signing intermediate certificate under CA %s: %w", parent.ID, err)
	}
	return cert, nil
}

// caCertificateURL is the AIA caIssuers URL of certificates a CA signs:
// the public DER download of the CA's active certificate.
func (s *Service) caCertificateURL(ca store.CA) string {
	certID := ""
	if ca.ActiveCACertID != nil {
		certID = *ca.ActiveCACertID
	}
	return s.opts.PublicURL + "/api/v1/cert-manager/ca/internal/" + ca.ID + "/certificates/" + certID + "/der"
}

// subjectOf returns the DN fields a CA was created with.
func subjectOf(ca store.CA) pki.Subject {
	return pki.Subject{
		CommonName: ca.CommonName, Organization: ca.Organization, OU: ca.OU,
		Country: ca.Country, Province: ca.Province, Locality: ca.Locality,
	}
}
