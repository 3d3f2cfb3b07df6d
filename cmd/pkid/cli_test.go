package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/client"
	"github.com/pkid/pkid/internal/e2e"
)

// cliFlow carries the ids one walkthrough creates from step to step.
type cliFlow struct {
	cli     *cliRunner
	dir     string
	project string
	root    string
	inter   string
	leaf    string
	leafSN  string
}

// TestCLIWalkthrough drives a real server through the pkid binary only:
// login, a project, a root, an intermediate signed by it, renewals of
// both, a certificate, its revocation and the CRL. Files written by --out
// are checked with openssl and Go's x509, and -o json against the API.
func TestCLIWalkthrough(t *testing.T) {
	e2e.ForEachBackend(t, func(t *testing.T, b e2e.Backend) {
		s := e2e.Start(t, b, e2e.Options{})
		fl := &cliFlow{cli: newCLI(t, s), dir: t.TempDir()}
		steps := []struct {
			name string
			run  func(*testing.T, *cliFlow)
		}{
			{"login", testCLILogin},
			{"project", testCLIProject},
			{"root", testCLIRoot},
			{"root renew", testCLIRootRenew},
			{"intermediate", testCLIIntermediate},
			{"intermediate renew", testCLIIntermediateRenew},
			{"issue certificate", testCLIIssue},
			{"sign certificate", testCLISign},
			{"revoke and CRL", testCLIRevokeCRL},
			{"csr sign import", testCLICSRSignImport},
			{"disable enable delete", testCLIStatusDelete},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				fl.cli.t = t
				st.run(t, fl)
			})
		}
	})
}

func testCLILogin(t *testing.T, fl *cliFlow) {
	fl.cli.login()
	_, mode := readFile(t, fl.cli.tokenFile())
	if mode != 0o600 {
		t.Errorf("token file mode %o, want 600", mode)
	}
	info, err := os.Stat(filepath.Dir(fl.cli.tokenFile()))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("token directory mode %o, want 700", info.Mode().Perm())
	}
	var saved savedToken
	data, _ := readFile(t, fl.cli.tokenFile())
	if err := json.Unmarshal([]byte(data), &saved); err != nil {
		t.Fatalf("token file is not JSON: %v", err)
	}
	if saved.Server != fl.cli.server.URL || saved.AccessToken == "" {
		t.Errorf("saved login has server %q and token set %v", saved.Server, saved.AccessToken != "")
	}
	if d := time.Until(saved.ExpiresAt); d < time.Hour || d > 3*time.Hour {
		t.Errorf("saved expiry %v is not about the server's 2 h token lifetime from now", saved.ExpiresAt)
	}
	if strings.Contains(data, e2e.AdminClientSecret) {
		t.Error("token file contains the client secret")
	}
}

func testCLIProject(t *testing.T, fl *cliFlow) {
	var created struct {
		Project client.Project `json:"project"`
	}
	fl.cli.json(&created, "project", "create", "CLI walkthrough")
	fl.project = created.Project.ID
	if fl.project == "" || created.Project.Name != "CLI walkthrough" {
		t.Fatalf("project create returned %+v", created.Project)
	}
	out := fl.cli.json(&created, "project", "get", fl.project)
	api := fl.cli.server.Do(t, http.MethodGet, "/api/v1/projects/"+fl.project, fl.cli.server.AdminToken(t), nil).OK(t, nil)
	requireSameJSON(t, "project get", []byte(out), api.Body)
	text := fl.cli.ok("project", "get", fl.project)
	requireContains(t, "project get text", text, "ID:", fl.project, "CLI walkthrough", "cert-manager")
}

