package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/clock"
)

func day(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// TestSignIntermediateChecks runs each sign-intermediate check of the API
// contract against a parent built for it.
func TestSignIntermediateChecks(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		now := time.Now().UTC().Truncate(time.Second)
		clk := clock.NewFake(now)
		s := Start(t, b, Options{Clock: clk})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "sign-checks")
		root := s.CreateCA(t, token, RootRequest(project, "root", "EC_secp384r1", now.AddDate(5, 0, 0)))
		rootCert := ParseCert(t, s.activeCert(t, token, root.ID).Certificate)
		disabled := s.CreateCA(t, token, RootRequest(project, "disabled", "EC_prime256v1", now.AddDate(5, 0, 0)))
		s.Do(t, http.MethodPatch, caBase+"/"+disabled.ID, token, map[string]any{"status": "disabled"}).OK(t, nil)
		pendingRoot := s.CreateCA(t, token, map[string]any{"projectId": project, "name": "pending-root",
			"configuration": map[string]any{"type": "root", "commonName": "Pending Root"}})
		short := s.CreateCA(t, token, RootRequest(project, "short", "EC_prime256v1", now.Add(2*time.Hour)))
		zero := s.CreateCA(t, token, intermediateBody(project, "zero", "EC_prime256v1", root.ID, now.AddDate(1, 0, 0), intPtr(0)))
		one := s.CreateCA(t, token, intermediateBody(project, "one", "EC_prime256v1", root.ID, now.AddDate(1, 0, 0), intPtr(1)))
		child := s.CreateCA(t, token, intermediateBody(project, "child", "EC_prime256v1", "", time.Time{}, nil))
		csr := s.csr(t, token, child.ID)
		ok := day(now.AddDate(0, 6, 0))

		cases := []struct {
			name, parent string
			body         map[string]any
			message      string
		}{
			{"disabled", disabled.ID, map[string]any{"notAfter": ok}, "CA is disabled"},
			{"no certificate", pendingRoot.ID, map[string]any{"notAfter": ok}, "CA does not have a certificate installed"},
			{"path length zero", zero.ID, map[string]any{"notAfter": ok, "maxPathLength": -1}, "Failed to issue intermediate certificate due to CA path length constraint"},
			{"path length equal", one.ID, map[string]any{"notAfter": ok, "maxPathLength": 1}, "The requested path length constraint exceeds the CA's allowed path length"},
			{"unlimited under limited", one.ID, map[string]any{"notAfter": ok, "maxPathLength": -1}, "The requested path length constraint exceeds the CA's allowed path length"},
			{"notBefore before CA", root.ID, map[string]any{"notAfter": ok, "notBefore": day(rootCert.NotBefore.Add(-time.Hour))}, "notBefore date is before CA certificate's notBefore date"},
			{"notBefore after notAfter", root.ID, map[string]any{"notAfter": ok, "notBefore": day(now.AddDate(1, 0, 0))}, "notBefore date is after notAfter date"},
			{"notAfter after CA", root.ID, map[string]any{"notAfter": day(rootCert.NotAfter.Add(time.Second))}, "notAfter date is after CA certificate's notAfter date"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tc.body["csr"] = csr
				s.Do(t, http.MethodPost, caBase+"/"+tc.parent+"/sign-intermediate", token, tc.body).
					ExpectError(t, http.StatusBadRequest, "BadRequest", tc.message)
			})
		}
		t.Run("path length below parent", func(t *testing.T) {
			signed := s.signIntermediate(t, token, one.ID, map[string]any{"csr": csr, "notAfter": ok, "maxPathLength": 0})
			if pl := ParseCert(t, signed.Certificate).MaxPathLen; pl != 0 {
				t.Errorf("pathLen %d, want 0", pl)
			}
		})
		t.Run("invalid csr", func(t *testing.T) {
			s.Do(t, http.MethodPost, caBase+"/"+root.ID+"/sign-intermediate", token,
				map[string]any{"csr": "garbage", "notAfter": ok}).ExpectValidation(t, "csr")
		})
		t.Run("missing notAfter", func(t *testing.T) {
			s.Do(t, http.MethodPost, caBase+"/"+root.ID+"/sign-intermediate", token,
				map[string]any{"csr": csr}).ExpectValidation(t, "notAfter")
		})
		t.Run("expired", func(t *testing.T) {
			clk.Advance(3 * time.Hour)
			fresh := s.Login(t, AdminClientID, AdminClientSecret)
			s.Do(t, http.MethodPost, caBase+"/"+short.ID+"/sign-intermediate", fresh,
				map[string]any{"csr": csr, "notAfter": day(now.AddDate(0, 1, 0))}).
				ExpectError(t, http.StatusBadRequest, "BadRequest", "CA is expired")
		})
	})
}

