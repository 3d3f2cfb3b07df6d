package e2e

import (
	"encoding/json"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/clock"
)

func renewURL(caID string) string { return "/api/v1/cert-manager/ca/internal/" + caID + "/renew" }

func renewBody(notAfter time.Time) map[string]any {
	return map[string]any{"type": "existing", "notAfter": notAfter.UTC().Format(time.RFC3339)}
}

// TestRenewCheckRows covers each root row of the renewal check list, in
// the order the contract gives, with its status, error and message.
func TestRenewCheckRows(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "checks")
		root := s.CreateCA(t, admin, RootRequest(project, "checks-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		later := time.Now().AddDate(8, 0, 0)

		t.Run("unknown CA is 404", func(t *testing.T) {
			id := "7b0c4b9e-3a57-4c0e-9d38-0a4f2a5d9e11"
			s.Do(t, http.MethodPost, renewURL(id), admin, renewBody(later)).
				ExpectError(t, 404, "NotFound", "CA with ID '"+id+"' not found")
		})
		t.Run("CA without certificate is 400", func(t *testing.T) {
			body := RootRequest(project, "pending-root", "EC_prime256v1", time.Time{})
			delete(body["configuration"].(map[string]any), "notAfter")
			pending := s.CreateCA(t, admin, body)
			if pending.Status != "pending-certificate" {
				t.Fatalf("status %q, want pending-certificate", pending.Status)
			}
			s.Do(t, http.MethodPost, renewURL(pending.ID), admin, renewBody(later)).
				ExpectError(t, 400, "BadRequest", "CA does not have a certificate installed")
		})
		t.Run("viewer is 403 PermissionDenied", func(t *testing.T) {
			viewer := s.CreateIdentity(t, admin, "viewer", project, "viewer")
			token := s.Login(t, viewer.ClientID, viewer.ClientSecret)
			env := s.Do(t, http.MethodPost, renewURL(root.ID), token, renewBody(later)).
				ExpectError(t, 403, "PermissionDenied",
					"You are not allowed to issue-ca-certificate on certificate-authorities")
			if len(env.Details) == 0 || string(env.Details) == "null" {
				t.Error("PermissionDenied has no details naming the missing permission")
			}
			// The viewer may still read the CA.
			s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+root.ID, token, nil).OK(t, nil)
		})
		t.Run("disabled CA is 400", func(t *testing.T) {
			body := RootRequest(project, "disabled-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0))
			body["status"] = "disabled"
			disabled := s.CreateCA(t, admin, body)
			if disabled.Status != "disabled" {
				t.Fatalf("status %q, want disabled", disabled.Status)
			}
			s.Do(t, http.MethodPost, renewURL(disabled.ID), admin, renewBody(later)).
				ExpectError(t, 400, "BadRequest", "CA is disabled")
		})
		t.Run("notAfter in the past is 400", func(t *testing.T) {
			s.Do(t, http.MethodPost, renewURL(root.ID), admin, renewBody(time.Now().Add(-time.Hour))).
				ExpectError(t, 400, "BadRequest", "notAfter must be in the future")
		})
		t.Run("root notAfter not later is 400", func(t *testing.T) {
			for _, na := range []time.Time{time.Now().AddDate(2, 0, 0), time.Now().AddDate(4, 11, 0)} {
				s.Do(t, http.MethodPost, renewURL(root.ID), admin, renewBody(na)).
					ExpectError(t, 400, "BadRequest",
						"New Root CA certificate must have notAfter date that is greater than the current certificate notAfter date")
			}
		})
		t.Run("equal notAfter is 400", func(t *testing.T) {
			var ca CA
			s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+root.ID, admin, nil).OK(t, &ca)
			s.Do(t, http.MethodPost, renewURL(root.ID), admin,
				map[string]any{"type": "existing", "notAfter": *ca.Configuration.NotAfter}).
				ExpectError(t, 400, "BadRequest",
					"New Root CA certificate must have notAfter date that is greater than the current certificate notAfter date")
		})
		if got := len(s.CACertificates(t, admin, root.ID)); got != 1 {
			t.Errorf("failed renewals left %d versions, want 1", got)
		}
	})
}

