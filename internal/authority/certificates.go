package authority

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// Certificate statuses as they appear on the wire.
const (
	CertStatusActive  = "active"
	CertStatusRevoked = "revoked"
)

// Client-facing messages of issue-certificate and sign-certificate.
const (
	msgNotActive          = "CA is not active"
	msgExpired            = "CA is expired"
	msgNotBeforeBeforeCA  = "notBefore date is before CA certificate's notBefore date"
	msgNotBeforeAfter     = "notBefore date is after notAfter date"
	msgNotAfterAfterCA    = "notAfter date is after CA certificate's notAfter date"
	msgNotAfterNotFuture  = "notAfter must be in the future"
	msgNoNames            = "A certificate needs a commonName or at least one entry in altNames"
	msgNoNamesFromCSR     = "The CSR has no common name and no subject alternative names; set commonName or altNames"
	defaultLeafValidity   = 365 * 24 * time.Hour
	certificateKeyPurpose = "pkid:certificate-key:"
)

// CertificateRequest is the input of IssueCertificate and
// SignCertificate, already checked for shape by the caller.
type CertificateRequest struct {
	CAID         string
	FriendlyName string
	// CommonName nil means the request set none; SignCertificate then
	// takes the CSR's.
	CommonName *string
	// AltNames empty means the request set none; SignCertificate then
	// takes the CSR's.
	AltNames pki.AltNames
	// TTL and NotAfter are mutually exclusive; with neither the
	// certificate is valid for one year, or until the CA expires if that
	// is sooner.
	TTL       time.Duration
	NotBefore *time.Time
	NotAfter  *time.Time
	// KeyUsages and ExtKeyUsages nil mean the defaults of a TLS server
	// certificate.
	KeyUsages    []string
	ExtKeyUsages []string
}

// IssuedCertificate is a new certificate with what the API returns
// beside it.
type IssuedCertificate struct {
	Record               store.Certificate
	IssuingCACertificate string
	// PrivateKeyPEM is the PKCS #8 key pkid generated; empty for a
	// certificate signed from a CSR.
	PrivateKeyPEM string
}

// leafRequest is a CertificateRequest with its subject resolved and its
// key known.
type leafRequest struct {
	CertificateRequest
	commonName string
	publicKey  crypto.PublicKey
	sealedKey  func(certID string) (string, error)
	// ca is the issuing CA as precheckIssue loaded it.
	ca store.CA
	// auditAction is AuditIssueCert or AuditSignCert.
	auditAction string
}

// IssueCertificate generates a key pair of the CA's key algorithm and
// issues a certificate for it.
func (s *Service) IssueCertificate(ctx context.Context, p auth.Principal, req CertificateRequest) (IssuedCertificate, error) {
	ca, err := s.precheckIssue(ctx, p, req.CAID)
	if err != nil {
		return IssuedCertificate{}, err
	}
	commonName := ""
	if req.CommonName != nil {
		commonName = *req.CommonName
	}
	if commonName == "" && req.AltNames.Empty() {
		return IssuedCertificate{}, errs.New(errs.BadRequest, msgNoNames)
	}
	// Generate the key before the transaction: RSA-4096 generation can
	// take seconds, and the transaction holds the SQLite write lock.
	key, err := pki.GenerateKey(rand.Reader, pki.KeyAlgorithm(ca.KeyAlgorithm))
	if err != nil {
		return IssuedCertificate{}, fmt.Errorf("generating certificate key: %w", err)
	}
	keyDER, err := pki.MarshalPrivateKey(key)
	if err != nil {
		return IssuedCertificate{}, err
	}
	out, err := s.issueLeaf(ctx, p, leafRequest{
		CertificateRequest: req,
		commonName:         commonName,
		publicKey:          key.Public(),
		ca:                 ca,
		auditAction:        AuditIssueCert,
		sealedKey: func(certID string) (string, error) {
			return s.sealer.Seal(keyDER, certificateKeyAAD(certID))
		},
	})
	if err != nil {
		return out, err
	}
	out.PrivateKeyPEM = pki.PrivateKeyPEM(keyDER)
	return out, nil
}

