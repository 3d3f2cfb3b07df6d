package e2e

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/server"
)

// TestWrongRootKeyRefusesToStart starts a server on a database, stops it,
// and starts another on the same database with a different root key: the
// second must refuse to start and name the reason.
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

// TestShortAdminSecretRefused starts a server on an empty database with a
// one-character admin secret: it must refuse to start.
func TestShortAdminSecretRefused(t *testing.T) {
	b := Backends(t)[0]
	_, err := server.New(context.Background(), server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: b.NewURL(t), RootKey: NewRootKey(t),
		AdminClientID: "admin", AdminClientSecret: "a",
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "PKID_ADMIN_CLIENT_SECRET must be at least 16 characters") {
		t.Fatalf("error %v, want the short-secret refusal", err)
	}
}

// TestMissingRootKeyFileRefused deletes the root key file of a used data
// directory: the next start must refuse and must not write a new key.
func TestMissingRootKeyFileRefused(t *testing.T) {
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := server.Config{Listen: "127.0.0.1:0", DataDir: dir}
	srv, err := server.New(context.Background(), cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	srv.DB().Close()
	keyPath := filepath.Join(dir, "root.key")
	if err := os.Remove(keyPath); err != nil {
		t.Fatalf("first start wrote no root key: %v", err)
	}
	_, err = server.New(context.Background(), cfg, quiet)
	if err == nil || !strings.Contains(err.Error(), "is missing and the database already holds sealed keys") {
		t.Fatalf("error %v, want the missing-key refusal", err)
	}
	if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
		t.Errorf("a refused start left a new root key file (stat: %v)", err)
	}
}

// TestInvalidPublicURLTouchesNothing refuses a bad public URL before the
// data directory is created.
func TestInvalidPublicURLTouchesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, err := server.New(context.Background(), server.Config{Listen: "127.0.0.1:0", DataDir: dir, PublicURL: "ftp://x"},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "invalid public URL") {
		t.Fatalf("error %v, want the public URL refusal", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the data directory was created although the settings were invalid (stat: %v)", err)
	}
}
