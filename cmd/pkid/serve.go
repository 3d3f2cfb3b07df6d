package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

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
	var logFormat string
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
			log, err := newLogger(cmd.ErrOrStderr(), logFormat)
			if err != nil {
				return err
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
	f.StringVar(&cfg.PublicURL, "public-url", envOr("PKID_PUBLIC_URL", ""), "base URL clients reach pkid at, put into the CRL distribution point and CA issuer URL of issued certificates; default http://<listen address> (env PKID_PUBLIC_URL)")
	f.StringVar(&logFormat, "log-format", envOr("PKID_LOG_FORMAT", "text"), "log format: text or json (env PKID_LOG_FORMAT)")
	cmd.SetContext(context.Background())
	return cmd
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