// SignCertificate issues a certificate for the key of a CSR. The common
// name and subject alternative names come from the request, or from the
// CSR when the request sets none.
func (s *Service) SignCertificate(ctx context.Context, p auth.Principal, req CertificateRequest, csrPEM string) (IssuedCertificate, error) {
	ca, err := s.precheckIssue(ctx, p, req.CAID)
	if err != nil {
		return IssuedCertificate{}, err
	}
	csr, err := pki.ParseCSR(csrPEM)
	if err != nil {
		return IssuedCertificate{}, errs.New(errs.BadRequest, "%s", err.Error())
	}
	commonName := csr.Subject.CommonName
	if req.CommonName != nil && *req.CommonName != "" {
		commonName = *req.CommonName
	}
	if req.AltNames.Empty() {
		req.AltNames = csrAltNames(csr)
	}
	if commonName == "" && req.AltNames.Empty() {
		return IssuedCertificate{}, errs.New(errs.BadRequest, msgNoNamesFromCSR)
	}
	return s.issueLeaf(ctx, p, leafRequest{
		CertificateRequest: req,
		commonName:         commonName,
		publicKey:          csr.PublicKey,
		ca:                 ca,
		sealedKey:          func(string) (string, error) { return "", nil },
		auditAction:        AuditSignCert,
	})
}

// csrAltNames returns the checked names of a CSR that pki.ParseCSR has
// already accepted.
func csrAltNames(csr *x509.CertificateRequest) pki.AltNames {
	names, err := pki.AltNamesFromCSR(csr)
	if err != nil {
		return pki.AltNames{}
	}
	return names
}

// precheckIssue finds the CA and checks the caller may create
// certificates in its project, before any costly work. issueLeaf checks
// both again inside the transaction that stores the certificate.
func (s *Service) precheckIssue(ctx context.Context, p auth.Principal, caID string) (store.CA, error) {
	ca, err := loadCA(ctx, s.store, caID, false)
	if err != nil {
		return ca, err
	}
	return ca, requireCertificates(ctx, s.store, p, ca.ProjectID, auth.ActionCreate)
}

// issueLeaf checks the CA and the validity, signs the certificate with
// the CA's active certificate and key, and stores it with its audit
// entry. Checking and signing happen outside any transaction, so
// concurrent requests sign in parallel. The store step shares a group
// transaction with concurrent issuances, checks again that the CA may
// still issue, and returns only once the row is committed.
func (s *Service) issueLeaf(ctx context.Context, p auth.Principal, req leafRequest) (IssuedCertificate, error) {
	// 1. Check the CA and the requested validity; precheckIssue loaded
	// the CA and checked the caller.
	ca := req.ca
	caRow, caCert, err := s.checkIssuingCA(ctx, s.store, ca)
	if err != nil {
		return IssuedCertificate{}, err
	}
	now := s.clock.Now()
	notBefore, notAfter, err := leafValidity(req.CertificateRequest, now, caCert)
	if err != nil {
		return IssuedCertificate{}, err
	}
	// 2. Build and sign.
	crlID, err := s.crlIDOf(ctx, ca)
	if err != nil {
		return IssuedCertificate{}, err
	}
	tmpl, err := s.leafTemplate(req, ca, caRow, crlID, notBefore, notAfter)
	if err != nil {
		return IssuedCertificate{}, err
	}
	signer, err := s.cachedSignerOf(ca)
	if err != nil {
		return IssuedCertificate{}, err
	}
	cert, err := pki.Sign(tmpl, caCert, req.publicKey, signer)
	if err != nil {
		return IssuedCertificate{}, fmt.Errorf("signing certificate for CA %s: %w", ca.ID, err)
	}
	// 3. Persist.
	out := IssuedCertificate{IssuingCACertificate: caRow.Certificate}
	if out.Record, err = newCertificateRecord(req, ca, caRow, cert, now); err != nil {
		return IssuedCertificate{}, err
	}
	if out.Record.SealedKey, err = req.sealedKey(out.Record.ID); err != nil {
		return IssuedCertificate{}, fmt.Errorf("sealing certificate key: %w", err)
	}
	err = s.store.InGroupTx(ctx, func(ctx context.Context, q store.Queries) error {
		if err := recheckIssuingCA(ctx, q, p, ca); err != nil {
			return err
		}
		if err := q.InsertCertificate(ctx, out.Record); err != nil {
			return err
		}
		return s.audit(ctx, q, p, req.auditAction, ca, "certificate/"+out.Record.ID, map[string]any{
			"caId": ca.ID, "caCertId": caRow.ID, "certificateId": out.Record.ID,
			"serialNumber": out.Record.SerialNumber, "commonName": req.commonName,
			"notAfter": out.Record.NotAfter.Format(time.RFC3339),
		})
	})
	if err != nil {
		return IssuedCertificate{}, err
	}
	s.opts.Observer.CertificateIssued()
	s.log.Info("issued certificate", "ca_id", req.CAID, "identity_id", p.IdentityID,
		"certificate_id", out.Record.ID, "serial", out.Record.SerialNumber,
		"not_after", out.Record.NotAfter)
	return out, nil
}

