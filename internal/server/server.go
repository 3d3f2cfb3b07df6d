// Package server wires pkid together: data directory, root key, database,
// services and the HTTP listener.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/pkid/pkid/internal/api"
	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/authority"
	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/keystore"
	"github.com/pkid/pkid/internal/metrics"
	"github.com/pkid/pkid/internal/store/sqlstore"
)

// Config is everything `pkid serve` is started with.
type Config struct {
	Listen            string
	DataDir           string
	DatabaseURL       string // empty: SQLite file pkid.db in DataDir
	RootKey           string // base64; empty: the key file in DataDir
	AdminClientID     string
	AdminClientSecret string
	// PublicURL is the base URL clients reach the server at; empty means
	// http://<listen address>.
	PublicURL string
	// AutoRenewInterval is how often the auto-renewal scheduler runs; zero
	// means hourly and a negative value turns the scheduler off.
	AutoRenewInterval time.Duration
	// Limits are the API's rate limits; nil means api.DefaultLimits.
	Limits *api.Limits
	// ShutdownTimeout bounds how long in-flight requests may take to
	// finish after a stop signal.
	ShutdownTimeout time.Duration
	Clock           clock.Clock // nil: the system clock
	// CRLValidity is the time from a CRL's thisUpdate to its nextUpdate;
	// zero means authority.DefaultCRLValidity (7 days).
	CRLValidity time.Duration
	// CRLCheckInterval is how often CRLs near their nextUpdate are looked
	// for; zero means DefaultCRLCheckInterval.
	CRLCheckInterval time.Duration
}

// AdminCredentialsFile is written to the data directory when pkid
// generates the first admin's credentials.
const AdminCredentialsFile = "admin-credentials.json"

// Server is a started pkid: its database is migrated and its listener
// open, so it can serve as soon as Serve is called.
type Server struct {
	cfg       Config
	log       *slog.Logger
	db        *sqlstore.DB
	listener  net.Listener
	http      *http.Server
	authority *authority.Service
	metrics   *metrics.Metrics
}

// New prepares a server: it creates the data directory, loads the root
// key, opens and migrates the database, creates the first admin when the
// database is empty, and opens the listener.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.AutoRenewInterval == 0 {
		cfg.AutoRenewInterval = time.Hour
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.CRLCheckInterval <= 0 {
		cfg.CRLCheckInterval = DefaultCRLCheckInterval
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	rootKey, source, err := keystore.LoadRootKey(cfg.RootKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	sealer, err := keystore.NewSealer(rootKey)
	if err != nil {
		return nil, err
	}
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		dbURL = filepath.Join(cfg.DataDir, "pkid.db")
	}
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, db: db}
	if err := s.init(ctx, sealer, rootKey, source); err != nil {
		db.Close()
		return nil, err
	}
	log.Info("pkid ready", "address", s.listener.Addr().String(), "database", redactURL(dbURL),
		"dialect", db.Dialect())
	return s, nil
}

func (s *Server) init(ctx context.Context, sealer *keystore.Sealer, rootKey []byte, source keystore.RootKeySource) error {
	if err := s.db.Migrate(ctx, s.log); err != nil {
		return err
	}
	if err := s.settleRootKey(ctx, rootKey, source); err != nil {
		return err
	}
	authSvc, err := auth.NewService(ctx, s.db, sealer, s.cfg.Clock)
	if err != nil {
		return err
	}
	if err := s.bootstrapAdmin(ctx, authSvc); err != nil {
		return err
	}
	s.listener, err = net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.cfg.Listen, err)
	}
	publicURL, err := resolvePublicURL(s.cfg.PublicURL, s.listener.Addr(), s.log)
	if err != nil {
		s.listener.Close()
		return err
	}
	s.metrics = metrics.New(s.db, s.log)
	caSvc, err := authority.New(s.db, sealer, s.cfg.Clock, s.log, authority.Options{
		PublicURL: publicURL, CRLValidity: s.cfg.CRLValidity, Observer: s.metrics,
	})
	if err != nil {
		s.listener.Close()
		return err
	}
	s.authority = caSvc
	limits := api.DefaultLimits
	if s.cfg.Limits != nil {
		limits = *s.cfg.Limits
	}
	a, err := api.New(authSvc, caSvc, s.cfg.Clock, s.log, s.metrics, limits)
	if err != nil {
		s.listener.Close()
		return err
	}
	s.http = &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return nil
}

