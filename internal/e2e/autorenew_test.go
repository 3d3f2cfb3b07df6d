package e2e

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/clock"
)

func autoRenewalURL(caID string) string {
	return "/api/v1/cert-manager/ca/internal/" + caID + "/auto-renewal"
}

// AutoRenewal is the body of the auto-renewal routes.
type AutoRenewal struct {
	Enabled     bool    `json:"autoRenewalEnabled"`
	Days        int     `json:"autoRenewalDaysBeforeExpiry"`
	LastStatus  *string `json:"lastRenewalStatus"`
	LastMessage *string `json:"lastRenewalMessage"`
	LastAt      *string `json:"lastRenewalAt"`
}

func enableAutoRenewal(t *testing.T, s *Server, token, caID string, days int) AutoRenewal {
	t.Helper()
	var out AutoRenewal
	s.Do(t, http.MethodPatch, autoRenewalURL(caID), token,
		map[string]any{"autoRenewalEnabled": true, "autoRenewalDaysBeforeExpiry": days}).OK(t, &out)
	return out
}

// TestAutoRenewalSettings covers the GET and PATCH routes and their checks.
func TestAutoRenewalSettings(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "auto-settings")
		root := s.CreateCA(t, admin, RootRequest(project, "auto-settings", "EC_prime256v1", time.Now().AddDate(1, 0, 0)))

		var got AutoRenewal
		s.Do(t, http.MethodGet, autoRenewalURL(root.ID), admin, nil).OK(t, &got)
		if got.Enabled || got.Days != 30 || got.LastStatus != nil || got.LastAt != nil {
			t.Errorf("default setting %+v", got)
		}
		set := enableAutoRenewal(t, s, admin, root.ID, 45)
		if !set.Enabled || set.Days != 45 {
			t.Errorf("after PATCH: %+v", set)
		}
		for _, days := range []int{0, 366, -1} {
			s.Do(t, http.MethodPatch, autoRenewalURL(root.ID), admin,
				map[string]any{"autoRenewalDaysBeforeExpiry": days}).ExpectValidation(t, "autoRenewalDaysBeforeExpiry")
		}
		s.Do(t, http.MethodPatch, autoRenewalURL(root.ID), admin,
			map[string]any{"autoRenewalEnabled": "yes"}).ExpectValidation(t, "autoRenewalEnabled")
		viewer := s.CreateIdentity(t, admin, "auto-viewer", project, "viewer")
		vt := s.Login(t, viewer.ClientID, viewer.ClientSecret)
		s.Do(t, http.MethodGet, autoRenewalURL(root.ID), vt, nil).OK(t, nil)
		s.Do(t, http.MethodPatch, autoRenewalURL(root.ID), vt, map[string]any{"autoRenewalEnabled": false}).
			ExpectError(t, 403, "PermissionDenied", "You are not allowed to edit on certificate-authorities")
		s.Do(t, http.MethodGet, autoRenewalURL(root.ID), "", nil).ExpectError(t, 401, "UnauthorizedError", "Token missing")

		// A window as long as the validity would renew on every pass.
		short := s.CreateCA(t, admin, RootRequest(project, "auto-short", "EC_prime256v1", time.Now().AddDate(0, 0, 10)))
		env := s.Do(t, http.MethodPatch, autoRenewalURL(short.ID), admin,
			map[string]any{"autoRenewalEnabled": true, "autoRenewalDaysBeforeExpiry": 30}).
			ExpectError(t, 400, "BadRequest", "")
		if !strings.Contains(string(env.Message), "must be shorter than the CA certificate's validity") {
			t.Errorf("message %s does not explain the window", env.Message)
		}
		enableAutoRenewal(t, s, admin, short.ID, 3)

		// A CA without a certificate has nothing to renew.
		body := RootRequest(project, "auto-pending", "EC_prime256v1", time.Time{})
		delete(body["configuration"].(map[string]any), "notAfter")
		pending := s.CreateCA(t, admin, body)
		s.Do(t, http.MethodPatch, autoRenewalURL(pending.ID), admin, map[string]any{"autoRenewalEnabled": true}).
			ExpectError(t, 400, "BadRequest", "CA does not have a certificate installed: auto-renewal needs a certificate to renew")
	})
}