// recheckIssuingCA checks, inside the transaction that stores a new
// certificate, what may have changed since it was signed: the CA still
// exists and is active, the caller may still create certificates, and
// the CA key is the one that signed.
func recheckIssuingCA(ctx context.Context, q store.Queries, p auth.Principal, signedWith store.CA) error {
	ca, err := loadCA(ctx, q, signedWith.ID, false)
	if err != nil {
		return err
	}
	if err := requireCertificates(ctx, q, p, ca.ProjectID, auth.ActionCreate); err != nil {
		return err
	}
	if ca.Status != StatusActive {
		return errs.New(errs.BadRequest, msgNotActive)
	}
	if ca.SealedKey != signedWith.SealedKey {
		return fmt.Errorf("the key of CA %s changed while a certificate was being signed", ca.ID)
	}
	return nil
}

// crlIDOf returns the id of a CA's CRL, creating the CRL when the CA has
// none yet. The id is cached: it never changes while the CA exists.
func (s *Service) crlIDOf(ctx context.Context, ca store.CA) (string, error) {
	if id, ok := s.cache.crlIDs.get(ca.ID); ok {
		return id, nil
	}
	crl, err := s.store.GetCRLByCA(ctx, ca.ID)
	if errors.Is(err, store.ErrNotFound) {
		err = s.store.InTx(ctx, func(q store.Queries) error {
			crl, err = s.ensureCRL(ctx, q, ca)
			return err
		})
	}
	if err != nil {
		return "", err
	}
	s.cache.crlIDs.put(ca.ID, crl.ID)
	return crl.ID, nil
}

// checkIssuingCA returns the active certificate of a CA that may issue
// now: it has a certificate, is active and has not expired.
func (s *Service) checkIssuingCA(ctx context.Context, q store.CAQueries, ca store.CA) (store.CACert, *x509.Certificate, error) {
	// A CA waiting for its certificate is reported as such rather than as
	// not active, because that message tells the caller what to do next.
	if ca.ActiveCACertID == nil {
		return store.CACert{}, nil, errs.New(errs.BadRequest, msgNoCertificate)
	}
	if ca.Status != StatusActive {
		return store.CACert{}, nil, errs.New(errs.BadRequest, msgNotActive)
	}
	row, err := q.GetCACert(ctx, *ca.ActiveCACertID)
	if err != nil {
		return row, nil, fmt.Errorf("loading active certificate of CA %s: %w", ca.ID, err)
	}
	cert, err := s.parsedCACert(row)
	if err != nil {
		return row, nil, err
	}
	if !s.clock.Now().Before(cert.NotAfter) {
		return row, nil, errs.New(errs.BadRequest, msgExpired)
	}
	return row, cert, nil
}

// leafValidity resolves the validity of a new certificate and checks it
// against the CA certificate. Times are truncated to the second first,
// as X.509 encodes them.
func leafValidity(req CertificateRequest, now time.Time, caCert *x509.Certificate) (time.Time, time.Time, error) {
	now = now.UTC().Truncate(time.Second)
	notBefore := now
	if req.NotBefore != nil {
		notBefore = req.NotBefore.UTC().Truncate(time.Second)
	}
	var notAfter time.Time
	switch {
	case req.NotAfter != nil:
		notAfter = req.NotAfter.UTC().Truncate(time.Second)
		if !notAfter.After(now) {
			return notBefore, notAfter, errs.New(errs.BadRequest, msgNotAfterNotFuture)
		}
	case req.TTL > 0:
		notAfter = now.Add(req.TTL).Truncate(time.Second)
	default:
		// Without a requested validity the certificate gets one year, cut
		// short to the CA's own expiry rather than failing.
		notAfter = now.Add(defaultLeafValidity)
		if notAfter.After(caCert.NotAfter) {
			notAfter = caCert.NotAfter
		}
	}
	if notBefore.Before(caCert.NotBefore) {
		return notBefore, notAfter, errs.New(errs.BadRequest, msgNotBeforeBeforeCA)
	}
	if !notBefore.Before(notAfter) {
		return notBefore, notAfter, errs.New(errs.BadRequest, msgNotBeforeAfter)
	}
	if notAfter.After(caCert.NotAfter) {
		return notBefore, notAfter, errs.New(errs.BadRequest, msgNotAfterAfterCA)
	}
	return notBefore, notAfter, nil
}

