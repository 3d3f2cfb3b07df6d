package sqlstore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkid/pkid/internal/store"
)

func openTestSQLite(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "pkid.db"))
	if err != nil {
		t.Fatalf("opening SQLite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	return db
}

func countServerKeys(ctx context.Context, q *Queries) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM server_keys WHERE name <> ?`, "").Scan(&n)
	return n, err
}

func TestStmtCacheFillsAfterTransaction(t *testing.T) {
	db := openTestSQLite(t)
	ctx := context.Background()
	const query = `SELECT count(*) FROM server_keys WHERE name <> ?`
	err := db.InTx(ctx, func(q store.Queries) error {
		_, err := countServerKeys(ctx, q.(*Queries))
		return err
	})
	if err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	if db.stmts.lookup(query) == nil {
		t.Fatalf("query not cached after the transaction that prepared it")
	}
	// The second transaction and a read outside any transaction use the
	// cached statement.
	err = db.InTx(ctx, func(q store.Queries) error {
		_, err := countServerKeys(ctx, q.(*Queries))
		return err
	})
	if err != nil {
		t.Fatalf("second transaction: %v", err)
	}
	if _, err := countServerKeys(ctx, db.Queries); err != nil {
		t.Fatalf("read outside a transaction: %v", err)
	}
}

func TestStmtCacheReportsInvalidSQL(t *testing.T) {
	db := openTestSQLite(t)
	ctx := context.Background()
	err := db.InTx(ctx, func(q store.Queries) error {
		return q.(*Queries).exec(ctx, `SELEKT 1`)
	})
	if err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("error %v, want a syntax error", err)
	}
	if err := db.exec(ctx, `SELEKT 1`); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("error %v outside a transaction, want a syntax error", err)
	}
	if db.stmts.lookup(`SELEKT 1`) != nil {
		t.Errorf("invalid SQL was cached")
	}
}

func TestStmtCacheRunsQueriesBeyondLimit(t *testing.T) {
	db := openTestSQLite(t)
	ctx := context.Background()
	for i := range maxCachedStatements + 10 {
		var n int
		query := fmt.Sprintf(`SELECT %d`, i)
		if err := db.queryRow(ctx, query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if n != i {
			t.Fatalf("%s returned %d", query, n)
		}
	}
	if got := len(db.stmts.stmts); got != maxCachedStatements {
		t.Errorf("%d statements cached, want the limit %d", got, maxCachedStatements)
	}
}

func TestGroupCommitRollsBackOneCall(t *testing.T) {
	db := openTestSQLite(t)
	ctx := context.Background()
	insert := func(name string) func(context.Context, store.Queries) error {
		return func(ctx context.Context, q store.Queries) error {
			return q.(*Queries).exec(ctx, `INSERT INTO server_keys (name, sealed, created_at) VALUES (?, ?, ?)`, name, "k", 1)
		}
	}
	// The second call with name "a" fails on the primary key, and its
	// savepoint rolls back alone, through the same prepared statements.
	errs := make(chan error, 3)
	for _, name := range []string{"a", "a", "b"} {
		go func() { errs <- db.InGroupTx(ctx, insert(name)) }()
	}
	failed := 0
	for range 3 {
		if err := <-errs; err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d calls failed, want 1", failed)
	}
	n, err := countServerKeys(ctx, db.Queries)
	if err != nil {
		t.Fatalf("counting: %v", err)
	}
	if n != 2 {
		t.Errorf("%d rows stored, want 2", n)
	}
}
