// Package sqlstore implements pkid's storage on SQLite (modernc.org/sqlite)
// and PostgreSQL (pgx) with one set of portable SQL statements.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/pkid/pkid/internal/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open pkid database. It implements store.Store.
type DB struct {
	*Queries
	sqlDB   *sql.DB
	dialect dialect
	// writeMu serializes write transactions on SQLite inside one process.
	// SQLite has a single writer anyway; waiting here is cheaper and fairer
	// than spinning in the busy handler. Other processes still wait on the
	// busy timeout.
	writeMu sync.Mutex
	// group batches the InGroupTx calls of SQLite.
	group *groupCommitter
	// stmts contains the prepared statements of SQLite, and is nil on
	// PostgreSQL.
	stmts *stmtCache
}

// Open connects to databaseURL: a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is taken as a SQLite file path. It does not
// migrate; call Migrate.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	d, dsn := dialectFor(databaseURL)
	if d == sqlite {
		if err := createPrivateFile(sqlitePath(databaseURL)); err != nil {
			return nil, err
		}
	}
	sqlDB, err := sql.Open(d.driver(), dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s database: %w", d, err)
	}
	d.configurePool(sqlDB)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		if d == sqlite {
			return nil, fmt.Errorf("opening SQLite database %s (its directory must be writable for the -wal and -shm files): %w",
				sqlitePath(databaseURL), err)
		}
		return nil, fmt.Errorf("connecting to %s database: %w", d, err)
	}
	db := &DB{sqlDB: sqlDB, dialect: d}
	db.Queries = &Queries{q: sqlDB, d: d}
	if d == sqlite {
		db.stmts = newStmtCache(sqlDB)
		db.Queries = &Queries{q: cachedPool{cache: db.stmts}, d: d}
	}
	db.group = &groupCommitter{db: db}
	return db, nil
}

func dialectFor(databaseURL string) (dialect, string) {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return postgres, databaseURL
	}
	path := sqlitePath(databaseURL)
	// WAL lets readers run beside the writer; synchronous=FULL makes every
	// commit durable before the response goes out; _txlock=immediate takes
	// the write lock at BEGIN, so two read-modify-write transactions cannot
	// deadlock by both upgrading from a read lock.
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	return sqlite, "file:" + path + "?" + q.Encode()
}

func sqlitePath(databaseURL string) string {
	path := strings.TrimPrefix(databaseURL, "sqlite://")
	return strings.TrimPrefix(path, "file:")
}

// createPrivateFile creates the SQLite file with mode 0600 when it does not
// exist yet. It holds sealed keys and secret hashes, and SQLite gives its
// -wal and -shm files the mode of the database file.
func createPrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening SQLite file for writing: %w", err)
	}
	return f.Close()
}

// Dialect names the database engine: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.String() }

// SQL returns the underlying handle, for tests and maintenance commands.
func (db *DB) SQL() *sql.DB { return db.sqlDB }

// Close closes every prepared statement and connection.
func (db *DB) Close() error {
	if db.stmts != nil {
		db.stmts.close()
	}
	return db.sqlDB.Close()
}

// Migrate applies the embedded schema migrations. On PostgreSQL it holds
// an advisory lock meanwhile, so replicas starting together migrate once.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("reading embedded migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	gd := goose.DialectSQLite3
	if db.dialect == postgres {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("creating migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db.sqlDB, sub, opts...)
	if err != nil {
		return fmt.Errorf("preparing migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	for _, r := range results {
		log.Info("applied migration", "version", r.Source.Version, "path", r.Source.Path)
	}
	return nil
}

// txQueries returns the Queries of tx, and a function to call once tx
// has ended, which caches on SQLite the statements tx had to prepare.
func (db *DB) txQueries(tx *sql.Tx) (*Queries, func()) {
	if db.stmts == nil {
		return &Queries{q: tx, d: db.dialect}, func() {}
	}
	cached := newCachedTx(tx, db.stmts)
	return &Queries{q: cached, d: db.dialect}, cached.cacheMissed
}

// InTx runs fn in one transaction and commits when fn returns nil. On
// SQLite the transaction holds the write lock from its start.
func (db *DB) InTx(ctx context.Context, fn func(store.Queries) error) error {
	if db.dialect == sqlite {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	tx, err := db.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	q, done := db.txQueries(tx)
	defer done()
	if err := fn(q); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rolling back: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}
