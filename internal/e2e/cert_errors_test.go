package e2e

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/pki"
)

const (
	issuePath = "/api/v1/cert-manager/certificates/issue-certificate"
	signPath  = "/api/v1/cert-manager/certificates/sign-certificate"
)

// errorCase is one rejected request: a 422 names field, any other
// status carries message.
type errorCase struct {
	name    string
	path    string
	body    map[string]any
	status  int
	field   string
	message string
}

// TestCertIssueAndSignErrors sends one request per documented 400, 404
// and 422 of issue-certificate and sign-certificate.
func TestCertIssueAndSignErrors(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		clk := clock.NewFake(time.Now())
		s := Start(t, b, Options{Clock: clk})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "cert-errors")
		caNotAfter := clk.Now().AddDate(2, 0, 0).UTC().Truncate(time.Second)
		root := s.CreateCA(t, token, RootRequest(project, "errors-root", "EC_prime256v1", caNotAfter))
		expiring := s.CreateCA(t, token, RootRequest(project, "expiring-root", "EC_prime256v1", clk.Now().Add(time.Hour)))
		disabledBody := RootRequest(project, "disabled-root", "EC_prime256v1", caNotAfter)
		disabledBody["status"] = "disabled"
		disabled := s.CreateCA(t, token, disabledBody)
		pendingBody := RootRequest(project, "pending-root", "EC_prime256v1", caNotAfter)
		delete(pendingBody["configuration"].(map[string]any), "notAfter")
		pending := s.CreateCA(t, token, pendingBody)

		cases := certErrorCases(t, root.ID, disabled.ID, pending.ID, caNotAfter)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := s.Do(t, http.MethodPost, c.path, token, c.body)
				switch c.status {
				case http.StatusUnprocessableEntity:
					resp.ExpectValidation(t, c.field)
				case http.StatusNotFound:
					resp.ExpectError(t, c.status, "NotFound", c.message)
				default:
					resp.ExpectError(t, c.status, "BadRequest", c.message)
				}
			})
		}

		t.Run("CA is expired", func(t *testing.T) {
			clk.Advance(2 * time.Hour)
			// The admin token has expired too, so log in again.
			fresh := s.Login(t, AdminClientID, AdminClientSecret)
			s.Do(t, http.MethodPost, issuePath, fresh, map[string]any{"caId": expiring.ID, "commonName": "late.example.com"}).
				ExpectError(t, http.StatusBadRequest, "BadRequest", "CA is expired")
		})
	})
}