// settleRootKey writes a newly generated root key to the data directory,
// but only for a new database. A database with identities means the key
// file that sealed them is missing, and a new key would be a wrong one.
// It also warns about a key file other users can read.
func (s *Server) settleRootKey(ctx context.Context, rootKey []byte, source keystore.RootKeySource) error {
	path := filepath.Join(s.cfg.DataDir, keystore.RootKeyFileName)
	switch source {
	case keystore.Created:
		n, err := s.db.CountIdentities(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%s is missing and the database already holds sealed keys: restore the file from your backup or set PKID_ROOT_KEY", path)
		}
		if err := keystore.WriteRootKeyFile(s.cfg.DataDir, rootKey); err != nil {
			return err
		}
		s.log.Warn("created a new root key; back it up; without it no CA key can be decrypted", "path", path)
	case keystore.FromFile:
		if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
			s.log.Warn("the root key file is readable by other users; restrict it with chmod 600",
				"path", path, "mode", info.Mode().Perm().String())
		}
	}
	return nil
}

// validate checks the settings that need no database, before pkid
// touches the data directory or the database.
func (c Config) validate() error {
	if (c.AdminClientID == "") != (c.AdminClientSecret == "") {
		return errors.New("set PKID_ADMIN_CLIENT_ID and PKID_ADMIN_CLIENT_SECRET together, or neither to have both generated")
	}
	if c.AdminClientSecret != "" && len(c.AdminClientSecret) < auth.MinAdminSecretLen {
		return fmt.Errorf("PKID_ADMIN_CLIENT_SECRET must be at least %d characters, got %d: it guards every CA",
			auth.MinAdminSecretLen, len(c.AdminClientSecret))
	}
	if c.PublicURL != "" {
		if _, err := checkPublicURL(c.PublicURL); err != nil {
			return err
		}
	}
	return nil
}

// bootstrapAdmin creates the first admin identity of an empty database.
// Generated credentials go to a 0600 file; the log names the file and
// never the secret.
func (s *Server) bootstrapAdmin(ctx context.Context, authSvc *auth.Service) error {
	creds, created, err := authSvc.BootstrapAdmin(ctx, s.cfg.AdminClientID, s.cfg.AdminClientSecret)
	if err != nil {
		return err
	}
	if !created {
		if s.cfg.AdminClientID != "" {
			s.log.Info("PKID_ADMIN_CLIENT_ID and PKID_ADMIN_CLIENT_SECRET are ignored: the database already has identities")
		}
		return nil
	}
	if s.cfg.AdminClientSecret != "" {
		s.log.Info("created admin identity from PKID_ADMIN_CLIENT_ID and PKID_ADMIN_CLIENT_SECRET",
			"identity_id", creds.IdentityID, "client_id", creds.ClientID)
		return nil
	}
	path := filepath.Join(s.cfg.DataDir, AdminCredentialsFile)
	b, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing admin credentials: %w", err)
	}
	s.log.Warn("created admin identity; its credentials are in the file, readable only by this user",
		"identity_id", creds.IdentityID, "path", path)
	return nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// DB returns the server's database, for tests.
func (s *Server) DB() *sqlstore.DB { return s.db }

// Authority returns the CA service, for tests that drive the scheduler.
func (s *Server) Authority() *authority.Service { return s.authority }

// Serve handles requests until ctx is cancelled, then stops accepting
// connections and waits up to ShutdownTimeout for in-flight requests.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.listener) }()
	bgCtx, stopBackground := context.WithCancel(ctx)
	background := s.startBackground(bgCtx)
	// On both paths below, the background jobs stop before the database
	// closes.
	stopJobs := func() {
		stopBackground()
		background.Wait()
	}
	select {
	case err := <-errc:
		stopJobs()
		s.db.Close()
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	stopJobs()
	s.log.Info("shutting down; waiting for in-flight requests", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.http.Shutdown(shutdownCtx)
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if cerr := s.db.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// redactURL hides the password of a database URL before it is logged.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
