package e2e

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/authority"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// benchPrincipal acts as an org admin in the core benchmarks, which call
// the authority service without HTTP.
var benchPrincipal = auth.Principal{IdentityID: "bench-admin", Name: "bench", OrgRole: auth.OrgRoleAdmin}

// startBenchCA starts a server on b with one active root CA of alg.
func startBenchCA(tb testing.TB, b Backend, alg string) (*Server, CA) {
	tb.Helper()
	s := Start(tb, b, Options{})
	token := s.AdminToken(tb)
	project := s.CreateProject(tb, token, "bench")
	ca := s.CreateCA(tb, token, RootRequest(project, "bench", alg, time.Now().Add(10*24*time.Hour)))
	return s, ca
}

// BenchmarkSignCertificateCore signs CSRs through the authority service
// from parallel goroutines, group commit included, on each backend.
func BenchmarkSignCertificateCore(b *testing.B) {
	for _, be := range Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			s, ca := startBenchCA(b, be, "EC_prime256v1")
			csr := NewCSR(b, NewKey(b, pki.ECP256), "bench.pkid.test", "bench.pkid.test")
			svc := s.Srv.Authority()
			ttl := time.Hour
			b.SetParallelism(8) // 8 × GOMAXPROCS goroutines, so commits can batch
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_, err := svc.SignCertificate(context.Background(), benchPrincipal,
						authority.CertificateRequest{CAID: ca.ID, TTL: ttl}, csr)
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkRenewCA renews a root CA through the authority service, one
// renewal after another, on each backend.
func BenchmarkRenewCA(b *testing.B) {
	for _, be := range Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			s, ca := startBenchCA(b, be, "EC_prime256v1")
			svc := s.Srv.Authority()
			base := time.Now().Add(10 * 24 * time.Hour)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Each renewal of a root must end later than the one before.
				notAfter := base.Add(time.Duration(i+1) * time.Second)
				if _, err := svc.RenewCA(context.Background(), benchPrincipal, ca.ID, notAfter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStoreCertificate inserts certificate rows with an audit entry
// each through InGroupTx from parallel goroutines, on each backend: the
// storage cost of one issuance without signing.
func BenchmarkStoreCertificate(b *testing.B) {
	for _, be := range Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			s, ca := startBenchCA(b, be, "EC_prime256v1")
			db := s.Srv.DB()
			var caCert CACert
			s.Do(b, "GET", "/api/v1/cert-manager/ca/internal/"+ca.ID+"/certificate", s.AdminToken(b), nil).OK(b, &caCert)
			leaf := s.SignCert(b, s.AdminToken(b), map[string]any{
				"caId": ca.ID, "csr": NewCSR(b, NewKey(b, pki.ECP256), "bench.pkid.test"), "ttl": "1h",
			})
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := benchCertificateRecord(ca.ID, caCert.CertID, leaf.Certificate, n.Add(1))
					err := db.InGroupTx(context.Background(), func(ctx context.Context, q store.Queries) error {
						if err := q.InsertCertificate(ctx, rec); err != nil {
							return err
						}
						return q.InsertAudit(ctx, store.AuditEntry{
							ID: uuid.NewString(), CreatedAt: rec.CreatedAt, ActorType: "identity",
							IdentityID: benchPrincipal.IdentityID, ActorName: benchPrincipal.Name,
							Action: authority.AuditSignCert, ProjectID: ca.ProjectID, CAID: &rec.CAID,
							Resource: "certificate/" + rec.ID, Metadata: map[string]any{"serialNumber": rec.SerialNumber},
						})
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// benchCertificateRecord is a certificate row with a unique serial; its
// PEM is a real certificate so the row has a realistic size.
func benchCertificateRecord(caID, caCertID, certPEM string, n int64) store.Certificate {
	now := time.Now()
	return store.Certificate{
		ID: uuid.NewString(), CAID: caID, CACertID: caCertID, Status: authority.CertStatusActive,
		SerialNumber: fmt.Sprintf("7f%038x", n), CommonName: "bench.pkid.test", AltNames: "bench.pkid.test",
		KeyUsages: []string{"digital_signature"}, ExtKeyUsages: []string{"server_auth"},
		NotBefore: now, NotAfter: now.Add(time.Hour), Certificate: certPEM,
		CreatedAt: now, UpdatedAt: now,
	}
}
