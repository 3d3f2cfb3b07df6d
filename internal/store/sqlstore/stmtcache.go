package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache. Every query text in
// this package is a constant except the filters of the audit log list, so
// the cache stays far below it; texts beyond it run unprepared.
const maxCachedStatements = 256

// stmtCache keeps one prepared statement per query text of a SQLite
// database. modernc.org/sqlite compiles the SQL text again each time a
// statement runs unprepared. In a CPU profile of
// BenchmarkSignCertificateCore/sqlite (16 goroutines, 2 cores) that
// compiling took about 13 % of the CPU. PostgreSQL needs no cache,
// because pgx already caches prepared statements per connection.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// lookup returns the cached statement for query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// prepare returns the statement for query, preparing it on the pool when
// it is not cached yet. It returns nil when the cache is full or the
// statement does not prepare, and the caller then runs the query
// unprepared, which reports any error in the query itself.
//
// Preparing takes a pool connection, so prepare must not run inside a
// transaction: a transaction waiting for a second connection can wait
// forever.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if st := c.lookup(query); st != nil {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok {
		// A concurrent caller prepared the same text first.
		_ = st.Close()
		return old
	}
	if len(c.stmts) >= maxCachedStatements {
		_ = st.Close()
		return nil
	}
	c.stmts[query] = st
	return st
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for query, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, query)
	}
}

// cachedPool runs statements outside any transaction through the cache.
type cachedPool struct {
	cache *stmtCache
}

func (p cachedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.cache.prepare(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.cache.db.ExecContext(ctx, query, args...)
}

func (p cachedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.cache.prepare(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.cache.db.QueryContext(ctx, query, args...)
}

func (p cachedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.cache.prepare(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.cache.db.QueryRowContext(ctx, query, args...)
}

// cachedTx runs the statements of one transaction through the cache. A
// cached statement is bound to the transaction's connection, where
// database/sql keeps it prepared for later transactions too. A query
// text not cached yet is prepared on the transaction itself, used for
// the rest of it, and added to the cache by cacheMissed once the
// transaction has ended. Each text is prepared at most once per
// transaction, which matters for a group commit, where many callers run
// the same statements in one transaction.
type cachedTx struct {
	tx     *sql.Tx
	cache  *stmtCache
	mu     sync.Mutex
	bound  map[string]*sql.Stmt
	missed []string
}

func newCachedTx(tx *sql.Tx, cache *stmtCache) *cachedTx {
	return &cachedTx{tx: tx, cache: cache, bound: map[string]*sql.Stmt{}}
}

// stmt returns the statement for query bound to the transaction, or nil
// when it does not prepare.
func (t *cachedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.bound[query]; ok {
		return st
	}
	var st *sql.Stmt
	if parent := t.cache.lookup(query); parent != nil {
		st = t.tx.StmtContext(ctx, parent)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, query); err != nil {
			return nil
		}
		t.missed = append(t.missed, query)
	}
	t.bound[query] = st
	return st
}

// cacheMissed prepares on the pool the query texts the transaction found
// missing from the cache. Call it only after the transaction has ended.
func (t *cachedTx) cacheMissed() {
	t.mu.Lock()
	missed := t.missed
	t.missed = nil
	t.mu.Unlock()
	for _, query := range missed {
		t.cache.prepare(context.Background(), query)
	}
}

func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
