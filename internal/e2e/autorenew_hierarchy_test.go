package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/clock"
)

// TestAutoRenewalParentsFirst puts a root and its intermediate in their
// windows: one pass renews both, the root first, and the intermediate's
// new notAfter stays within the root's.
func TestAutoRenewalParentsFirst(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		start := time.Now().UTC().Truncate(time.Second)
		clk := clock.NewFake(start)
		s := Start(t, b, Options{Clock: clk})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "auto-tree")
		root := s.CreateCA(t, admin, RootRequest(project, "auto-tree-root", "EC_prime256v1", start.AddDate(1, 0, 0)))
		inter := s.CreateCA(t, admin, intermediateBody(project, "auto-tree-int", "EC_prime256v1", root.ID,
			start.AddDate(1, 0, -1), nil))
		// Enable the child first, so that creation order cannot explain
		// the renewal order.
		enableAutoRenewal(t, s, admin, inter.ID, 30)
		enableAutoRenewal(t, s, admin, root.ID, 30)

		clk.Set(start.AddDate(1, 0, -20))
		outcomes, err := s.Srv.Authority().RunAutoRenewal(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(outcomes) != 2 || outcomes[0].CAID != root.ID || outcomes[1].CAID != inter.ID {
			t.Fatalf("outcomes %+v, want root then intermediate", outcomes)
		}
		for _, o := range outcomes {
			if o.Status != "success" {
				t.Errorf("CA %s: %s %s", o.CAID, o.Status, o.Message)
			}
		}
		admin = s.Login(t, AdminClientID, AdminClientSecret)
		rootVersions := s.CACertificates(t, admin, root.ID)
		intVersions := s.CACertificates(t, admin, inter.ID)
		if len(rootVersions) != 2 || len(intVersions) != 2 {
			t.Fatalf("versions: root %d, intermediate %d; want 2 each", len(rootVersions), len(intVersions))
		}
		newRoot := ParseCert(t, rootVersions[1].Certificate)
		newInt := ParseCert(t, intVersions[1].Certificate)
		if newInt.NotAfter.After(newRoot.NotAfter) {
			t.Errorf("intermediate notAfter %v passes the root's %v", newInt.NotAfter, newRoot.NotAfter)
		}
		if err := newInt.CheckSignatureFrom(newRoot); err != nil {
			t.Errorf("renewed intermediate is not signed by the renewed root: %v", err)
		}
		if !strings.Contains(intVersions[1].CertificateChain, strings.TrimSpace(rootVersions[1].Certificate)) {
			t.Error("intermediate chain does not hold the renewed root")
		}
	})
}

// TestAutoRenewalCapsAtParent renews an intermediate whose usual validity
// would pass its parent's notAfter: it is renewed up to the parent's
// notAfter and the message says so.
func TestAutoRenewalCapsAtParent(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		start := time.Now().UTC().Truncate(time.Second)
		clk := clock.NewFake(start)
		s := Start(t, b, Options{Clock: clk})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "auto-cap")
		root := s.CreateCA(t, admin, RootRequest(project, "auto-cap-root", "EC_prime256v1", start.AddDate(2, 0, 0)))
		inter := s.CreateCA(t, admin, intermediateBody(project, "auto-cap-int", "EC_prime256v1", root.ID,
			start.AddDate(1, 6, 0), nil))
		enableAutoRenewal(t, s, admin, inter.ID, 30)

		clk.Set(start.AddDate(1, 6, -10))
		outcomes, err := s.Srv.Authority().RunAutoRenewal(context.Background())
		if err != nil || len(outcomes) != 1 || outcomes[0].Status != "success" {
			t.Fatalf("outcomes %+v, err %v", outcomes, err)
		}
		if !strings.Contains(outcomes[0].Message, "parent") {
			t.Errorf("message %q does not say the renewal was capped at the parent", outcomes[0].Message)
		}
		admin = s.Login(t, AdminClientID, AdminClientSecret)
		versions := s.CACertificates(t, admin, inter.ID)
		if got, want := ParseCert(t, versions[1].Certificate).NotAfter, start.AddDate(2, 0, 0); !got.Equal(want) {
			t.Errorf("capped notAfter %v, want the root's %v", got, want)
		}
	})
}

