package e2e

import (
	"testing"
	"time"
)

// hierarchy is a root → intermediate → issuing CA chain of pkid CAs.
type hierarchy struct {
	root, intermediate, issuing CA
}

// TestHierarchyViaCSR builds RSA root → P-384 intermediate → P-256
// issuing CA through GET csr, sign-intermediate and import-certificate.
func TestHierarchyViaCSR(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "hierarchy-csr")
		h := buildViaCSR(t, s, token, project, time.Now())
		checkHierarchy(t, s, token, h)
	})
}

// TestHierarchyOneStep builds the same hierarchy with parentCaId and
// notAfter at creation.
func TestHierarchyOneStep(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "hierarchy-one-step")
		h := buildOneStep(t, s, token, project, time.Now())
		checkHierarchy(t, s, token, h)
	})
}

func buildViaCSR(t *testing.T, s *Server, token, project string, now time.Time) hierarchy {
	t.Helper()
	var h hierarchy
	h.root = s.CreateCA(t, token, RootRequest(project, "root", "RSA_2048", now.AddDate(10, 0, 0)))
	h.intermediate = s.createViaCSR(t, token, project, "intermediate", "EC_secp384r1", h.root.ID, now.AddDate(5, 0, 0), intPtr(1))
	h.issuing = s.createViaCSR(t, token, project, "issuing", "EC_prime256v1", h.intermediate.ID, now.AddDate(2, 0, 0), intPtr(0))
	return h
}

func buildOneStep(t *testing.T, s *Server, token, project string, now time.Time) hierarchy {
	t.Helper()
	var h hierarchy
	h.root = s.CreateCA(t, token, RootRequest(project, "root", "RSA_2048", now.AddDate(10, 0, 0)))
	h.intermediate = s.CreateCA(t, token, intermediateBody(project, "intermediate", "EC_secp384r1", h.root.ID, now.AddDate(5, 0, 0), intPtr(1)))
	h.issuing = s.CreateCA(t, token, intermediateBody(project, "issuing", "EC_prime256v1", h.intermediate.ID, now.AddDate(2, 0, 0), intPtr(0)))
	return h
}

// checkHierarchy checks the CA objects, the chains and every certificate
// of a freshly built hierarchy.
func checkHierarchy(t *testing.T, s *Server, token string, h hierarchy) {
	t.Helper()
	parents := map[string]string{h.intermediate.ID: h.root.ID, h.issuing.ID: h.intermediate.ID}
	for child, parent := range parents {
		ca := s.getCA(t, token, child)
		if ca.Status != "active" {
			t.Errorf("CA %s status %q, want active", ca.Name, ca.Status)
		}
		if ca.Configuration.ParentCAID == nil || *ca.Configuration.ParentCAID != parent {
			t.Errorf("CA %s parentCaId %v, want %s", ca.Name, ca.Configuration.ParentCAID, parent)
		}
		versions := s.CACertificates(t, token, child)
		if len(versions) != 1 || versions[0].Version != 1 {
			t.Fatalf("CA %s: want exactly version 1, got %+v", ca.Name, versions)
		}
		if ca.Configuration.ActiveCACertID == nil || *ca.Configuration.ActiveCACertID != versions[0].CertID {
			t.Errorf("CA %s activeCaCertId %v, want %s", ca.Name, ca.Configuration.ActiveCACertID, versions[0].CertID)
		}
	}
	root := s.activeCert(t, token, h.root.ID)
	inter := s.activeCert(t, token, h.intermediate.ID)
	issuing := s.activeCert(t, token, h.issuing.ID)

	if inter.CertificateChain != root.Certificate {
		t.Errorf("intermediate chain is not the root certificate:\n%s", inter.CertificateChain)
	}
	if want := inter.Certificate + "\n" + root.Certificate; issuing.CertificateChain != want {
		t.Errorf("issuing CA chain = %q, want intermediate then root", issuing.CertificateChain)
	}
	verifyWithChain(t, inter.Certificate, inter.CertificateChain)
	verifyWithChain(t, issuing.Certificate, issuing.CertificateChain)

	rootCert, interCert := ParseCert(t, root.Certificate), ParseCert(t, inter.Certificate)
	issuingCert := ParseCert(t, issuing.Certificate)
	checkIntermediateProfile(t, interCert, rootCert, intPtr(1))
	checkIntermediateProfile(t, issuingCert, interCert, intPtr(0))

	leaf := signLeafWithCAKey(t, s, h.issuing.ID, issuingCert)
	verifyPath(t, pemOf(leaf), issuing.Certificate+"\n"+issuing.CertificateChain)
}
