package e2e

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/server"
)

// TestWrongRootKeyRefusesToStart starts a server on a database, stops it,
// and starts another on the same database with a different root key: the
// second must refuse to start and say why.
func TestWrongRootKeyRefusesToStart(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		dbURL := b.NewURL(t)
		first := Start(t, b, Options{DatabaseURL: dbURL})
		first.AdminToken(t)

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv, err := server.New(ctx, server.Config{
			Listen: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: dbURL, RootKey: NewRootKey(t),
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil {
			srv.DB().Close()
			t.Fatal("server started with a root key that does not match the database")
		}
		if !strings.Contains(err.Error(), "root key does not match") {
			t.Errorf("error %q does not name the root key mismatch", err)
		}
	})
}
