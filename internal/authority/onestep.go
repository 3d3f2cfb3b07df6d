package authority

import (
	"context"
	"crypto"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// signedAtCreation reports whether CreateCA signs a new CA under a parent
// at once: an intermediate that names its parent and its notAfter. An
// intermediate without notAfter waits as pending-certificate and its
// parentCaId is ignored, as the reference API ignores it.
func signedAtCreation(in NewCA) bool {
	return in.Type == TypeIntermediate && in.ParentCAID != nil && in.NotAfter != nil
}

// signAtCreation signs the first certificate of a new intermediate with
// its parent's key and points ca at it. It locks the parent, so the
// parent cannot be deleted before the child row refers to it.
func (s *Service) signAtCreation(ctx context.Context, q store.Queries, p auth.Principal, ca *store.CA, pub crypto.PublicKey, in NewCA, now time.Time) (store.CACert, error) {
	parent, err := loadCA(ctx, q, *in.ParentCAID, true)
	if err != nil {
		return store.CACert{}, err
	}
	if parent.ProjectID != ca.ProjectID {
		return store.CACert{}, errs.New(errs.BadRequest, "Parent CA must belong to the same project as the new CA")
	}
	if err := require(ctx, q, p, parent.ProjectID, auth.ActionSignIntermediate); err != nil {
		return store.CACert{}, err
	}
	if parent.ActiveCACertID == nil {
		return store.CACert{}, errs.New(errs.BadRequest, msgParentNoCert)
	}
	if parent.Status == StatusDisabled {
		return store.CACert{}, errs.New(errs.BadRequest, msgParentDisabled)
	}
	subject, err := pki.EncodeName(in.Subject.Name())
	if err != nil {
		return store.CACert{}, err
	}
	signed, err := s.issueIntermediate(ctx, q, parent, IntermediateRequest{
		RawSubject: subject, PublicKey: pub, NotBefore: in.NotBefore,
		NotAfter: *in.NotAfter, MaxPathLength: in.MaxPathLength,
	})
	if err != nil {
		return store.CACert{}, err
	}
	c := signed.parsed
	row := newCACertRow(ca.ID, 1, c.Raw, signed.CertificateChain, c.SerialNumber, c.NotBefore, c.NotAfter, now)
	setActive(ca, row)
	ca.ParentCAID = &parent.ID
	ca.Status = StatusActive
	if in.RequestedStatus == StatusDisabled {
		ca.Status = StatusDisabled
	}
	return row, nil
}
