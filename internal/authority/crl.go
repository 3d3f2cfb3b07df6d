package authority

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// ensureCRL returns the CRL of a CA, creating and signing its first
// version when the CA has none yet. It runs inside the caller's
// transaction.
func (s *Service) ensureCRL(ctx context.Context, q store.Queries, ca store.CA) (store.CRL, error) {
	crl, err := q.GetCRLByCA(ctx, ca.ID)
	if !errors.Is(err, store.ErrNotFound) {
		return crl, err
	}
	// Take the CA's row lock and look again, so that two first issuances
	// under PostgreSQL do not both create a CRL.
	if ca, err = loadCA(ctx, q, ca.ID, true); err != nil {
		return crl, err
	}
	crl, err = q.GetCRLByCA(ctx, ca.ID)
	if !errors.Is(err, store.ErrNotFound) {
		return crl, err
	}
	now := s.clock.Now()
	crl = store.CRL{ID: uuid.NewString(), CAID: ca.ID, CreatedAt: now}
	if crl, err = s.signCRL(ctx, q, ca, crl); err != nil {
		return crl, err
	}
	return crl, q.InsertCRL(ctx, crl)
}

// resignCRL signs the next version of a CA's CRL and stores it. The
// caller holds the CA's row lock, which keeps CRL numbers in order.
func (s *Service) resignCRL(ctx context.Context, q store.Queries, ca store.CA) (store.CRL, error) {
	crl, err := q.GetCRLByCA(ctx, ca.ID)
	if errors.Is(err, store.ErrNotFound) {
		// The first version, signed now, already lists every revocation.
		return s.ensureCRL(ctx, q, ca)
	}
	if err != nil {
		return crl, err
	}
	if crl, err = s.signCRL(ctx, q, ca, crl); err != nil {
		return crl, err
	}
	return crl, q.UpdateCRL(ctx, crl)
}

// signCRL signs the next number of crl with the CA's active certificate
// and key, listing every revoked certificate the CA issued under any of
// its certificate versions.
func (s *Service) signCRL(ctx context.Context, q store.Queries, ca store.CA, crl store.CRL) (store.CRL, error) {
	_, caCert, err := activeCert(ctx, q, ca)
	if err != nil {
		return crl, err
	}
	signer, err := s.signer(ca)
	if err != nil {
		return crl, err
	}
	revoked, err := q.ListRevokedCertificates(ctx, ca.ID)
	if err != nil {
		return crl, err
	}
	entries, err := revokedEntries(revoked)
	if err != nil {
		return crl, err
	}
	now := s.clock.Now()
	crl.Number++
	crl.ThisUpdate = now
	crl.NextUpdate = now.Add(s.opts.CRLValidity)
	crl.UpdatedAt = now
	crl.DER, err = pki.SignCRL(pki.CRLProfile{
		Number: crl.Number, ThisUpdate: crl.ThisUpdate, NextUpdate: crl.NextUpdate, Entries: entries,
	}, caCert, signer)
	if err != nil {
		return crl, fmt.Errorf("signing CRL of CA %s: %w", ca.ID, err)
	}
	return crl, nil
}

func revokedEntries(certs []store.Certificate) ([]pki.RevokedEntry, error) {
	out := make([]pki.RevokedEntry, 0, len(certs))
	for _, c := range certs {
		serial, ok := new(big.Int).SetString(c.SerialNumber, 16)
		if !ok || c.RevokedAt == nil {
			return nil, fmt.Errorf("revoked certificate %s has serial %q and revokedAt %v", c.ID, c.SerialNumber, c.RevokedAt)
		}
		code := 0
		if c.RevocationReason != nil {
			code, _ = pki.ReasonCode(*c.RevocationReason)
		}
		out = append(out, pki.RevokedEntry{SerialNumber: serial, RevokedAt: *c.RevokedAt, ReasonCode: code})
	}
	return out, nil
}

// ListCRLs returns the CRLs of a CA, newest first. Each CA has one CRL;
// it is created here when the CA has a certificate but has not needed a
// CRL yet, so that its id is known before the first certificate.
func (s *Service) ListCRLs(ctx context.Context, p auth.Principal, caID string) ([]store.CRL, error) {
	ca, err := s.GetCA(ctx, p, caID)
	if err != nil {
		return nil, err
	}
	if ca.ActiveCACertID == nil {
		return []store.CRL{}, nil
	}
	var crl store.CRL
	err = s.store.InTx(ctx, func(q store.Queries) error {
		crl, err = s.ensureCRL(ctx, q, ca)
		return err
	})
	if err != nil {
		return nil, err
	}
	return []store.CRL{crl}, nil
}

// CRLDER returns the DER of a CRL. It needs no caller: CRLs are public,
// and verifiers fetch them from the distribution point of certificates.
func (s *Service) CRLDER(ctx context.Context, crlID string) ([]byte, error) {
	crl, err := s.store.GetCRL(ctx, crlID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errs.New(errs.NotFound, "CRL with ID '%s' not found", crlID)
	}
	if err != nil {
		return nil, err
	}
	return crl.DER, nil
}
