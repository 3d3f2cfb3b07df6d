package e2e

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// csrRSA512 is a CSR for a 512-bit RSA key, made once with
// `openssl req -new -newkey rsa:512 -subj /CN=weak512.example`. Go refuses
// to generate keys this small, so the request is a fixture.
const csrRSA512 = `-----BEGIN CERTIFICATE REQUEST-----
MIIBATCBrAIBADAaMRgwFgYDVQQDDA93ZWFrNTEyLmV4YW1wbGUwXDANBgkqhkiG
9w0BAQEFAANLADBIAkEAsqRf+UVYYrQIiLxFnnnR2vQ9v+fbU8miLwnvVV7+uynp
SX64D88sm+jttaNAcGIgDgonpIlerLhye39djbe4HwIDAQABoC0wKwYJKoZIhvcN
AQkOMR4wHDAaBgNVHREEEzARgg93ZWFrNTEyLmV4YW1wbGUwDQYJKoZIhvcNAQEL
BQADQQBClDgsW5MY1IqAzN9I0aT+eO3rouvWE64d+Hmn9wm97E0GCMBIrnSVcjul
pGMbPGGWVOmGqqJk93NJwto35C/8
-----END CERTIFICATE REQUEST-----`

// hostileCase is one malicious or malformed request and the 4xx envelope
// it must get. A 422 names field; any other status must carry message
// (exactly) or, when message is empty, a message containing contains.
type hostileCase struct {
	name        string
	method      string
	path        string
	contentType string // empty: application/json
	body        string
	status      int
	errName     string
	message     string
	contains    string
	field       string
}

// hostileFixture holds the objects the hostile requests aim at.
type hostileFixture struct {
	project  string
	rootID   string
	rootPEM  string
	pendID   string // a pending intermediate, the target of imports
	signedIC string // a certificate the root signed for pendID's key
}