// TestAutoRenewalRootInWindow pins the clock inside a root's window: one
// pass renews it with the same validity length, the next does nothing.
func TestAutoRenewalRootInWindow(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		start := time.Now().UTC().Truncate(time.Second)
		clk := clock.NewFake(start)
		s := Start(t, b, Options{Clock: clk})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "auto-root")
		root := s.CreateCA(t, admin, RootRequest(project, "auto-root", "EC_prime256v1", start.AddDate(1, 0, 0)))
		enableAutoRenewal(t, s, admin, root.ID, 30)

		outcomes, err := s.Srv.Authority().RunAutoRenewal(context.Background())
		if err != nil || len(outcomes) != 0 {
			t.Fatalf("pass outside the window renewed %v (err %v)", outcomes, err)
		}
		clk.Set(start.AddDate(1, 0, -10))
		outcomes, err = s.Srv.Authority().RunAutoRenewal(context.Background())
		if err != nil || len(outcomes) != 1 || outcomes[0].Status != "success" {
			t.Fatalf("pass in the window: %+v, %v", outcomes, err)
		}
		admin = s.Login(t, AdminClientID, AdminClientSecret) // the jump expired the old token
		versions := s.CACertificates(t, admin, root.ID)
		if len(versions) != 2 {
			t.Fatalf("%d versions, want 2", len(versions))
		}
		c := ParseCert(t, versions[1].Certificate)
		old := ParseCert(t, versions[0].Certificate)
		if got, want := c.NotAfter.Sub(c.NotBefore), old.NotAfter.Sub(old.NotBefore); got != want {
			t.Errorf("validity %v, want the same length %v", got, want)
		}
		if outcomes, _ = s.Srv.Authority().RunAutoRenewal(context.Background()); len(outcomes) != 0 {
			t.Errorf("second pass renewed again: %+v", outcomes)
		}
		// A disabled CA in its window is skipped, not failed on every pass.
		clk.Set(start.AddDate(2, 0, -10))
		admin = s.Login(t, AdminClientID, AdminClientSecret)
		s.Do(t, http.MethodPatch, "/api/v1/cert-manager/ca/internal/"+root.ID, admin,
			map[string]any{"status": "disabled"}).OK(t, nil)
		if outcomes, _ = s.Srv.Authority().RunAutoRenewal(context.Background()); len(outcomes) != 0 {
			t.Errorf("pass on a disabled CA: %+v, want nothing", outcomes)
		}
		var ar AutoRenewal
		s.Do(t, http.MethodGet, autoRenewalURL(root.ID), admin, nil).OK(t, &ar)
		if ar.LastStatus == nil || *ar.LastStatus != "success" || ar.LastAt == nil || ar.LastMessage == nil {
			t.Errorf("lastRenewal fields after success: %+v", ar)
		}
	})
}

// TestTwoSchedulersRenewOnce runs the scheduler of two servers on one
// PostgreSQL database at the same time: the CA is renewed once.
func TestTwoSchedulersRenewOnce(t *testing.T) {
	b := PostgresOnly(t)
	start := time.Now().UTC().Truncate(time.Second)
	clk := clock.NewFake(start)
	dbURL, key := b.NewURL(t), NewRootKey(t)
	s1 := Start(t, b, Options{Clock: clk, DatabaseURL: dbURL, RootKey: key})
	s2 := Start(t, b, Options{Clock: clk, DatabaseURL: dbURL, RootKey: key})
	admin := s1.AdminToken(t)
	project := s1.CreateProject(t, admin, "two-schedulers")
	var ids []string
	for _, name := range []string{"sched-a", "sched-b", "sched-c"} {
		ca := s1.CreateCA(t, admin, RootRequest(project, name, "EC_prime256v1", start.AddDate(0, 6, 0)))
		enableAutoRenewal(t, s1, admin, ca.ID, 60)
		ids = append(ids, ca.ID)
	}
	clk.Set(start.AddDate(0, 5, 0))
	var wg sync.WaitGroup
	total := make([]int, 2)
	for i, s := range []*Server{s1, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.Srv.Authority().RunAutoRenewal(context.Background())
			if err != nil {
				t.Errorf("scheduler %d: %v", i, err)
			}
			total[i] = len(out)
		}()
	}
	wg.Wait()
	if total[0]+total[1] != len(ids) {
		t.Errorf("schedulers renewed %d and %d times, want %d in all", total[0], total[1], len(ids))
	}
	admin = s2.Login(t, AdminClientID, AdminClientSecret) // the jump expired the old token
	for _, id := range ids {
		if n := len(s2.CACertificates(t, admin, id)); n != 2 {
			t.Errorf("CA %s has %d versions, want 2", id, n)
		}
	}
}

// TestMetricsShowNotAfterChange scrapes /metrics before and after a
// renewal and compares the CA's notAfter gauge.
func TestMetricsShowNotAfterChange(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "metrics")
		root := s.CreateCA(t, admin, RootRequest(project, "metrics-root", "EC_prime256v1", time.Now().AddDate(1, 0, 0)))
		before := notAfterGauge(t, s, root.ID)
		want := time.Now().AddDate(3, 0, 0).Truncate(time.Second)
		s.Renew(t, admin, root.ID, want)
		after := notAfterGauge(t, s, root.ID)
		if after == before || after != float64(want.Unix()) {
			t.Errorf("gauge before %v, after %v, want %v", before, after, want.Unix())
		}
		text := string(s.Do(t, http.MethodGet, "/metrics", "", nil).OK(t, nil).Body)
		for _, name := range []string{`pkid_ca_renewals_total{trigger="manual"} 1`,
			"pkid_http_request_duration_seconds_bucket", "pkid_certificates_issued_total"} {
			if !strings.Contains(text, name) {
				t.Errorf("metrics lack %s", name)
			}
		}
	})
}

func notAfterGauge(t *testing.T, s *Server, caID string) float64 {
	t.Helper()
	body := s.Do(t, http.MethodGet, "/metrics", "", nil).OK(t, nil).Body
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "pkid_ca_certificate_not_after_timestamp_seconds{") &&
			strings.Contains(line, `ca_id="`+caID+`"`) {
			fields := strings.Fields(line)
			v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no notAfter gauge for CA %s", caID)
	return 0
}
