package e2e

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

const msgImportMismatchPrefix = "Imported certificate does not match CA configuration: "

// externalCA is a CA unknown to pkid, made by the test.
type externalCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// newExternalRoot makes a self-signed P-256 root outside pkid.
func newExternalRoot(t *testing.T, cn string) externalCA {
	t.Helper()
	key, err := pki.GenerateKey(rand.Reader, pki.ECP256)
	if err != nil {
		t.Fatal(err)
	}
	skid, _ := pki.SubjectKeyID(key.Public())
	tmpl := pki.CATemplate(pki.CAProfile{
		Subject: pkix.Name{CommonName: cn, Organization: []string{"External"}}, PublicKey: key.Public(),
		SerialNumber: mustSerial(t), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		SubjectKeyID: skid, AuthorityKeyID: skid,
	})
	cert, err := pki.Sign(tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return externalCA{cert: cert, key: key}
}

func mustSerial(t *testing.T) *big.Int {
	t.Helper()
	n, err := pki.NewSerial(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sign issues a CA certificate for rawSubject and pub, as an external CA
// that copies the CSR subject unchanged would.
func (e externalCA) sign(t *testing.T, rawSubject []byte, pub crypto.PublicKey, pathLen *int) *x509.Certificate {
	t.Helper()
	skid, _ := pki.SubjectKeyID(pub)
	tmpl := pki.CATemplate(pki.CAProfile{
		RawSubject: rawSubject, PublicKey: pub, SerialNumber: mustSerial(t),
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().AddDate(3, 0, 0),
		MaxPathLen: pathLen, Intermediate: true, SubjectKeyID: skid, AuthorityKeyID: e.cert.SubjectKeyId,
	})
	cert, err := pki.Sign(tmpl, e.cert, pub, e.key)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func parseCSR(t *testing.T, csrPEM string) *x509.CertificateRequest {
	t.Helper()
	csr, err := pki.ParseCSRPEM(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatalf("CSR signature: %v", err)
	}
	return csr
}

// TestExternalRootImport signs a pkid intermediate's CSR with a root made
// by the test, imports it, builds an issuing CA under it and checks that
// renewal rejects the external parent.
func TestExternalRootImport(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "external-root")
		ext := newExternalRoot(t, "External Root")

		ca := s.CreateCA(t, token, intermediateBody(project, "ext-intermediate", "EC_secp384r1", "", time.Time{}, intPtr(1)))
		csr := parseCSR(t, s.csr(t, token, ca.ID))
		checkCSRExtensions(t, csr, 1)
		cert := ext.sign(t, csr.RawSubject, csr.PublicKey, intPtr(1))
		s.importCert(t, token, ca.ID, pemOf(cert), pemOf(ext.cert))

		got := s.getCA(t, token, ca.ID)
		if got.Status != "active" || got.Configuration.ParentCAID != nil || got.Configuration.ActiveCACertID == nil {
			t.Errorf("after import: status %q, parentCaId %v, activeCaCertId %v; want active, null, set",
				got.Status, got.Configuration.ParentCAID, got.Configuration.ActiveCACertID)
		}
		versions := s.CACertificates(t, token, ca.ID)
		if len(versions) != 1 || versions[0].Version != 1 || versions[0].CertificateChain != pemOf(ext.cert) {
			t.Fatalf("after import want version 1 with the external root as chain, got %+v", versions)
		}
		verifyPath(t, versions[0].Certificate, versions[0].CertificateChain)

		issuing := s.CreateCA(t, token, intermediateBody(project, "ext-issuing", "EC_prime256v1", ca.ID, time.Now().AddDate(2, 0, 0), intPtr(0)))
		active := s.activeCert(t, token, issuing.ID)
		if active.CertificateChain != versions[0].Certificate+"\n"+pemOf(ext.cert) {
			t.Error("issuing CA chain is not the imported intermediate then the external root")
		}
		// Only the certificate pkid signed is linted: the chain contains the
		// test's external certificates.
		verifyPath(t, active.Certificate, active.CertificateChain)
		RequireCleanLint(t, ParseCert(t, active.Certificate))

		s.Do(t, http.MethodPost, caBase+"/"+ca.ID+"/renew", token, map[string]any{
			"type": "existing", "notAfter": time.Now().AddDate(4, 0, 0).Format(time.RFC3339),
		}).ExpectError(t, http.StatusBadRequest, "BadRequest", "Failed to renew intermediate CA certificate with external parent CA")
		// The issuing CA's parent is in pkid, so it still renews.
		s.Renew(t, token, issuing.ID, time.Now().AddDate(2, 6, 0))
	})
}

// checkCSRExtensions checks that a CSR requests the intermediate profile.
func checkCSRExtensions(t *testing.T, csr *x509.CertificateRequest, pathLen int) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range csr.Extensions {
		seen[e.Id.String()] = e.Critical
	}
	if crit, ok := seen["2.5.29.19"]; !ok || !crit {
		t.Error("CSR does not request a critical basicConstraints")
	}
	if crit, ok := seen["2.5.29.15"]; !ok || !crit {
		t.Error("CSR does not request a critical keyUsage")
	}
	// Signing the CSR's requested extensions as they are must give the
	// requested profile.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), ExtraExtensions: csr.Extensions}
	key, _ := pki.GenerateKey(rand.Reader, pki.ECP256)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	if !c.IsCA || c.MaxPathLen != pathLen || c.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("CSR requests cA=%v pathLen=%d keyUsage=%b", c.IsCA, c.MaxPathLen, c.KeyUsage)
	}
}