func testCLIRoot(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.project, "project")
	out := filepath.Join(fl.dir, "root")
	text := fl.cli.ok("ca", "create", "--project", fl.project, "--name", "cli-root", "--type", "root",
		"--common-name", "CLI Root CA", "--organization", "pkid e2e", "--country", "US",
		"--key-algorithm", "EC_secp384r1", "--not-after", "3y", "--out", out)
	requireContains(t, "ca create text", text, "cli-root", "root", "active", "EC_secp384r1",
		"CN=CLI Root CA", "days left", "Serial:")

	var cas []client.CA
	listJSON := fl.cli.json(&cas, "ca", "list", "--project", fl.project)
	if len(cas) != 1 || cas[0].Name != "cli-root" {
		t.Fatalf("ca list returned %+v", cas)
	}
	fl.root = cas[0].ID
	token := fl.cli.server.AdminToken(t)
	api := fl.cli.server.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal?projectId="+fl.project, token, nil).OK(t, nil)
	requireSameJSON(t, "ca list", []byte(listJSON), api.Body)
	requireContains(t, "ca list text", fl.cli.ok("ca", "list", "--project", fl.project), "NAME", "cli-root", fl.root)

	var ca client.CA
	getJSON := fl.cli.json(&ca, "ca", "get", fl.root)
	api = fl.cli.server.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+fl.root, token, nil).OK(t, nil)
	requireSameJSON(t, "ca get", []byte(getJSON), api.Body)

	certPEM, _ := readFile(t, filepath.Join(out, "certificate.pem"))
	cert := e2e.ParseCert(t, certPEM)
	if cert.Subject.CommonName != "CLI Root CA" || !cert.IsCA {
		t.Errorf("root certificate subject %s, IsCA %v", cert.Subject, cert.IsCA)
	}
	if msg, ok := e2e.OpenSSLVerify(t, certPEM, certPEM, nil); !ok {
		t.Errorf("openssl verify of the root written by --out: %s", msg)
	}
	if _, err := os.Stat(filepath.Join(out, "chain.pem")); !os.IsNotExist(err) {
		t.Errorf("a root has an empty chain, so --out should write no chain.pem (stat: %v)", err)
	}
}

func testCLIRootRenew(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.root, "root")
	var before client.CA
	fl.cli.json(&before, "ca", "get", fl.root)
	oldNotAfter, err := time.Parse(time.RFC3339, *before.Configuration.NotAfter)
	if err != nil {
		t.Fatal(err)
	}

	var renewed client.CACert
	fl.cli.json(&renewed, "ca", "renew", fl.root, "--extend", "5y")
	c := e2e.ParseCert(t, renewed.Certificate)
	if want := oldNotAfter.AddDate(5, 0, 0); !c.NotAfter.Equal(want) {
		t.Errorf("--extend 5y: notAfter %v, want %v", c.NotAfter, want)
	}
	if renewed.CertID == "" || renewed.SerialNumber == "" {
		t.Errorf("renew -o json lacks certId or serialNumber: %+v", renewed)
	}

	absolute := time.Now().UTC().AddDate(12, 0, 0).Truncate(time.Second)
	out := filepath.Join(fl.dir, "root-renewed")
	text := fl.cli.ok("ca", "renew", fl.root, "--not-after", absolute.Format(time.RFC3339), "--out", out)
	requireContains(t, "ca renew text", text, "Serial:", "Not after:", absolute.Format(time.RFC3339), "days left")
	certPEM, _ := readFile(t, filepath.Join(out, "certificate.pem"))
	if got := e2e.ParseCert(t, certPEM).NotAfter; !got.Equal(absolute) {
		t.Errorf("--not-after: notAfter %v, want %v", got, absolute)
	}

	var versions []client.CACert
	certsJSON := fl.cli.json(&versions, "ca", "certs", fl.root)
	api := fl.cli.server.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+fl.root+"/ca-certificates",
		fl.cli.server.AdminToken(t), nil).OK(t, nil)
	requireSameJSON(t, "ca certs", []byte(certsJSON), api.Body)
	if len(versions) != 3 || versions[2].Version != 3 {
		t.Fatalf("want versions 1 to 3 after two renewals, got %d", len(versions))
	}
	table := fl.cli.ok("ca", "certs", fl.root)
	requireContains(t, "ca certs text", table, "VERSION", versions[0].SerialNumber, versions[2].CertID, "active")
}