func newHostileFixture(t *testing.T, s *Server, admin string) hostileFixture {
	t.Helper()
	var fx hostileFixture
	fx.project = s.CreateProject(t, admin, "hostile")
	root := s.CreateCA(t, admin, RootRequest(fx.project, "hostile-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
	fx.rootID = root.ID
	fx.rootPEM = s.activeCert(t, admin, root.ID).Certificate
	pend := s.CreateCA(t, admin, intermediateBody(fx.project, "hostile-pending", "EC_prime256v1", "", time.Time{}, nil))
	fx.pendID = pend.ID
	fx.signedIC = s.signIntermediate(t, admin, root.ID, map[string]any{
		"csr": s.csr(t, admin, pend.ID), "notAfter": time.Now().AddDate(2, 0, 0).UTC().Format(time.RFC3339),
	}).Certificate
	return fx
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// badSignatureCSR returns a CSR for a good key whose signature has one
// bit flipped.
func badSignatureCSR(t *testing.T) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "forged.example"}, DNSNames: []string{"forged.example"},
	}, NewKey(t, "EC_prime256v1"))
	if err != nil {
		t.Fatal(err)
	}
	der[len(der)-3] ^= 0x01 // inside the signature BIT STRING
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func hostileCases(t *testing.T, s *Server, admin string, fx hostileFixture) []hostileCase {
	caPath := caBase
	issuePath := "/api/v1/cert-manager/certificates/issue-certificate"
	signPath := "/api/v1/cert-manager/certificates/sign-certificate"
	importPath := caBase + "/" + fx.pendID + "/import-certificate"
	signICPath := caBase + "/" + fx.rootID + "/sign-intermediate"
	renewPath := caBase + "/" + fx.rootID + "/renew"

	rootBody := func(mutate func(cfg map[string]any)) string {
		body := RootRequest(fx.project, "hostile-extra", "EC_prime256v1", time.Now().AddDate(1, 0, 0))
		mutate(body["configuration"].(map[string]any))
		return jsonString(t, body)
	}
	issue := func(extra map[string]any) string {
		body := map[string]any{"caId": fx.rootID, "commonName": "leaf.example", "ttl": "1d"}
		for k, v := range extra {
			body[k] = v
		}
		return jsonString(t, body)
	}
	names := make([]string, 10000)
	for i := range names {
		names[i] = fmt.Sprintf("host%d.example", i)
	}
	rootChain1000 := strings.TrimSuffix(strings.Repeat(fx.rootPEM+"\n", 1000), "\n")
	csr := s.csr(t, admin, fx.pendID)
	csrs1000 := strings.TrimSuffix(strings.Repeat(csr+"\n", 1000), "\n")
	nested := `{"projectName":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	sqlName := `x'); DROP TABLE cas; --`

	return []hostileCase{
		{name: "body over 64 KiB", method: "POST", path: caPath,
			body: `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, status: 413, errName: "PayloadTooLarge",
			message: "Request body is larger than 65536 bytes"},
		{name: "chain body over 1 MiB", method: "POST", path: importPath,
			body: `{"certificate":"` + strings.Repeat("a", 2<<20) + `"}`, status: 413, errName: "PayloadTooLarge",
			message: "Request body is larger than 1048576 bytes"},
		{name: "deeply nested JSON", method: "POST", path: "/api/v1/projects", body: nested,
			status: 400, errName: "BadRequest", contains: "Request body is not valid JSON"},
		{name: "invalid UTF-8", method: "POST", path: "/api/v1/projects",
			body: "{\"projectName\":\"bad\xff\xfename\"}", status: 400, errName: "BadRequest",
			message: "Request body is not valid UTF-8"},
		{name: "text/plain body", method: "POST", path: caPath, contentType: "text/plain",
			body: rootBody(func(map[string]any) {}), status: 400, errName: "BadRequest",
			message: `Unsupported Content-Type "text/plain": send application/json`},
		{name: "form body outside login", method: "POST", path: caPath,
			contentType: "application/x-www-form-urlencoded", body: "name=x&projectId=y",
			status: 400, errName: "BadRequest", contains: "Unsupported Content-Type"},
		{name: "multipart body", method: "POST", path: "/api/v1/projects",
			contentType: "multipart/form-data; boundary=x", body: "--x--", status: 400,
			errName: "BadRequest", contains: "Unsupported Content-Type"},
		{name: "10000 altNames", method: "POST", path: issuePath,
			body: issue(map[string]any{"altNames": strings.Join(names, ",")}), status: 413, errName: "PayloadTooLarge"},
		{name: "101 altNames", method: "POST", path: issuePath,
			body: issue(map[string]any{"altNames": strings.Join(names[:101], ",")}), status: 422, field: "altNames"},
		{name: "CSR with RSA-512 key", method: "POST", path: signPath,
			body:   jsonString(t, map[string]any{"caId": fx.rootID, "csr": csrRSA512, "ttl": "1d"}),
			status: 400, errName: "BadRequest", message: "CSR key is RSA-512; RSA keys must have at least 2048 bits"},
		{name: "CSR with RSA-1024 key", method: "POST", path: signPath,
			body:   jsonString(t, map[string]any{"caId": fx.rootID, "csr": rsa1024CSR(t), "ttl": "1d"}),
			status: 400, errName: "BadRequest", message: "CSR key is RSA-1024; RSA keys must have at least 2048 bits"},
		{name: "CSR with bad signature", method: "POST", path: signPath,
			body:   jsonString(t, map[string]any{"caId": fx.rootID, "csr": badSignatureCSR(t), "ttl": "1d"}),
			status: 400, errName: "BadRequest", contains: "CSR signature is invalid"},
		{name: "intermediate CSR with RSA-512 key", method: "POST", path: signICPath,
			body:   jsonString(t, map[string]any{"csr": csrRSA512, "notAfter": "2027-01-01"}),
			status: 400, errName: "BadRequest", contains: "CSR public key is not supported"},
		{name: "intermediate CSR with bad signature", method: "POST", path: signICPath,
			body:   jsonString(t, map[string]any{"csr": badSignatureCSR(t), "notAfter": "2027-01-01"}),
			status: 400, errName: "BadRequest", contains: "CSR signature is invalid"},
		{name: "sign-intermediate with 1000 CSRs", method: "POST", path: signICPath,
			body:   jsonString(t, map[string]any{"csr": csrs1000, "notAfter": "2027-01-01"}),
			status: 422, field: "csr"},
		{name: "import chain of 1000 certificates", method: "POST", path: importPath,
			body:   jsonString(t, map[string]any{"certificate": fx.signedIC, "certificateChain": rootChain1000}),
			status: 400, errName: "BadRequest", message: "Invalid certificate chain"},
		{name: "import 1000 certificates as one", method: "POST", path: importPath,
			body:   jsonString(t, map[string]any{"certificate": rootChain1000, "certificateChain": fx.rootPEM}),
			status: 422, field: "certificate"},
		{name: "notAfter in year 10000", method: "POST", path: caPath,
			body: rootBody(func(c map[string]any) { c["notAfter"] = "10000-01-01T00:00:00Z" }), status: 422, field: "notAfter"},
		{name: "notAfter before 1950", method: "POST", path: caPath,
			body: rootBody(func(c map[string]any) { c["notAfter"] = "1949-12-31T23:59:59Z" }), status: 422, field: "notAfter"},
		{name: "renew to year 10000", method: "POST", path: renewPath,
			body: `{"type":"existing","notAfter":"+10000-01-01T00:00:00Z"}`, status: 422, field: "notAfter"},
		{name: "issue with notBefore before 1950", method: "POST", path: issuePath,
			body: issue(map[string]any{"notBefore": "1900-01-01", "ttl": nil, "notAfter": "2027-01-01"}), status: 422, field: "notBefore"},
		{name: "maxPathLength -2", method: "POST", path: caPath,
			body: rootBody(func(c map[string]any) { c["maxPathLength"] = -2 }), status: 422, field: "maxPathLength"},
		{name: "sign-intermediate maxPathLength -2", method: "POST", path: signICPath,
			body:   jsonString(t, map[string]any{"csr": csr, "notAfter": "2027-01-01", "maxPathLength": -2}),
			status: 422, field: "maxPathLength"},
		{name: "CA name with SQL", method: "POST", path: caPath,
			body: jsonString(t, map[string]any{"name": sqlName, "projectId": fx.project,
				"configuration": map[string]any{"type": "root", "commonName": "x"}}), status: 422, field: "name"},
		{name: "CA name with path syntax", method: "PATCH", path: caBase + "/" + fx.rootID,
			body: `{"name":"../../etc/passwd"}`, status: 422, field: "name"},
		{name: "projectId with SQL", method: "GET", path: caPath + "?projectId=" + "1%27%20OR%20%271%27%3D%271",
			status: 422, field: "projectId"},
		{name: "altName with path syntax", method: "POST", path: issuePath,
			body: issue(map[string]any{"altNames": "../../etc/passwd"}), status: 422, field: "altNames"},
		{name: "caId with SQL in body", method: "POST", path: issuePath,
			body:   jsonString(t, map[string]any{"caId": "' OR 1=1 --", "commonName": "x", "ttl": "1d"}),
			status: 422, field: "caId"},
		{name: "caId of dot-dot", method: "GET", path: caBase + "/%2e%2e/certificate", status: 400,
			errName: "BadRequest", contains: "path"},
		{name: "caId with dot-dot segment", method: "POST", path: caBase + "/" + fx.rootID + "/../" + fx.pendID + "/renew",
			body: `{"type":"existing","notAfter":"2030-01-01"}`, status: 400, errName: "BadRequest", contains: "path"},
		{name: "caId with NUL", method: "GET", path: caBase + "/" + fx.rootID + "%00", status: 422, field: "caId"},
		{name: "certificate id with NUL", method: "GET", path: "/api/v1/cert-manager/certificates/%00", status: 422, field: "certificateId"},
		{name: "serial with dot-dot", method: "GET", path: "/api/v1/pki/certificates/..%2f..%2fstatus", status: 400,
			errName: "BadRequest", contains: "path"},
		{name: "audit-logs projectId with NUL", method: "GET", path: "/api/v1/projects/%00/audit-logs",
			status: 422, field: "projectId"},
		{name: "leaf commonName with NUL", method: "POST", path: issuePath,
			body: issue(map[string]any{"commonName": "good.example\u0000.evil.example"}), status: 422, field: "commonName"},
		{name: "CA commonName with newline", method: "POST", path: caPath,
			body: rootBody(func(c map[string]any) { c["commonName"] = "Root\nCA" }), status: 422, field: "commonName"},
		{name: "CA commonName of 65 characters", method: "POST", path: caPath,
			body: rootBody(func(c map[string]any) { c["commonName"] = strings.Repeat("c", 65) }), status: 422, field: "commonName"},
		{name: "leaf commonName of 65 characters", method: "POST", path: issuePath,
			body: issue(map[string]any{"commonName": strings.Repeat("c", 65)}), status: 422, field: "commonName"},
		{name: "country of three letters", method: "POST", path: caPath,
			body: rootBody(func(c map[string]any) { c["country"] = "USA" }), status: 422, field: "country"},
		{name: "CSR DNS name with NUL", method: "POST", path: signPath,
			body: jsonString(t, map[string]any{"caId": fx.rootID, "ttl": "1d",
				"csr": NewCSR(t, NewKey(t, "EC_prime256v1"), "", "good.example\x00.evil.example")}),
			status: 400, errName: "BadRequest", contains: "not a valid DNS name"},
		{name: "CSR DNS name with wildcard label", method: "POST", path: signPath,
			body: jsonString(t, map[string]any{"caId": fx.rootID, "ttl": "1d",
				"csr": NewCSR(t, NewKey(t, "EC_prime256v1"), "", "*.*.example")}),
			status: 400, errName: "BadRequest", contains: "not a valid DNS name"},
		{name: "intermediate CSR subject with NUL", method: "POST", path: signICPath,
			body: jsonString(t, map[string]any{"notAfter": "2027-01-01",
				"csr": NewCSR(t, NewKey(t, "EC_prime256v1"), "good.example\x00.evil.example")}),
			status: 400, errName: "BadRequest", contains: "CSR subject is invalid"},
		{name: "intermediate CSR commonName of 5000 characters", method: "POST", path: signICPath,
			body: jsonString(t, map[string]any{"notAfter": "2027-01-01",
				"csr": NewCSR(t, NewKey(t, "EC_prime256v1"), strings.Repeat("c", 5000))}),
			status: 400, errName: "BadRequest", contains: "at most 64"},
		{name: "leaf commonName with right-to-left override", method: "POST", path: issuePath,
			body: issue(map[string]any{"commonName": "a\u202eb.example"}), status: 422, field: "commonName"},
		{name: "100 altNames plus a separate commonName", method: "POST", path: issuePath,
			body:   issue(map[string]any{"altNames": strings.Join(names[:100], ","), "commonName": "extra.example"}),
			status: 400, errName: "BadRequest", contains: "limit is 100"},
		{name: "CSR commonName with NUL", method: "POST", path: signPath,
			body:   jsonString(t, map[string]any{"caId": fx.rootID, "csr": NewCSR(t, NewKey(t, "EC_prime256v1"), "a.example\x00.evil.example"), "ttl": "1d"}),
			status: 400, errName: "BadRequest", contains: "control or formatting characters"},
	}
}

// TestHostileInput sends each hostile request through the real server
// and expects its 4xx envelope, then checks the server still serves.
func TestHostileInput(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		fx := newHostileFixture(t, s, admin)
		for _, c := range hostileCases(t, s, admin, fx) {
			t.Run(c.name, func(t *testing.T) {
				resp := s.sendHostile(t, admin, c)
				checkHostile(t, resp, c)
			})
		}
		// Free-text fields keep SQL syntax as data: it is stored and read
		// back verbatim.
		var project struct {
			Project struct {
				Name string `json:"name"`
			} `json:"project"`
		}
		sqlName := `x'); DROP TABLE projects; --`
		id := s.CreateProject(t, admin, sqlName)
		s.Do(t, http.MethodGet, "/api/v1/projects/"+id, admin, nil).OK(t, &project)
		if project.Project.Name != sqlName {
			t.Errorf("project name %q, want %q", project.Project.Name, sqlName)
		}
		// The server keeps serving after the table.
		s.Do(t, http.MethodGet, "/api/status", "", nil).OK(t, nil)
		leaf := s.IssueCert(t, admin, map[string]any{"caId": fx.rootID, "commonName": "after.example", "ttl": "1d"})
		if _, ok := OpenSSLVerify(t, leaf.Certificate, fx.rootPEM, nil); !ok {
			t.Error("certificate issued after the hostile table does not verify")
		}
		var got CA
		s.Do(t, http.MethodGet, caBase+"/"+fx.pendID, admin, nil).OK(t, &got)
		if got.Status != "pending-certificate" {
			t.Errorf("pending intermediate has status %q after the hostile table", got.Status)
		}
	})
}

