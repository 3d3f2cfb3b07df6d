package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/api"
	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/server"
)

// Admin credentials every test server is bootstrapped with.
const (
	AdminClientID     = "00000000-0000-4000-8000-00000000ad01"
	AdminClientSecret = "e2e-admin-secret-0123456789abcdef"
)

// Server is a pkid server running in this process on 127.0.0.1.
type Server struct {
	URL         string
	DatabaseURL string
	DataDir     string
	RootKey     string
	Srv         *server.Server
	// Log holds everything the server logged, for leak checks.
	Log    *SyncBuffer
	client *http.Client
	adminT string
	once   sync.Once
}

// Options change how Start starts a server.
type Options struct {
	Clock       clock.Clock // nil: the system clock
	DatabaseURL string      // empty: a new database of the backend
	RootKey     string      // empty: a new random key
	Limits      *api.Limits // nil: no rate limits, so load in tests is not throttled
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NewRootKey returns a random root key in the PKID_ROOT_KEY format.
func NewRootKey(t testing.TB) string {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// Start runs a server on backend b until the test ends.
func Start(t testing.TB, b Backend, opts Options) *Server {
	t.Helper()
	if opts.DatabaseURL == "" {
		opts.DatabaseURL = b.NewURL(t)
	}
	if opts.RootKey == "" {
		opts.RootKey = NewRootKey(t)
	}
	limits := opts.Limits
	if limits == nil {
		limits = &api.Limits{}
	}
	logBuf := &SyncBuffer{}
	log := slog.New(slog.NewJSONHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dataDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, server.Config{
		Listen: "127.0.0.1:0", DataDir: dataDir, DatabaseURL: opts.DatabaseURL,
		RootKey: opts.RootKey, AdminClientID: AdminClientID, AdminClientSecret: AdminClientSecret,
		ShutdownTimeout: 5 * time.Second, Clock: opts.Clock, Limits: limits,
	}, log)
	if err != nil {
		cancel()
		t.Fatalf("starting pkid: %v\nlog:\n%s", err, logBuf.String())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	client := newHTTPClient()
	t.Cleanup(func() {
		// The client's transport may have dialled connections it never
		// sent a request on; the server counts those as active for five
		// seconds, so close them before shutting down.
		client.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stopping pkid: %v", err)
		}
	})
	return &Server{
		URL: "http://" + srv.Addr(), DatabaseURL: opts.DatabaseURL, DataDir: dataDir,
		RootKey: opts.RootKey, Srv: srv, Log: logBuf,
		client: client,
	}
}

func newHTTPClient() *http.Client {
	return &http.Client{Timeout: 60 * time.Second}
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request with a JSON body (nil for none) and an optional
// bearer token. A string or []byte body is sent as is.
func (s *Server) Do(t testing.TB, method, path, token string, body any) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encoding request body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(t, req)
}

// Send runs a prepared request against the server.
func (s *Server) Send(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response of %s %s: %v", req.Method, req.URL.Path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// OK fails the test unless the response is 200, then decodes it into v
// (when v is not nil).
func (r *Response) OK(t testing.TB, v any) *Response {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200; body: %s", r.Status, r.Body)
	}
	if v != nil {
		r.Decode(t, v)
	}
	return r
}

// Decode unmarshals the body into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// Envelope is the error body of the API.
type Envelope struct {
	ReqID      string          `json:"reqId"`
	StatusCode int             `json:"statusCode"`
	Message    json.RawMessage `json:"message"`
	Error      string          `json:"error"`
	Details    json.RawMessage `json:"details"`
}

// ExpectError fails the test unless the response is an error envelope
// with the status and error name, and returns it. A non-empty message
// must equal the envelope's string message.
func (r *Response) ExpectError(t testing.TB, status int, name, message string) Envelope {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	var env Envelope
	r.Decode(t, &env)
	if env.Error != name {
		t.Errorf("error %q, want %q; body: %s", env.Error, name, r.Body)
	}
	if env.StatusCode != status {
		t.Errorf("statusCode %d, want %d", env.StatusCode, status)
	}
	if env.ReqID == "" || env.ReqID != r.Header.Get("X-Request-Id") {
		t.Errorf("reqId %q does not match X-Request-Id %q", env.ReqID, r.Header.Get("X-Request-Id"))
	}
	if message != "" {
		var got string
		if err := json.Unmarshal(env.Message, &got); err != nil || got != message {
			t.Errorf("message %s, want %q", env.Message, message)
		}
	}
	return env
}

// FieldIssue is one entry of a 422 message.
type FieldIssue struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// ExpectValidation fails the test unless the response is a 422 whose
// issues name field (the last element of some issue's path), and returns
// the issues.
func (r *Response) ExpectValidation(t testing.TB, field string) []FieldIssue {
	t.Helper()
	env := r.ExpectError(t, http.StatusUnprocessableEntity, "ValidationFailure", "")
	var issues []FieldIssue
	if err := json.Unmarshal(env.Message, &issues); err != nil {
		t.Fatalf("422 message is not an array of issues: %s", env.Message)
	}
	for _, is := range issues {
		if len(is.Path) > 0 && is.Path[len(is.Path)-1] == field && is.Message != "" {
			return issues
		}
	}
	t.Fatalf("no issue names field %q: %s", field, env.Message)
	return nil
}