// TestPathLenZeroIntermediate checks that pathLen 0 survives renewal and
// keeps the CA from signing a sub-CA, through CSR and at creation.
func TestPathLenZeroIntermediate(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "pathlen-zero")
		root := s.CreateCA(t, token, RootRequest(project, "root", "RSA_2048", time.Now().AddDate(10, 0, 0)))
		zero := s.createViaCSR(t, token, project, "zero", "EC_prime256v1", root.ID, time.Now().AddDate(2, 0, 0), intPtr(0))
		renewed := ParseCert(t, s.Renew(t, token, zero.ID, time.Now().AddDate(3, 0, 0)).Certificate)
		if renewed.MaxPathLen != 0 || !renewed.MaxPathLenZero {
			t.Errorf("renewed pathLen %d (zero flag %v), want 0", renewed.MaxPathLen, renewed.MaxPathLenZero)
		}
		const msg = "Failed to issue intermediate certificate due to CA path length constraint"
		child := s.CreateCA(t, token, intermediateBody(project, "child", "EC_prime256v1", "", time.Time{}, intPtr(0)))
		s.Do(t, http.MethodPost, caBase+"/"+zero.ID+"/sign-intermediate", token, map[string]any{
			"csr": s.csr(t, token, child.ID), "notAfter": day(time.Now().AddDate(1, 0, 0)), "maxPathLength": 0,
		}).ExpectError(t, http.StatusBadRequest, "BadRequest", msg)
		s.Do(t, http.MethodPost, caBase, token,
			intermediateBody(project, "child-one-step", "EC_prime256v1", zero.ID, time.Now().AddDate(1, 0, 0), intPtr(0))).
			ExpectError(t, http.StatusBadRequest, "BadRequest", msg)
	})
}

// TestIntermediateRenewalChecks runs each intermediate renewal check of
// the API contract, in its order.
func TestIntermediateRenewalChecks(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		token := s.AdminToken(t)
		project := s.CreateProject(t, token, "renewal-checks")
		now := time.Now().UTC().Truncate(time.Second)
		root := s.CreateCA(t, token, RootRequest(project, "root", "RSA_2048", now.AddDate(5, 0, 0)))
		inter := s.CreateCA(t, token, intermediateBody(project, "inter", "EC_prime256v1", root.ID, now.AddDate(2, 0, 0), nil))
		pending := s.CreateCA(t, token, intermediateBody(project, "pending", "EC_prime256v1", "", time.Time{}, nil))
		disabled := s.CreateCA(t, token, intermediateBody(project, "disabled", "EC_prime256v1", root.ID, now.AddDate(2, 0, 0), nil))
		s.Do(t, http.MethodPatch, caBase+"/"+disabled.ID, token, map[string]any{"status": "disabled"}).OK(t, nil)
		ext := newExternalRoot(t, "External Root")
		external := s.CreateCA(t, token, intermediateBody(project, "external", "EC_prime256v1", "", time.Time{}, nil))
		csr := parseCSR(t, s.csr(t, token, external.ID))
		s.importCert(t, token, external.ID, pemOf(ext.sign(t, csr.RawSubject, csr.PublicKey, nil)), pemOf(ext.cert))
		// A parent without a certificate cannot arise through the API, so
		// the test clears the parent's active certificate in the database.
		orphanRoot := s.CreateCA(t, token, RootRequest(project, "orphan-root", "EC_prime256v1", now.AddDate(5, 0, 0)))
		orphan := s.CreateCA(t, token, intermediateBody(project, "orphan", "EC_prime256v1", orphanRoot.ID, now.AddDate(2, 0, 0), nil))
		s.execSQL(t, `UPDATE cas SET active_ca_cert_id = NULL WHERE id = ?`, orphanRoot.ID)
		disabledRoot := s.CreateCA(t, token, RootRequest(project, "disabled-root", "EC_prime256v1", now.AddDate(5, 0, 0)))
		underDisabled := s.CreateCA(t, token, intermediateBody(project, "under-disabled", "EC_prime256v1", disabledRoot.ID, now.AddDate(2, 0, 0), nil))
		s.Do(t, http.MethodPatch, caBase+"/"+disabledRoot.ID, token, map[string]any{"status": "disabled"}).OK(t, nil)

		later := now.AddDate(3, 0, 0)
		cases := []struct {
			name, caID string
			notAfter   time.Time
			status     int
			errorName  string
			message    string
		}{
			{"unknown CA", "00000000-0000-4000-8000-000000000001", later, 404, "NotFound", "CA with ID '00000000-0000-4000-8000-000000000001' not found"},
			{"no certificate", pending.ID, later, 400, "BadRequest", "CA does not have a certificate installed"},
			{"disabled", disabled.ID, later, 400, "BadRequest", "CA is disabled"},
			{"notAfter in the past", inter.ID, now.Add(-time.Hour), 400, "BadRequest", "notAfter must be in the future"},
			{"external parent", external.ID, later, 400, "BadRequest", "Failed to renew intermediate CA certificate with external parent CA"},
			{"parent without certificate", orphan.ID, later, 400, "BadRequest", "Parent CA does not have a certificate installed"},
			{"parent disabled", underDisabled.ID, later, 400, "BadRequest", "Parent CA is disabled"},
			{"notAfter not later", inter.ID, now.AddDate(2, 0, 0), 400, "BadRequest", msgIntNotLater},
			{"notAfter past parent", inter.ID, now.AddDate(5, 0, 1), 400, "BadRequest", msgIntPastParent},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s.Do(t, http.MethodPost, caBase+"/"+tc.caID+"/renew", token,
					map[string]any{"type": "existing", "notAfter": day(tc.notAfter)}).
					ExpectError(t, tc.status, tc.errorName, tc.message)
			})
		}
		t.Run("notAfter equal to parent", func(t *testing.T) {
			s.Renew(t, token, inter.ID, now.AddDate(5, 0, 0))
		})
	})
}

// execSQL runs one statement on the server's database, rebinding ?
// placeholders for PostgreSQL.
func (s *Server) execSQL(t testing.TB, query string, args ...any) {
	t.Helper()
	db := s.Srv.DB()
	if db.Dialect() == "postgres" {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if _, err := db.SQL().Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