func testCLIIntermediate(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.root, "root")
	var ca client.CA
	fl.cli.json(&ca, "ca", "create", "--project", fl.project, "--name", "cli-issuing", "--type", "intermediate",
		"--parent", fl.root, "--common-name", "CLI Issuing CA", "--organization", "pkid e2e",
		"--key-algorithm", "EC_prime256v1", "--not-after", "2y", "--max-path-length", "0")
	if ca.Status != "active" {
		t.Fatalf("intermediate created with --parent has status %q, want active", ca.Status)
	}
	fl.inter = ca.ID
	out := filepath.Join(fl.dir, "issuing")
	text := fl.cli.ok("ca", "get", fl.inter, "--out", out)
	requireContains(t, "intermediate get text", text, "intermediate", "Parent CA:", fl.root, "Max path length:  0")
	certPEM, _ := readFile(t, filepath.Join(out, "certificate.pem"))
	chainPEM, _ := readFile(t, filepath.Join(out, "chain.pem"))
	rootPEM, _ := readFile(t, filepath.Join(fl.dir, "root-renewed", "certificate.pem"))
	if msg, ok := e2e.OpenSSLVerify(t, certPEM, rootPEM, []string{chainPEM}); !ok {
		t.Errorf("openssl verify of the intermediate against the root: %s", msg)
	}
}

func testCLIIntermediateRenew(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.inter, "intermediate")
	var renewed client.CACert
	fl.cli.json(&renewed, "ca", "renew", fl.inter, "--extend", "1y")
	c := e2e.ParseCert(t, renewed.Certificate)
	if time.Until(c.NotAfter) < 2*365*24*time.Hour {
		t.Errorf("renewed intermediate notAfter %v, want about 3 years from now", c.NotAfter)
	}
	rootPEM, _ := readFile(t, filepath.Join(fl.dir, "root-renewed", "certificate.pem"))
	if msg, ok := e2e.OpenSSLVerify(t, renewed.Certificate, rootPEM, []string{renewed.CertificateChain}); !ok {
		t.Errorf("openssl verify of the renewed intermediate: %s", msg)
	}
}

func testCLIIssue(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.inter, "intermediate")
	out := filepath.Join(fl.dir, "www")
	var issued client.IssuedCertificate
	fl.cli.json(&issued, "cert", "issue", "--ca", fl.inter, "--common-name", "www.example.test",
		"--alt-names", "www.example.test,api.example.test", "--ttl", "24h", "--out", out)
	fl.leaf, fl.leafSN = issued.CertificateID, issued.SerialNumber
	if issued.PrivateKey == "" || issued.CertificateID == "" {
		t.Fatalf("cert issue -o json lacks privateKey or certificateId")
	}
	certPEM, _ := readFile(t, filepath.Join(out, "certificate.pem"))
	chainPEM, _ := readFile(t, filepath.Join(out, "chain.pem"))
	keyPEM, keyMode := readFile(t, filepath.Join(out, "private-key.pem"))
	if keyMode != 0o600 {
		t.Errorf("private-key.pem mode %o, want 600", keyMode)
	}
	if _, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM)); err != nil {
		t.Errorf("private-key.pem does not match certificate.pem: %v", err)
	}
	leaf := e2e.ParseCert(t, certPEM)
	if len(leaf.DNSNames) != 2 || time.Until(leaf.NotAfter) > 25*time.Hour {
		t.Errorf("leaf DNS names %v, notAfter %v; want two names and a 24 h lifetime", leaf.DNSNames, leaf.NotAfter)
	}
	// chain.pem ends with the root, so it serves as the trust store too.
	if msg, ok := e2e.OpenSSLVerify(t, certPEM, chainPEM, nil); !ok {
		t.Errorf("openssl verify of the leaf with chain.pem: %s", msg)
	}
	var record struct {
		Certificate client.Certificate `json:"certificate"`
	}
	getJSON := fl.cli.json(&record, "cert", "get", fl.leaf)
	api := fl.cli.server.Do(t, http.MethodGet, "/api/v1/cert-manager/certificates/"+fl.leaf, fl.cli.server.AdminToken(t), nil).OK(t, nil)
	requireSameJSON(t, "cert get", []byte(getJSON), api.Body)
	again := filepath.Join(fl.dir, "www-again")
	fl.cli.ok("cert", "get", fl.leaf, "--private-key", "--out", again)
	if keyAgain, _ := readFile(t, filepath.Join(again, "private-key.pem")); keyAgain != keyPEM {
		t.Error("cert get --private-key wrote a different key than cert issue")
	}

	res := fl.cli.runWith("", nil, "cert", "issue", "--ca", fl.inter, "--common-name", "again.example.test", "--out", out)
	if res.exitCode == 0 || !strings.Contains(res.stderr, "private-key.pem already exists") {
		t.Errorf("issuing into a directory with a key: exit %d, stderr %q; want a refusal to replace the key", res.exitCode, res.stderr)
	}
}