// TestRenewAuthAndValidation covers the 401, 403 TokenError, 404 and 422
// responses of the renew route, and the inputs it must accept.
func TestRenewAuthAndValidation(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		clk := clock.NewFake(time.Now())
		s := Start(t, b, Options{Clock: clk})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "validation")
		root := s.CreateCA(t, admin, RootRequest(project, "val-root", "EC_prime256v1", clk.Now().AddDate(5, 0, 0)))
		url := renewURL(root.ID)

		t.Run("no token is 401", func(t *testing.T) {
			s.Do(t, http.MethodPost, url, "", renewBody(clk.Now().AddDate(6, 0, 0))).
				ExpectError(t, 401, "UnauthorizedError", "Token missing")
		})
		t.Run("malformed token is 403 TokenError", func(t *testing.T) {
			s.Do(t, http.MethodPost, url, "not-a-token", renewBody(clk.Now().AddDate(6, 0, 0))).
				ExpectError(t, 403, "TokenError", "")
			tampered := admin[:len(admin)-2] + "AA"
			if tampered == admin {
				tampered = admin[:len(admin)-2] + "BB"
			}
			s.Do(t, http.MethodPost, url, tampered, renewBody(clk.Now().AddDate(6, 0, 0))).
				ExpectError(t, 403, "TokenError", "")
		})
		t.Run("malformed caId is 422", func(t *testing.T) {
			s.Do(t, http.MethodPost, renewURL("not-a-uuid"), admin, renewBody(clk.Now().AddDate(6, 0, 0))).
				ExpectValidation(t, "caId")
		})
		cases := []struct {
			name  string
			body  string
			field string
		}{
			{"bad type", `{"type":"new","notAfter":"2040-01-01T00:00:00Z"}`, "type"},
			{"missing type", `{"notAfter":"2040-01-01T00:00:00Z"}`, "type"},
			{"missing notAfter", `{"type":"existing"}`, "notAfter"},
			{"null notAfter", `{"type":"existing","notAfter":null}`, "notAfter"},
			{"unparseable date", `{"type":"existing","notAfter":"next tuesday"}`, "notAfter"},
			{"number date", `{"type":"existing","notAfter":20400101}`, "notAfter"},
		}
		for _, c := range cases {
			t.Run(c.name+" is 422", func(t *testing.T) {
				issues := s.Do(t, http.MethodPost, url, admin, c.body).ExpectValidation(t, c.field)
				if c.name == "unparseable date" && issues[0].Message != "Invalid date format" {
					t.Errorf("message %q, want Invalid date format", issues[0].Message)
				}
			})
		}
		t.Run("extra keys, nulls and date forms are accepted", func(t *testing.T) {
			base := clk.Now().AddDate(6, 0, 0).UTC()
			forms := []string{
				base.Format("2006-01-02T15:04:05Z"),
				base.Add(time.Hour).Format("2006-01-02T15:04:05.000Z"),
				base.Add(2 * time.Hour).Format("2006-01-02T15:04:05.000-07:00"),
				base.AddDate(1, 0, 0).Format("2006-01-02"),
			}
			for _, f := range forms {
				body := map[string]any{"type": "existing", "notAfter": f, "caId": root.ID, "extra": nil}
				var out map[string]any
				s.Do(t, http.MethodPost, url, admin, body).OK(t, &out)
				if len(out) != 4 {
					t.Errorf("renew response has %d fields, want exactly 4: %v", len(out), out)
				}
				for _, k := range []string{"certificate", "certificateChain", "serialNumber", "certId"} {
					if _, ok := out[k].(string); !ok {
						t.Errorf("field %s is %T, want string", k, out[k])
					}
				}
			}
		})
		t.Run("milliseconds are truncated", func(t *testing.T) {
			want := clk.Now().AddDate(9, 0, 0).UTC().Truncate(time.Second)
			var out CACert
			s.Do(t, http.MethodPost, url, admin, map[string]any{
				"type": "existing", "notAfter": want.Add(999 * time.Millisecond).Format("2006-01-02T15:04:05.000Z"),
			}).OK(t, &out)
			if got := ParseCert(t, out.Certificate).NotAfter; !got.Equal(want) {
				t.Errorf("notAfter %v, want %v", got, want)
			}
		})
		t.Run("expired token is 403 TokenError", func(t *testing.T) {
			clk.Advance(3 * time.Hour)
			s.Do(t, http.MethodPost, url, admin, renewBody(clk.Now().AddDate(20, 0, 0))).
				ExpectError(t, 403, "TokenError", "Your token has expired. Please re-authenticate.")
		})
	})
}