// TestAutoRenewalFailureIsRetried disables the parent of a due
// intermediate: the pass records the failure and keeps auto-renewal on,
// and a pass after the parent is enabled again succeeds.
func TestAutoRenewalFailureIsRetried(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		start := time.Now().UTC().Truncate(time.Second)
		clk := clock.NewFake(start)
		s := Start(t, b, Options{Clock: clk})
		admin := s.AdminToken(t)
		project := s.CreateProject(t, admin, "auto-fail")
		root := s.CreateCA(t, admin, RootRequest(project, "auto-fail-root", "EC_prime256v1", start.AddDate(3, 0, 0)))
		inter := s.CreateCA(t, admin, intermediateBody(project, "auto-fail-int", "EC_prime256v1", root.ID,
			start.AddDate(1, 0, 0), nil))
		enableAutoRenewal(t, s, admin, inter.ID, 30)
		s.Do(t, http.MethodPatch, "/api/v1/cert-manager/ca/internal/"+root.ID, admin,
			map[string]any{"status": "disabled"}).OK(t, nil)

		clk.Set(start.AddDate(1, 0, -5))
		outcomes, err := s.Srv.Authority().RunAutoRenewal(context.Background())
		if err != nil || len(outcomes) != 1 || outcomes[0].Status != "failed" {
			t.Fatalf("outcomes %+v, err %v", outcomes, err)
		}
		admin = s.Login(t, AdminClientID, AdminClientSecret)
		var ar AutoRenewal
		s.Do(t, http.MethodGet, autoRenewalURL(inter.ID), admin, nil).OK(t, &ar)
		if !ar.Enabled || ar.LastStatus == nil || *ar.LastStatus != "failed" ||
			ar.LastMessage == nil || *ar.LastMessage != "Parent CA is disabled" {
			t.Errorf("after failure: %+v (message %v)", ar, ar.LastMessage)
		}
		if !strings.Contains(s.Log.String(), inter.ID) {
			t.Error("the failure is not logged with the CA id")
		}

		s.Do(t, http.MethodPatch, "/api/v1/cert-manager/ca/internal/"+root.ID, admin,
			map[string]any{"status": "active"}).OK(t, nil)
		outcomes, err = s.Srv.Authority().RunAutoRenewal(context.Background())
		if err != nil || len(outcomes) != 1 || outcomes[0].Status != "success" {
			t.Fatalf("retry outcomes %+v, err %v", outcomes, err)
		}
		s.Do(t, http.MethodGet, autoRenewalURL(inter.ID), admin, nil).OK(t, &ar)
		if ar.LastStatus == nil || *ar.LastStatus != "success" {
			t.Errorf("after retry: %+v", ar)
		}
		if n := len(s.CACertificates(t, admin, inter.ID)); n != 2 {
			t.Errorf("%d versions, want 2", n)
		}
	})
}

// TestExpiryWarningLogged checks the daily warning for a CA that ends
// within 30 days without auto-renewal.
func TestExpiryWarningLogged(t *testing.T) {
	start := time.Now().UTC().Truncate(time.Second)
	clk := clock.NewFake(start)
	s := Start(t, Backends(t)[0], Options{Clock: clk})
	admin := s.AdminToken(t)
	project := s.CreateProject(t, admin, "warn")
	ca := s.CreateCA(t, admin, RootRequest(project, "warn-root", "EC_prime256v1", start.AddDate(0, 0, 20)))
	count := func() int { return strings.Count(s.Log.String(), "auto-renewal is off") }
	for range 3 {
		if err := s.Srv.Authority().WarnExpiring(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if count() != 1 || !strings.Contains(s.Log.String(), ca.ID) {
		t.Fatalf("%d warnings on one day, want 1 naming the CA", count())
	}
	clk.Advance(24 * time.Hour)
	if err := s.Srv.Authority().WarnExpiring(context.Background()); err != nil {
		t.Fatal(err)
	}
	if count() != 2 {
		t.Errorf("%d warnings after a second day, want 2", count())
	}
}
