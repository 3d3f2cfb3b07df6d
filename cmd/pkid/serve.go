package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/api"
	"github.com/pkid/pkid/internal/server"
)

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func newServeCommand() *cobra.Command {
	var cfg server.Config
	var logFormat, autoRenew string
	// envErrors collects environment values that do not parse, reported
	// when the command runs rather than silently replaced by defaults.
	var envErrors []error
	envFloat := func(name string, def float64) float64 {
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return def
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			envErrors = append(envErrors, fmt.Errorf("invalid %s %q: use a number", name, v))
			return def
		}
		return n
	}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the pkid server",
		Long: `Run the pkid server. With no flags it listens on 127.0.0.1:8080 and keeps
its SQLite database, root key and first admin's credentials in ./pkid-data.

Every flag falls back to an environment variable. The root key comes from
PKID_ROOT_KEY (base64 of 32 bytes) or from <data-dir>/root.key, created at
first start. The first admin's credentials come from PKID_ADMIN_CLIENT_ID
and PKID_ADMIN_CLIENT_SECRET, or are generated into
<data-dir>/admin-credentials.json.`,
		Example: `  pkid serve
  pkid serve --listen 0.0.0.0:8443 --data-dir /var/lib/pkid --log-format json
  PKID_DATABASE_URL=postgres://pkid@db/pkid pkid serve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := errors.Join(envErrors...); err != nil {
				return err
			}
			if err := checkLimits(*cfg.Limits); err != nil {
				return err
			}
			log, err := newLogger(cmd.ErrOrStderr(), logFormat)
			if err != nil {
				return err
			}
			interval, err := time.ParseDuration(autoRenew)
			if err != nil || interval < 0 {
				return fmt.Errorf("invalid --auto-renew-interval %q: use a duration such as 1h or 15m, or 0 to turn it off", autoRenew)
			}
			cfg.AutoRenewInterval = interval
			if interval == 0 {
				cfg.AutoRenewInterval = -1 // server.Config reads zero as the default
			}
			cfg.RootKey = os.Getenv("PKID_ROOT_KEY")
			cfg.AdminClientID = os.Getenv("PKID_ADMIN_CLIENT_ID")
			cfg.AdminClientSecret = os.Getenv("PKID_ADMIN_CLIENT_SECRET")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv, err := server.New(ctx, cfg, log)
			if err != nil {
				log.Error("pkid failed to start", "error", err)
				return err
			}
			return srv.Serve(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", envOr("PKID_LISTEN", "127.0.0.1:8080"), "address to listen on, host:port (env PKID_LISTEN)")
	f.StringVar(&cfg.DataDir, "data-dir", envOr("PKID_DATA_DIR", "./pkid-data"), "directory for the SQLite database, root key and admin credentials (env PKID_DATA_DIR)")
	f.StringVar(&cfg.DatabaseURL, "database-url", envOr("PKID_DATABASE_URL", ""), "postgres:// URL, or a SQLite file path; default <data-dir>/pkid.db (env PKID_DATABASE_URL)")
	f.StringVar(&autoRenew, "auto-renew-interval", envOr("PKID_AUTO_RENEW_INTERVAL", "1h"),
		"how often to renew CAs with auto-renewal on, e.g. 1h or 15m; 0 turns it off (env PKID_AUTO_RENEW_INTERVAL)")
	limits := api.DefaultLimits
	cfg.Limits = &limits
	f.Float64Var(&limits.PerIP, "rate-limit-ip", envFloat("PKID_RATE_LIMIT_IP", limits.PerIP),
		"requests per second allowed from one client address; 0 turns the limit off (env PKID_RATE_LIMIT_IP)")
	f.Float64Var(&limits.PerIdentity, "rate-limit-identity", envFloat("PKID_RATE_LIMIT_IDENTITY", limits.PerIdentity),
		"requests per second allowed for one identity; 0 turns the limit off (env PKID_RATE_LIMIT_IDENTITY)")
	f.IntVar(&limits.LoginFailures, "login-failures-per-minute", int(envFloat("PKID_LOGIN_FAILURES_PER_MINUTE", float64(limits.LoginFailures))),
		"failed logins one client id may have per minute before more attempts get 429; 0 turns it off (env PKID_LOGIN_FAILURES_PER_MINUTE)")
	f.StringVar(&cfg.PublicURL, "public-url", envOr("PKID_PUBLIC_URL", ""), "base URL clients reach pkid at, put into the CRL distribution point and CA issuer URL of issued certificates; default http://<listen address> (env PKID_PUBLIC_URL)")
	f.StringVar(&logFormat, "log-format", envOr("PKID_LOG_FORMAT", "text"), "log format: text or json (env PKID_LOG_FORMAT)")
	cmd.SetContext(context.Background())
	return cmd
}

// checkLimits rejects rate limits that are negative or not a number;
// 0 is the documented way to turn a limit off.
func checkLimits(l api.Limits) error {
	for _, v := range []struct {
		flag  string
		value float64
	}{{"--rate-limit-ip", l.PerIP}, {"--rate-limit-identity", l.PerIdentity}, {"--login-failures-per-minute", float64(l.LoginFailures)}} {
		if math.IsNaN(v.value) || math.IsInf(v.value, 0) || v.value < 0 {
			return fmt.Errorf("invalid %s %v: use 0 to turn the limit off or a positive number", v.flag, v.value)
		}
	}
	return nil
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q: use text or json", format)
}