func testCLISign(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.inter, "intermediate")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "csr.example.test"},
		DNSNames: []string{"csr.example.test"},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	csrFile := filepath.Join(fl.dir, "leaf.csr")
	if err := os.WriteFile(csrFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(fl.dir, "signed")
	text := fl.cli.ok("cert", "sign", "--ca", fl.inter, "--csr", csrFile, "--ttl", "90d", "--out", out)
	requireContains(t, "cert sign text", text, "Certificate ID:", "CN=csr.example.test")
	certPEM, _ := readFile(t, filepath.Join(out, "certificate.pem"))
	chainPEM, _ := readFile(t, filepath.Join(out, "chain.pem"))
	if msg, ok := e2e.OpenSSLVerify(t, certPEM, chainPEM, nil); !ok {
		t.Errorf("openssl verify of the signed leaf with chain.pem: %s", msg)
	}
	if _, err := os.Stat(filepath.Join(out, "private-key.pem")); !os.IsNotExist(err) {
		t.Errorf("cert sign wrote a private-key.pem (stat: %v)", err)
	}
}

func testCLIRevokeCRL(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.leaf, "issue certificate")
	text := fl.cli.ok("cert", "revoke", fl.leaf, "--reason", "KEY_COMPROMISE")
	requireContains(t, "cert revoke text", text, "Successfully revoked certificate", fl.leafSN)
	var record struct {
		Certificate client.Certificate `json:"certificate"`
	}
	fl.cli.json(&record, "cert", "get", fl.leaf)
	if record.Certificate.Status != "revoked" {
		t.Errorf("certificate status %q after revoke, want revoked", record.Certificate.Status)
	}
	if record.Certificate.RevocationReason != "KEY_COMPROMISE" {
		t.Errorf("revocation reason %q, want KEY_COMPROMISE", record.Certificate.RevocationReason)
	}
	text = fl.cli.ok("cert", "get", fl.leaf)
	requireContains(t, "cert get text", text, "revoked", "Revoked at:", "KEY_COMPROMISE")

	out := filepath.Join(fl.dir, "crl")
	fl.cli.ok("crl", "get", fl.inter, "--out", out)
	crlPath := filepath.Join(out, "crl.pem")
	issuerPath := filepath.Join(fl.dir, "issuing", "certificate.pem")
	msg, err := exec.Command(e2e.OpenSSL(t), "crl", "-noout", "-in", crlPath, "-CAfile", issuerPath).CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "verify OK") {
		t.Errorf("openssl crl -noout -CAfile issuer: %v: %s", err, msg)
	}
	crlPEM, _ := readFile(t, crlPath)
	block, _ := pem.Decode([]byte(crlPEM))
	if block == nil || block.Type != "X509 CRL" {
		t.Fatalf("crl.pem has no X509 CRL block: %q", crlPEM)
	}
	crl, err := x509.ParseRevocationList(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, entry := range crl.RevokedCertificateEntries {
		if strings.EqualFold(entry.SerialNumber.Text(16), strings.TrimLeft(fl.leafSN, "0")) {
			found = true
		}
	}
	if !found {
		t.Errorf("CRL does not list the revoked serial %s", fl.leafSN)
	}
	if printed := fl.cli.ok("crl", "get", fl.inter); strings.TrimSpace(printed) != strings.TrimSpace(crlPEM) {
		t.Error("crl get without --out printed a different CRL than it wrote")
	}
	var crls []client.CRL
	crlJSON := fl.cli.json(&crls, "crl", "get", fl.inter)
	api := fl.cli.server.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+fl.inter+"/crls", fl.cli.server.AdminToken(t), nil).OK(t, nil)
	requireSameJSON(t, "crl get", []byte(crlJSON), api.Body)
}

