// Package api is pkid's HTTP layer: routing, request decoding, the error
// envelope and response shapes. Handlers decode, call the core and encode;
// they hold no CA logic.
package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/authority"
	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/metrics"
)

// Request body limits. Routes that take PEM (CSRs, certificate chains)
// get DefaultMaxBodyBytes, which holds hundreds of certificates; every
// other body is a small JSON object and gets SmallBodyBytes.
const (
	DefaultMaxBodyBytes = 1 << 20
	SmallBodyBytes      = 64 << 10
)

// API serves pkid's HTTP routes.
type API struct {
	auth    *auth.Service
	ca      *authority.Service
	clock   clock.Clock
	log     *slog.Logger
	metrics *metrics.Metrics
	limits  rateLimiters
}

// New returns an API over the auth and CA services, recording request
// durations in m and enforcing limits.
func New(authSvc *auth.Service, caSvc *authority.Service, clk clock.Clock, log *slog.Logger, m *metrics.Metrics, limits Limits) (*API, error) {
	if authSvc == nil || caSvc == nil || clk == nil || log == nil || m == nil {
		return nil, errors.New("api: auth service, CA service, clock, logger and metrics are required")
	}
	return &API{auth: authSvc, ca: caSvc, clock: clk, log: log, metrics: m,
		limits: newRateLimiters(limits)}, nil
}

// Handler returns the root handler with every route and middleware.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/status", a.public(a.status))
	// Metrics are public like the CA certificates: they carry CA names,
	// ids and expiry times, which the certificates reveal anyway.
	mux.Handle("GET /metrics", a.metrics.Handler())
	a.autoRenewalRoutes(mux)
	a.auditRoutes(mux)
	a.authRoutes(mux)
	a.caRoutes(mux)
	a.intermediateRoutes(mux)
	a.certificateRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, r, http.StatusNotFound, "NotFound",
			"Route "+r.Method+":"+r.URL.Path+" not found")
	})
	return a.instrument(rewriteLegacy(mux))
}

func (a *API) status(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"date": formatTime(a.clock.Now()), "message": "Ok"})
	return nil
}