// leafTemplate builds the certificate template. A common name that is a
// DNS name or an IP address is also added to the subject alternative
// names, because verifiers match host names only against those.
func (s *Service) leafTemplate(req leafRequest, ca store.CA, caRow store.CACert, crlID string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	names := req.AltNames
	if ip := net.ParseIP(req.commonName); ip != nil {
		names.AddIP(ip)
	} else if pki.IsDNSName(req.commonName) && strings.Contains(req.commonName, ".") {
		names.AddDNSName(req.commonName)
	}
	if names.Count() > pki.MaxAltNames {
		return nil, errs.New(errs.BadRequest,
			"The certificate would have %d subject alternative names with the common name added; the limit is %d",
			names.Count(), pki.MaxAltNames)
	}
	keyUsages := req.KeyUsages
	if keyUsages == nil {
		keyUsages = pki.DefaultKeyUsages(req.publicKey)
	}
	usage, err := pki.LeafKeyUsage(keyUsages, req.publicKey)
	if err != nil {
		return nil, errs.New(errs.BadRequest, "Invalid keyUsages: %s", err.Error())
	}
	extNames := req.ExtKeyUsages
	if extNames == nil {
		extNames = pki.DefaultExtKeyUsages()
	}
	extUsages, err := pki.ExtKeyUsages(extNames)
	if err != nil {
		return nil, errs.New(errs.BadRequest, "Invalid extendedKeyUsages: %s", err.Error())
	}
	serial, err := pki.NewSerial(rand.Reader)
	if err != nil {
		return nil, err
	}
	return pki.LeafTemplate(pki.LeafProfile{
		CommonName:   req.commonName,
		AltNames:     names,
		PublicKey:    req.publicKey,
		SerialNumber: serial,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     usage,
		ExtKeyUsage:  extUsages,
		CRLURLs:      []string{s.crlURL(crlID)},
		IssuerURLs:   []string{s.caCertURL(ca.ID, caRow.ID)},
	})
}

// crlURL is the public DER URL of a CRL.
func (s *Service) crlURL(crlID string) string {
	return strings.TrimRight(s.opts.PublicURL, "/") + "/api/v1/cert-manager/crl/" + crlID + "/der"
}

// caCertURL is the public DER URL of one CA certificate version.
func (s *Service) caCertURL(caID, caCertID string) string {
	return strings.TrimRight(s.opts.PublicURL, "/") + "/api/v1/cert-manager/ca/internal/" +
		caID + "/certificates/" + caCertID + "/der"
}

func newCertificateRecord(req leafRequest, ca store.CA, caRow store.CACert, cert *x509.Certificate, now time.Time) (store.Certificate, error) {
	keyUsages := req.KeyUsages
	if keyUsages == nil {
		keyUsages = pki.DefaultKeyUsages(req.publicKey)
	}
	extUsages := req.ExtKeyUsages
	if extUsages == nil {
		extUsages = pki.DefaultExtKeyUsages()
	}
	names := pki.AltNames{
		DNSNames: cert.DNSNames, IPAddresses: cert.IPAddresses,
		EmailAddresses: cert.EmailAddresses, URIs: cert.URIs,
	}
	return store.Certificate{
		ID:           uuid.NewString(),
		CAID:         ca.ID,
		CACertID:     caRow.ID,
		Status:       CertStatusActive,
		SerialNumber: pki.FormatSerial(cert.SerialNumber),
		FriendlyName: req.FriendlyName,
		CommonName:   req.commonName,
		AltNames:     names.String(),
		KeyUsages:    keyUsages,
		ExtKeyUsages: extUsages,
		NotBefore:    cert.NotBefore,
		NotAfter:     cert.NotAfter,
		Certificate:  pki.CertificatePEM(cert.Raw),
		Chain:        pki.JoinChain(caRow.Certificate, caRow.Chain),
		CreatedAt:    now,
		UpdatedAt:    now,
	}, nil
}

// certificateKeyAAD binds a sealed certificate key to its certificate.
func certificateKeyAAD(certID string) []byte { return []byte(certificateKeyPurpose + certID) }

// requireCertificates checks a permission on the certificates subject.
func requireCertificates(ctx context.Context, q store.ProjectQueries, p auth.Principal, projectID, action string) error {
	return auth.Require(ctx, q, p, projectID, auth.SubjectCertificates, action)
}