// TestImportChecks runs each import check of the API contract.
func TestImportChecks(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "import-checks")
		ext := newExternalRoot(t, "External Root")
		extInter := ext.signNamed(t, "External Intermediate", nil)

		ca := s.CreateCA(t, token, intermediateBody(project, "target", "EC_prime256v1", "", time.Time{}, nil))
		csr := parseCSR(t, s.csr(t, token, ca.ID))
		otherKey, _ := pki.GenerateKey(rand.Reader, pki.ECP256)
		otherSubject, _ := pki.EncodeName(pkix.Name{CommonName: "target CA", Organization: []string{"someone else"}, Country: []string{"US"}})
		good := extInter.sign(t, csr.RawSubject, csr.PublicKey, nil)
		goodChain := pemOf(extInter.cert) + "\n" + pemOf(ext.cert)
		unrelated := newExternalRoot(t, "Unrelated Root")
		root := s.CreateCA(t, token, RootRequest(project, "import-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))

		cases := []struct {
			name, caID, cert, chain string
			status                  int
			message, prefix         string
		}{
			{"wrong key", ca.ID, pemOf(extInter.sign(t, csr.RawSubject, otherKey.Public(), nil)), goodChain, 400, "CA and certificate public key do not match", ""},
			{"wrong subject", ca.ID, pemOf(extInter.sign(t, otherSubject, csr.PublicKey, nil)), goodChain, 400, "", msgImportMismatchPrefix + "subject"},
			{"wrong path length", ca.ID, pemOf(extInter.sign(t, csr.RawSubject, csr.PublicKey, intPtr(2))), goodChain, 400, "", msgImportMismatchPrefix + "path length"},
			{"broken chain", ca.ID, pemOf(good), pemOf(unrelated.cert), 400, "Invalid certificate chain", ""},
			{"wrong order", ca.ID, pemOf(good), pemOf(ext.cert) + "\n" + pemOf(extInter.cert), 400, "Invalid certificate chain", ""},
			{"root missing", ca.ID, pemOf(good), pemOf(extInter.cert), 400, "Invalid certificate chain", ""},
			{"empty chain", ca.ID, pemOf(good), "", 400, "Invalid certificate chain", ""},
			{"root CA", root.ID, pemOf(good), goodChain, 400, "", "Root CA cannot import a certificate"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				resp := s.Do(t, http.MethodPost, caBase+"/"+tc.caID+"/import-certificate", token,
					map[string]any{"certificate": tc.cert, "certificateChain": tc.chain})
				env := resp.ExpectError(t, tc.status, "BadRequest", tc.message)
				if tc.prefix != "" && !strings.HasPrefix(string(env.Message), `"`+tc.prefix) {
					t.Errorf("message %s, want prefix %q", env.Message, tc.prefix)
				}
			})
		}
		t.Run("malformed certificate", func(t *testing.T) {
			s.Do(t, http.MethodPost, caBase+"/"+ca.ID+"/import-certificate", token,
				map[string]any{"certificate": "not a certificate", "certificateChain": goodChain}).ExpectValidation(t, "certificate")
		})
		if got := s.getCA(t, token, ca.ID); got.Status != "pending-certificate" {
			t.Fatalf("rejected imports changed status to %q", got.Status)
		}
		t.Run("two-level external chain", func(t *testing.T) {
			s.importCert(t, token, ca.ID, pemOf(good), goodChain)
			active := s.activeCert(t, token, ca.ID)
			if active.CertificateChain != goodChain {
				t.Errorf("chain after import %q, want the imported one", active.CertificateChain)
			}
			verifyPath(t, active.Certificate, active.CertificateChain)
			// A second import becomes version 2.
			s.importCert(t, token, ca.ID, pemOf(extInter.sign(t, csr.RawSubject, csr.PublicKey, nil)), goodChain)
			if v := s.CACertificates(t, token, ca.ID); len(v) != 2 || v[1].Version != 2 {
				t.Errorf("second import: want versions 1 and 2, got %d", len(v))
			}
		})
	})
}

