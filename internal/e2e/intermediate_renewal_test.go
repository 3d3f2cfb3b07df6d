package e2e

import (
	"bytes"
	"crypto/x509"
	"net/http"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

const (
	msgIntNotLater   = "New Intermediate CA certificate must have notAfter date that is greater than the current certificate notAfter date"
	msgIntPastParent = "New Intermediate CA certificate must have notAfter date that is equal to or smaller than the notAfter date of the parent CA certificate current certificate notAfter date"
	msgRootNotLater  = "New Root CA certificate must have notAfter date that is greater than the current certificate notAfter date"
)

// TestHierarchyRenewRootFirst renews root, then intermediate, then
// issuing CA of a hierarchy built in one step.
func TestHierarchyRenewRootFirst(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		now := time.Now().UTC().Truncate(time.Second)
		h := buildOneStep(t, s, token, s.CreateProject(t, token, "renew-root-first"), now)
		leaf := signLeafWithCAKey(t, s, h.issuing.ID, ParseCert(t, s.activeCert(t, token, h.issuing.ID).Certificate))

		renewChecked(t, s, token, h.root.ID, now.AddDate(10, 0, 0), now.AddDate(12, 0, 0), msgRootNotLater, "")
		// Equal to the parent's notAfter is allowed at both lower levels.
		renewChecked(t, s, token, h.intermediate.ID, now.AddDate(5, 0, 0), now.AddDate(12, 0, 0), msgIntNotLater, msgIntPastParent)
		renewChecked(t, s, token, h.issuing.ID, now.AddDate(2, 0, 0), now.AddDate(12, 0, 0), msgIntNotLater, msgIntPastParent)

		checkRenewedHierarchy(t, s, token, h, leaf)
		// Renewed after their parents, both children store the renewed
		// parent in the chain of their version 2.
		for _, id := range []string{h.intermediate.ID, h.issuing.ID} {
			versions := s.CACertificates(t, token, id)
			active := s.activeCert(t, token, id)
			if len(versions) != 2 || versions[1].CertificateChain != active.CertificateChain {
				t.Errorf("CA %s: version 2 chain differs from the current chain", id)
			}
		}
	})
}

// TestHierarchyRenewIssuingFirst renews issuing CA, then intermediate,
// then root of a hierarchy built through CSRs.
func TestHierarchyRenewIssuingFirst(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		now := time.Now().UTC().Truncate(time.Second)
		h := buildViaCSR(t, s, token, s.CreateProject(t, token, "renew-issuing-first"), now)
		leaf := signLeafWithCAKey(t, s, h.issuing.ID, ParseCert(t, s.activeCert(t, token, h.issuing.ID).Certificate))

		renewChecked(t, s, token, h.issuing.ID, now.AddDate(2, 0, 0), now.AddDate(5, 0, 0), msgIntNotLater, msgIntPastParent)
		renewChecked(t, s, token, h.intermediate.ID, now.AddDate(5, 0, 0), now.AddDate(10, 0, 0), msgIntNotLater, msgIntPastParent)
		renewChecked(t, s, token, h.root.ID, now.AddDate(10, 0, 0), now.AddDate(12, 0, 0), msgRootNotLater, "")

		checkRenewedHierarchy(t, s, token, h, leaf)
		// The issuing CA's version 2 keeps the chain it was issued with,
		// while GET certificate shows the renewed ancestors.
		versions := s.CACertificates(t, token, h.issuing.ID)
		active := s.activeCert(t, token, h.issuing.ID)
		if len(versions) != 2 || versions[1].CertificateChain == active.CertificateChain {
			t.Errorf("issuing CA version 2 should keep its original chain, got %d versions", len(versions))
		}
		verifyPath(t, versions[1].Certificate, versions[1].CertificateChain)
	})
}

// renewChecked renews a CA to want after checking the notAfter rules:
// current (not later) and, for an intermediate, one second past its
// parent's notAfter are rejected with the given messages.
func renewChecked(t *testing.T, s *Server, token, caID string, current, want time.Time, notLater, pastParent string) {
	t.Helper()
	path := caBase + "/" + caID + "/renew"
	body := func(at time.Time) map[string]any {
		return map[string]any{"type": "existing", "notAfter": at.UTC().Format(time.RFC3339)}
	}
	s.Do(t, http.MethodPost, path, token, body(current)).ExpectError(t, http.StatusBadRequest, "BadRequest", notLater)
	if pastParent != "" {
		s.Do(t, http.MethodPost, path, token, body(want.Add(time.Second))).ExpectError(t, http.StatusBadRequest, "BadRequest", pastParent)
	}
	before := ParseCert(t, s.activeCert(t, token, caID).Certificate)
	renewed := s.Renew(t, token, caID, want)
	c := ParseCert(t, renewed.Certificate)
	if !c.NotAfter.Equal(want) {
		t.Errorf("renewed notAfter %v, want %v", c.NotAfter, want)
	}
	if !bytes.Equal(c.RawSubject, before.RawSubject) || !bytes.Equal(c.SubjectKeyId, before.SubjectKeyId) ||
		!bytes.Equal(c.RawSubjectPublicKeyInfo, before.RawSubjectPublicKeyInfo) {
		t.Errorf("renewal of %s changed subject, SKID or key", c.Subject)
	}
	if pastParent != "" {
		issuer := ParseCert(t, splitPEM(renewed.CertificateChain)[0])
		checkIntermediateProfile(t, c, issuer, pki.PathLen(before))
		verifyWithChain(t, renewed.Certificate, renewed.CertificateChain)
	}
}

// checkRenewedHierarchy checks, after every level was renewed, that the
// current chains contain the renewed certificates, that everything verifies,
// and that certificates signed before the renewals still verify.
func checkRenewedHierarchy(t *testing.T, s *Server, token string, h hierarchy, leaf *x509.Certificate) {
	t.Helper()
	root := s.activeCert(t, token, h.root.ID)
	inter := s.activeCert(t, token, h.intermediate.ID)
	issuing := s.activeCert(t, token, h.issuing.ID)
	if inter.CertificateChain != root.Certificate {
		t.Error("intermediate chain does not contain the renewed root")
	}
	if issuing.CertificateChain != inter.Certificate+"\n"+root.Certificate {
		t.Error("issuing CA chain does not contain the renewed intermediate and root")
	}
	verifyWithChain(t, inter.Certificate, inter.CertificateChain)
	verifyWithChain(t, issuing.Certificate, issuing.CertificateChain)
	verifyPath(t, pemOf(leaf), issuing.Certificate+"\n"+issuing.CertificateChain)

	oldIssuing := s.CACertificates(t, token, h.issuing.ID)[0]
	oldInter := s.CACertificates(t, token, h.intermediate.ID)[0]
	verifyPath(t, oldIssuing.Certificate, issuing.CertificateChain)
	verifyPath(t, oldInter.Certificate, root.Certificate)
	verifyPath(t, pemOf(leaf), oldIssuing.Certificate+"\n"+oldIssuing.CertificateChain)
}