// testCLICSRSignImport installs a certificate on an intermediate in three
// steps: its CSR, the root signing it, and the import.
func testCLICSRSignImport(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.root, "root")
	var pending client.CA
	fl.cli.json(&pending, "ca", "create", "--project", fl.project, "--name", "cli-pending", "--type", "intermediate",
		"--common-name", "CLI Pending CA", "--organization", "pkid e2e")
	if pending.Status != "pending-certificate" {
		t.Fatalf("intermediate without --parent has status %q, want pending-certificate", pending.Status)
	}
	out := filepath.Join(fl.dir, "pending")
	fl.cli.ok("ca", "csr", pending.ID, "--out", out)
	csrPEM, _ := readFile(t, filepath.Join(out, "ca.csr"))
	if !strings.Contains(csrPEM, "CERTIFICATE REQUEST") {
		t.Fatalf("ca.csr holds no CSR: %q", csrPEM)
	}
	fl.cli.ok("ca", "sign-intermediate", fl.root, "--csr", filepath.Join(out, "ca.csr"), "--not-after", "1y", "--out", out)
	text := fl.cli.ok("ca", "import", pending.ID,
		"--certificate", filepath.Join(out, "certificate.pem"), "--chain", filepath.Join(out, "chain.pem"))
	requireContains(t, "ca import text", text, "Successfully imported certificate to CA")
	var ca client.CA
	fl.cli.json(&ca, "ca", "get", pending.ID)
	if ca.Status != "active" {
		t.Errorf("status after import %q, want active", ca.Status)
	}
}

func testCLIStatusDelete(t *testing.T, fl *cliFlow) {
	requireStep(t, fl.root, "root")
	var ca client.CA
	fl.cli.json(&ca, "ca", "create", "--project", fl.project, "--name", "cli-short-lived",
		"--common-name", "CLI Short-lived CA", "--not-after", "1y")
	fl.cli.json(&ca, "ca", "disable", ca.ID)
	if ca.Status != "disabled" {
		t.Errorf("status after disable %q", ca.Status)
	}
	line := fl.cli.fail("", nil, "ca", "renew", ca.ID, "--extend", "1y")
	requireContains(t, "renew of a disabled CA", line, "CA is disabled", "request id")
	fl.cli.json(&ca, "ca", "enable", ca.ID)
	if ca.Status != "active" {
		t.Errorf("status after enable %q", ca.Status)
	}
	line = fl.cli.fail("", nil, "ca", "delete", ca.ID)
	requireContains(t, "delete without --yes", line, "--yes")
	requireContains(t, "ca delete", fl.cli.ok("ca", "delete", ca.ID, "--yes"), "Deleted CA cli-short-lived")
	line = fl.cli.fail("", nil, "ca", "get", ca.ID)
	requireContains(t, "get after delete", line, "not found")
}

// requireStep skips a step whose prerequisite failed earlier; that
// earlier step has already failed the test.
func requireStep(t *testing.T, id, step string) {
	t.Helper()
	if id == "" {
		t.Skipf("needs the %q step, which failed", step)
	}
}
