package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
)

type ctxKey int

const reqIDKey ctxKey = iota

// requestID returns the id assigned to r by withRequestID.
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(reqIDKey).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "req-" + hex.EncodeToString(b)
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	// errMessage is the client-facing message of an error response, so the
	// access log line of a 4xx says why.
	errMessage string
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// instrument assigns the request id, recovers from panics, limits the body
// size and logs one line per request. It never logs headers or bodies, so
// tokens and secrets stay out of the log.
func (a *API) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		r = r.WithContext(context.WithValue(r.Context(), reqIDKey, id))
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		r.Body = http.MaxBytesReader(rec, r.Body, bodyLimit(r.URL.Path))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.writeError(rec, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
			elapsed := time.Since(start)
			a.metrics.ObserveRequest(routeOf(r), r.Method, rec.status, elapsed)
			attrs := []any{"req_id", id, "method", r.Method, "route", routeOf(r), "status", rec.status,
				"duration_ms", float64(elapsed.Microseconds()) / 1000, "client", clientIP(r)}
			if rec.errMessage != "" {
				attrs = append(attrs, "error", rec.errMessage)
			}
			a.log.Info("request", attrs...)
		}()
		if !a.limits.ip.allow(clientIP(r)) {
			a.writeRateLimited(rec, r)
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// pemRouteSuffixes end the paths of the routes whose bodies carry PEM.
var pemRouteSuffixes = []string{"/import-certificate", "/sign-intermediate", "/sign-certificate"}

// bodyLimit returns the body size limit of the route at path.
func bodyLimit(path string) int64 {
	for _, suffix := range pemRouteSuffixes {
		if strings.HasSuffix(path, suffix) {
			return DefaultMaxBodyBytes
		}
	}
	return SmallBodyBytes
}

// routeOf names the matched route pattern without ids, so the log and the
// metrics group requests by route.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return "unmatched"
}

const caPrefix = "/api/v1/cert-manager/ca/internal"

// rewriteLegacy maps the older CA paths /api/v1/pki/ca/internal/… and
// /api/v1/pki/ca/{caId}/… onto /api/v1/cert-manager/ca/internal/… before
// routing. Registering them as patterns instead would conflict:
// /api/v1/pki/ca/internal/certificate matches both shapes.
func rewriteLegacy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if !isCleanPath(p) {
			// ServeMux would respond with a redirect to the cleaned path,
			// which turns an id such as %2e%2e into another route.
			writeStatus(w, r, http.StatusBadRequest, "BadRequest",
				"Request path must not contain . or .. segments or repeated slashes")
			return
		}
		switch {
		case p == "/api/v1/pki/ca/internal" || strings.HasPrefix(p, "/api/v1/pki/ca/internal/"):
			r.URL.Path = caPrefix + strings.TrimPrefix(p, "/api/v1/pki/ca/internal")
		case strings.HasPrefix(p, "/api/v1/pki/ca/"):
			r.URL.Path = caPrefix + "/" + strings.TrimPrefix(p, "/api/v1/pki/ca/")
		}
		r.URL.RawPath = ""
		next.ServeHTTP(w, r)
	})
}

// authed wraps a handler that needs an access token; an error it returns
// is sent as the envelope. A missing
// Authorization header is 401; a token that does not check out is 403
// TokenError, as in the reference API.
func (a *API) authed(h func(http.ResponseWriter, *http.Request, auth.Principal) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if header == "" {
			a.writeError(w, r, errs.New(errs.Unauthorized, "Token missing"))
			return
		}
		scheme, token, ok := strings.Cut(header, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			a.writeError(w, r, errs.New(errs.TokenInvalid, "Failed to authenticate token"))
			return
		}
		p, err := a.auth.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if !a.limits.identity.allow(p.IdentityID) {
			a.writeRateLimited(w, r)
			return
		}
		p.RequestID = requestID(r)
		if err := h(w, r, p); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// withCAID wraps a handler of a /{caId} route: it checks the path's caId
// and passes it on, so a malformed id is a 422 before the handler runs.
func withCAID(h func(http.ResponseWriter, *http.Request, auth.Principal, string) error) func(http.ResponseWriter, *http.Request, auth.Principal) error {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := pathUUID(r, "caId")
		if err != nil {
			return err
		}
		return h(w, r, p, id)
	}
}

// public wraps a handler that needs no token; an error it returns is sent
// as the envelope.
func (a *API) public(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// isCleanPath reports whether p is absolute and path.Clean leaves it
// unchanged, apart from a trailing slash.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	cleaned := path.Clean(p)
	if strings.HasSuffix(p, "/") && cleaned != "/" {
		cleaned += "/"
	}
	return cleaned == p
}