func (s *Server) sendHostile(t *testing.T, token string, c hostileCase) *Response {
	t.Helper()
	var body *strings.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(c.method, s.URL+c.path, body)
	} else {
		req, err = http.NewRequest(c.method, s.URL+c.path, nil)
	}
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	if body != nil {
		ct := c.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return s.sendNoRedirect(t, req)
}

// sendNoRedirect is Send without following redirects, so a 3xx that a
// path rewrite would produce shows up as itself.
func (s *Server) sendNoRedirect(t *testing.T, req *http.Request) *Response {
	t.Helper()
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	saved := s.client
	s.client = client
	defer func() { s.client = saved }()
	return s.Send(t, req)
}

func checkHostile(t *testing.T, resp *Response, c hostileCase) {
	t.Helper()
	if resp.Status != c.status {
		body := string(resp.Body)
		if len(body) > 500 {
			body = body[:500] + "..."
		}
		t.Fatalf("status %d, want %d; body: %s", resp.Status, c.status, body)
	}
	if c.status == http.StatusUnprocessableEntity {
		resp.ExpectValidation(t, c.field)
		return
	}
	env := resp.ExpectError(t, c.status, c.errName, c.message)
	if c.contains != "" {
		var msg string
		if err := json.Unmarshal(env.Message, &msg); err != nil || !strings.Contains(msg, c.contains) {
			t.Errorf("message %s does not contain %q", env.Message, c.contains)
		}
	}
}