// signNamed makes an external intermediate CA under e.
func (e externalCA) signNamed(t *testing.T, cn string, pathLen *int) externalCA {
	t.Helper()
	key, err := pki.GenerateKey(rand.Reader, pki.ECP256)
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := pki.EncodeName(pkix.Name{CommonName: cn, Organization: []string{"External"}})
	return externalCA{cert: e.sign(t, subject, key.Public(), pathLen), key: key}
}

// TestPrintableStringSubject checks that a subject encoded as
// PrintableString keeps that exact encoding through CSR,
// sign-intermediate, import and renewal, with pkid and external parents.
func TestPrintableStringSubject(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "printable")
		root := s.CreateCA(t, token, RootRequest(project, "root", "RSA_2048", time.Now().AddDate(10, 0, 0)))
		ext := newExternalRoot(t, "External Root")

		for _, parent := range []string{"pkid", "external"} {
			t.Run(parent, func(t *testing.T) {
				ca := s.CreateCA(t, token, intermediateBody(project, "printable-"+parent, "EC_prime256v1", "", time.Time{}, nil))
				csr := parseCSR(t, s.csr(t, token, ca.ID))
				requirePrintable(t, csr.RawSubject)
				var certPEM, chain string
				if parent == "pkid" {
					signed := s.signIntermediate(t, token, root.ID, map[string]any{
						"csr": s.csr(t, token, ca.ID), "notAfter": time.Now().AddDate(2, 0, 0).Format(time.RFC3339)})
					certPEM, chain = signed.Certificate, signed.CertificateChain
				} else {
					certPEM, chain = pemOf(ext.sign(t, csr.RawSubject, csr.PublicKey, nil)), pemOf(ext.cert)
				}
				if got := ParseCert(t, certPEM).RawSubject; string(got) != string(csr.RawSubject) {
					t.Fatalf("signed subject %x differs from CSR subject %x", got, csr.RawSubject)
				}
				s.importCert(t, token, ca.ID, certPEM, chain)
				if got := ParseCert(t, s.activeCert(t, token, ca.ID).Certificate).RawSubject; string(got) != string(csr.RawSubject) {
					t.Errorf("imported subject %x differs from CSR subject", got)
				}
				if parent == "pkid" {
					renewed := s.Renew(t, token, ca.ID, time.Now().AddDate(3, 0, 0))
					if got := ParseCert(t, renewed.Certificate).RawSubject; string(got) != string(csr.RawSubject) {
						t.Errorf("renewed subject %x differs from CSR subject", got)
					}
				}
			})
		}
	})
}

// requirePrintable fails unless every attribute value of a DER name is a
// PrintableString.
func requirePrintable(t *testing.T, der []byte) {
	t.Helper()
	type attribute struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	type rdnSET []attribute
	var rdns []rdnSET
	if _, err := asn1.Unmarshal(der, &rdns); err != nil {
		t.Fatalf("decoding name: %v", err)
	}
	for _, rdn := range rdns {
		for _, a := range rdn {
			if a.Value.Tag != asn1.TagPrintableString {
				t.Errorf("attribute %v has tag %d, want PrintableString", a.Type, a.Value.Tag)
			}
		}
	}
}
