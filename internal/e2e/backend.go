// Package e2e starts real pkid servers for end-to-end tests: a real HTTP
// listener on 127.0.0.1 and a real SQLite file or PostgreSQL database. It
// also wraps the independent verifiers (openssl, Go's x509, zlint).
package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create test databases
)

// PostgresEnv names the environment variable with the URL of a
// PostgreSQL server the tests may create databases on, for example
// postgres://postgres@127.0.0.1:5432/postgres.
const PostgresEnv = "PKID_TEST_DATABASE_URL"

// Backend is a kind of database a test server runs on.
type Backend struct {
	Name string
	// NewURL returns the database URL for a new, empty database that is
	// removed when the test ends.
	NewURL func(t testing.TB) string
}

// Backends returns SQLite, and PostgreSQL when PKID_TEST_DATABASE_URL is
// set. Under CI (CI=true) a missing PostgreSQL fails the test instead of
// silently running SQLite only.
func Backends(t testing.TB) []Backend {
	out := []Backend{{Name: "sqlite", NewURL: newSQLiteURL}}
	pg := os.Getenv(PostgresEnv)
	switch {
	case pg != "":
		out = append(out, Backend{Name: "postgres", NewURL: func(t testing.TB) string { return newPostgresDB(t, pg) }})
	case os.Getenv("CI") == "true":
		t.Fatalf("%s is not set; CI must run every test on PostgreSQL too", PostgresEnv)
	}
	return out
}

// ForEachBackend runs fn as a subtest once per backend.
func ForEachBackend(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// PostgresOnly returns the PostgreSQL backend, skipping the test when
// PKID_TEST_DATABASE_URL is unset outside CI.
func PostgresOnly(t testing.TB) Backend {
	for _, b := range Backends(t) {
		if b.Name == "postgres" {
			return b
		}
	}
	t.Skipf("%s is not set", PostgresEnv)
	return Backend{}
}

func newSQLiteURL(t testing.TB) string {
	return filepath.Join(t.TempDir(), "pkid.db")
}

// newPostgresDB creates a database with a random name on the server of
// adminURL and drops it when the test ends.
func newPostgresDB(t testing.TB, adminURL string) string {
	t.Helper()
	suffix := make([]byte, 6)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	name := "pkid_test_" + hex.EncodeToString(suffix)
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		t.Fatalf("opening %s: %v", PostgresEnv, err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("creating test database on %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("parsing %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}