func certErrorCases(t *testing.T, rootID, disabledID, pendingID string, caNotAfter time.Time) []errorCase {
	issue := func(extra map[string]any) map[string]any {
		body := map[string]any{"caId": rootID, "commonName": "api.example.com"}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	csr := NewCSR(t, NewKey(t, pki.ECP256), "csr.example.com", "csr.example.com")
	sign := func(extra map[string]any) map[string]any {
		body := map[string]any{"caId": rootID, "csr": csr}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	date := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	const badCA = "00000000-0000-4000-8000-0000000000ca"
	return []errorCase{
		{"caId missing", issuePath, map[string]any{"commonName": "a.example.com"}, 422, "caId", ""},
		{"caId malformed", issuePath, issue(map[string]any{"caId": "not-a-uuid"}), 422, "caId", ""},
		{"caId malformed in path", "/api/v1/cert-manager/ca/internal/nope/issue-certificate", issue(nil), 422, "caId", ""},
		{"ttl and notAfter together", issuePath, issue(map[string]any{"ttl": "1d", "notAfter": date(time.Now().AddDate(0, 1, 0))}), 422, "notAfter", ""},
		{"ttl zero", issuePath, issue(map[string]any{"ttl": "0"}), 422, "ttl", ""},
		{"ttl zero days", issuePath, issue(map[string]any{"ttl": "0d"}), 422, "ttl", ""},
		{"ttl without unit", issuePath, issue(map[string]any{"ttl": "3600"}), 422, "ttl", ""},
		{"notAfter invalid date", issuePath, issue(map[string]any{"notAfter": "next tuesday"}), 422, "notAfter", ""},
		{"altNames invalid entry", issuePath, issue(map[string]any{"altNames": "ok.example.com,bad name!"}), 422, "altNames", ""},
		{"keyUsages unknown", issuePath, issue(map[string]any{"keyUsages": []string{"sign_everything"}}), 422, "keyUsages", ""},
		{"extendedKeyUsages unknown", issuePath, issue(map[string]any{"extendedKeyUsages": []string{"web"}}), 422, "extendedKeyUsages", ""},
		{"no commonName and no altNames", issuePath, map[string]any{"caId": rootID}, 422, "commonName", ""},
		{"csr missing", signPath, map[string]any{"caId": rootID}, 422, "csr", ""},
		{"sign ttl and notAfter together", signPath, sign(map[string]any{"ttl": "1d", "notAfter": date(time.Now().AddDate(0, 1, 0))}), 422, "notAfter", ""},

		{"CA not found", issuePath, issue(map[string]any{"caId": badCA}), 404, "", "CA with ID '" + badCA + "' not found"},
		{"CA is not active", issuePath, issue(map[string]any{"caId": disabledID}), 400, "", "CA is not active"},
		{"CA has no certificate", issuePath, issue(map[string]any{"caId": pendingID}), 400, "", "CA does not have a certificate installed"},
		{"sign CA is not active", signPath, sign(map[string]any{"caId": disabledID}), 400, "", "CA is not active"},
		{"notAfter beyond the CA", issuePath, issue(map[string]any{"notAfter": date(caNotAfter.Add(time.Hour))}), 400, "", "notAfter date is after CA certificate's notAfter date"},
		{"ttl beyond the CA", issuePath, issue(map[string]any{"ttl": "1000d"}), 400, "", "notAfter date is after CA certificate's notAfter date"},
		{"sign notAfter beyond the CA", signPath, sign(map[string]any{"notAfter": date(caNotAfter.AddDate(1, 0, 0))}), 400, "", "notAfter date is after CA certificate's notAfter date"},
		{"notBefore before the CA", issuePath, issue(map[string]any{"notBefore": date(time.Now().AddDate(-1, 0, 0))}), 400, "", "notBefore date is before CA certificate's notBefore date"},
		{"notBefore after notAfter", issuePath, issue(map[string]any{"notBefore": date(time.Now().AddDate(0, 2, 0)), "notAfter": date(time.Now().AddDate(0, 1, 0))}), 400, "", "notBefore date is after notAfter date"},
		{"notAfter in the past", issuePath, issue(map[string]any{"notAfter": date(time.Now().Add(-time.Hour))}), 400, "", "notAfter must be in the future"},
		{"keyEncipherment on an EC key", issuePath, issue(map[string]any{"keyUsages": []string{"digital_signature", "key_encipherment"}}), 400, "", "Invalid keyUsages: key usage key_encipherment is not allowed for ECDSA P-256 keys"},
		{"keyCertSign on a leaf", issuePath, issue(map[string]any{"keyUsages": []string{"key_cert_sign"}}), 400, "", "Invalid keyUsages: key usage key_cert_sign is only allowed in CA certificates"},

		{"csr not PEM", signPath, sign(map[string]any{"csr": "hello"}), 400, "", "CSR is not PEM encoded"},
		{"csr tampered", signPath, sign(map[string]any{"csr": tamperedCSR(t)}), 400, "", "CSR signature is invalid: x509: ECDSA verification failure"},
		{"csr RSA-1024", signPath, sign(map[string]any{"csr": rsa1024CSR(t)}), 400, "", "CSR key is RSA-1024; RSA keys must have at least 2048 bits"},
		{"csr Ed25519", signPath, sign(map[string]any{"csr": ed25519CSR(t)}), 400, "", "CSR key type ed25519.PublicKey is not supported; use RSA (at least 2048 bits) or ECDSA (P-256, P-384 or P-521)"},
		{"csr without names", signPath, sign(map[string]any{"csr": NewCSR(t, NewKey(t, pki.ECP256), "")}), 400, "", "The CSR has no common name and no subject alternative names; set commonName or altNames"},
	}
}

// tamperedCSR changes one letter of a signed CSR's common name, so the
// CSR still parses but its signature no longer matches.
func tamperedCSR(t *testing.T) string {
	block, _ := pem.Decode([]byte(NewCSR(t, NewKey(t, pki.ECP256), "tamper.example.com")))
	i := bytes.Index(block.Bytes, []byte("tamper"))
	if i < 0 {
		t.Fatal("common name not found in CSR")
	}
	block.Bytes[i] = 'd'
	return string(pem.EncodeToMemory(block))
}

func rsa1024CSR(t *testing.T) string {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatalf("generating RSA-1024 key: %v", err)
	}
	return NewCSR(t, key, "weak.example.com", "weak.example.com")
}

func ed25519CSR(t *testing.T) string {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return NewCSR(t, key, "ed.example.com", "ed.example.com")
}
