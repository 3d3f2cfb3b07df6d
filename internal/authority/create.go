package authority

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// NewCA is the input of CreateCA, already checked for shape by the caller.
type NewCA struct {
	ProjectID       string
	Name            string
	RequestedStatus string
	Type            string
	KeyAlgorithm    pki.KeyAlgorithm
	FriendlyName    string
	Subject         pki.Subject
	NotBefore       *time.Time
	NotAfter        *time.Time
	// MaxPathLength nil or -1 means no path length limit.
	MaxPathLength *int
	// ParentCAID, with NotAfter, makes an intermediate signed by that CA
	// at creation.
	ParentCAID *string
}

// CreateCA creates a CA with a new key pair. A root with NotAfter gets its
// self-signed certificate (version 1) and is active, or disabled when that
// was requested; so is an intermediate with ParentCAID and NotAfter, signed
// by that parent. Any other CA waits as pending-certificate.
func (s *Service) CreateCA(ctx context.Context, p auth.Principal, in NewCA) (store.CA, error) {
	if _, err := s.store.GetProject(ctx, in.ProjectID); errors.Is(err, store.ErrNotFound) {
		return store.CA{}, errs.New(errs.NotFound, "Project with ID '%s' not found", in.ProjectID)
	} else if err != nil {
		return store.CA{}, err
	}
	if err := require(ctx, s.store, p, in.ProjectID, auth.ActionCreate); err != nil {
		return store.CA{}, err
	}
	now := s.clock.Now()
	if err := checkValidity(in.NotBefore, in.NotAfter, now); err != nil {
		return store.CA{}, err
	}
	key, err := pki.GenerateKey(rand.Reader, in.KeyAlgorithm)
	if err != nil {
		return store.CA{}, fmt.Errorf("generating CA key: %w", err)
	}
	ca := newCARecord(in, now)
	keyDER, err := pki.MarshalPrivateKey(key)
	if err != nil {
		return store.CA{}, err
	}
	if ca.SealedKey, err = s.sealer.Seal(keyDER, keyAAD(ca.ID)); err != nil {
		return store.CA{}, fmt.Errorf("sealing CA key: %w", err)
	}
	var first *store.CACert
	if in.Type == TypeRoot && in.NotAfter != nil {
		row, err := s.selfSign(ca, key, in, now)
		if err != nil {
			return store.CA{}, err
		}
		first = &row
		setActive(&ca, row)
		ca.Status = StatusActive
		if in.RequestedStatus == StatusDisabled {
			ca.Status = StatusDisabled
		}
	}
	err = s.store.InTx(ctx, func(q store.Queries) error {
		if signedAtCreation(in) {
			row, err := s.signAtCreation(ctx, q, p, &ca, key.Public(), in, now)
			if err != nil {
				return err
			}
			first = &row
		}
		if err := q.InsertCA(ctx, ca); err != nil {
			return err
		}
		meta := map[string]any{"caId": ca.ID, "name": ca.Name, "type": ca.Type, "dn": ca.DN,
			"keyAlgorithm": ca.KeyAlgorithm, "status": ca.Status}
		if first != nil {
			if err := q.InsertCACert(ctx, *first); err != nil {
				return err
			}
			meta["serialNumber"] = first.SerialNumber
		}
		return s.audit(ctx, q, p, AuditCreateCA, ca, "certificate-authority/"+ca.ID, meta)
	})
	if errors.Is(err, store.ErrConflict) {
		return store.CA{}, errs.New(errs.BadRequest, "A CA with the name '%s' already exists in this project", in.Name)
	}
	if err != nil {
		return store.CA{}, err
	}
	return ca, nil
}

// checkValidity applies the date rules shared by CA creation and signing.
func checkValidity(notBefore, notAfter *time.Time, now time.Time) error {
	if notAfter == nil {
		return nil
	}
	if !notAfter.After(now) {
		return errs.New(errs.BadRequest, "notAfter must be in the future")
	}
	if notBefore != nil && !notBefore.Before(*notAfter) {
		return errs.New(errs.BadRequest, "notBefore date is after notAfter date")
	}
	return nil
}

func newCARecord(in NewCA, now time.Time) store.CA {
	return store.CA{
		ID:            uuid.NewString(),
		ProjectID:     in.ProjectID,
		Name:          in.Name,
		Status:        StatusPendingCertificate,
		Type:          in.Type,
		FriendlyName:  in.FriendlyName,
		CommonName:    in.Subject.CommonName,
		Organization:  in.Subject.Organization,
		OU:            in.Subject.OU,
		Country:       in.Subject.Country,
		Province:      in.Subject.Province,
		Locality:      in.Subject.Locality,
		DN:            in.Subject.DN(),
		KeyAlgorithm:  string(in.KeyAlgorithm),
		MaxPathLength: in.MaxPathLength,
		CRLURLs:       []string{},
		CreatedAt:     now,
		UpdatedAt:     now,
	}
}

// selfSign builds version 1 of a root CA's certificate.
func (s *Service) selfSign(ca store.CA, key crypto.Signer, in NewCA, now time.Time) (store.CACert, error) {
	serial, err := pki.NewSerial(rand.Reader)
	if err != nil {
		return store.CACert{}, err
	}
	skid, err := pki.SubjectKeyID(key.Public())
	if err != nil {
		return store.CACert{}, err
	}
	notBefore := now
	if in.NotBefore != nil {
		notBefore = *in.NotBefore
	}
	tmpl := pki.CATemplate(pki.CAProfile{
		Subject:        in.Subject.Name(),
		PublicKey:      key.Public(),
		SerialNumber:   serial,
		NotBefore:      notBefore,
		NotAfter:       *in.NotAfter,
		MaxPathLen:     in.MaxPathLength,
		SubjectKeyID:   skid,
		AuthorityKeyID: skid,
	})
	cert, err := pki.Sign(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return store.CACert{}, fmt.Errorf("self-signing CA %s: %w", ca.ID, err)
	}
	return newCACertRow(ca.ID, 1, cert.Raw, "", cert.SerialNumber, cert.NotBefore, cert.NotAfter, now), nil
}