// TestConcurrentRenewals fires 20 renewals of one CA at once. Each
// requests a later notAfter than any sent before it. A request that loses
// the race to a later one gets the documented 400 and retries, as a client
// would. Every success must become its own version, in order.
func TestConcurrentRenewals(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "concurrency")
		root := s.CreateCA(t, admin, RootRequest(project, "busy-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)))
		base := time.Now().AddDate(6, 0, 0).Truncate(time.Second)

		var seq chan int = make(chan int, 1000)
		for i := 1; i <= 1000; i++ {
			seq <- i
		}
		type result struct {
			cert CACert
			err  string
		}
		results := make(chan result, 20)
		for range 20 {
			go func() {
				for attempt := 0; attempt < 50; attempt++ {
					n := <-seq
					resp := s.Do(t, http.MethodPost, renewURL(root.ID), admin, renewBody(base.Add(time.Duration(n)*time.Minute)))
					if resp.Status == http.StatusOK {
						var c CACert
						_ = json.Unmarshal(resp.Body, &c)
						results <- result{cert: c}
						return
					}
					if resp.Status != http.StatusBadRequest {
						results <- result{err: string(resp.Body)}
						return
					}
				}
				results <- result{err: "no success after 50 attempts"}
			}()
		}
		certIDs := map[string]bool{}
		for range 20 {
			r := <-results
			if r.err != "" {
				t.Fatalf("renewal failed: %s", r.err)
			}
			certIDs[r.cert.CertID] = true
		}
		if len(certIDs) != 20 {
			t.Fatalf("%d distinct certIds from 20 renewals", len(certIDs))
		}
		versions := s.CACertificates(t, admin, root.ID)
		if len(versions) != 21 {
			t.Fatalf("%d versions, want 21", len(versions))
		}
		if !sort.SliceIsSorted(versions, func(i, j int) bool { return versions[i].Version < versions[j].Version }) {
			t.Error("ca-certificates not in version order")
		}
		serials := map[string]bool{}
		var prev time.Time
		for i, v := range versions {
			if v.Version != i+1 {
				t.Errorf("position %d holds version %d", i, v.Version)
			}
			serials[v.SerialNumber] = true
			na := ParseCert(t, v.Certificate).NotAfter
			if i > 0 && !na.After(prev) {
				t.Errorf("version %d notAfter %v is not after version %d's %v", v.Version, na, v.Version-1, prev)
			}
			prev = na
			if i > 0 && !certIDs[v.CertID] {
				t.Errorf("version %d (%s) was not returned by any renewal", v.Version, v.CertID)
			}
		}
		if len(serials) != 21 {
			t.Errorf("%d distinct serials, want 21", len(serials))
		}
		var ca CA
		s.Do(t, http.MethodGet, "/api/v1/cert-manager/ca/internal/"+root.ID, admin, nil).OK(t, &ca)
		if ca.Configuration.ActiveCACertID == nil || *ca.Configuration.ActiveCACertID != versions[20].CertID {
			t.Errorf("activeCaCertId %v, want newest %s", ca.Configuration.ActiveCACertID, versions[20].CertID)
		}
	})
}

// TestPathLenZeroSurvivesRenewal checks that a pathLen of 0 is encoded and
// kept through renewal, and that an unlimited root stays unlimited.
func TestPathLenZeroSurvivesRenewal(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "pathlen")
		for _, c := range []struct {
			name    string
			maxPath any
			want    int
			zero    bool
		}{
			{"zero", 0, 0, true},
			{"unlimited-null", nil, -1, false},
			{"unlimited-minus-one", -1, -1, false},
			{"two", 2, 2, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := RootRequest(project, "pl-"+c.name, "EC_prime256v1", time.Now().AddDate(5, 0, 0))
				body["configuration"].(map[string]any)["maxPathLength"] = c.maxPath
				ca := s.CreateCA(t, admin, body)
				renewed := ParseCert(t, s.Renew(t, admin, ca.ID, time.Now().AddDate(7, 0, 0)).Certificate)
				if renewed.MaxPathLen != c.want || renewed.MaxPathLenZero != c.zero {
					t.Errorf("renewed MaxPathLen=%d MaxPathLenZero=%v, want %d %v",
						renewed.MaxPathLen, renewed.MaxPathLenZero, c.want, c.zero)
				}
			})
		}
	})
}
