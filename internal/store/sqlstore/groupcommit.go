package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/pkid/pkid/internal/store"
)

// maxGroupSize bounds how many callers share one SQLite transaction, so
// one commit never holds the write lock for long.
const maxGroupSize = 256

// InGroupTx runs fn in a transaction that it may share with concurrent
// callers, and returns after that transaction has committed, or failed.
// Each fn runs inside its own savepoint: an error from fn rolls back only
// that fn's writes and is returned to its caller alone.
//
// fn must run its statements with the context it is passed, never with a
// context of its own. That context is not cancelled with ctx, because an
// interrupted statement makes SQLite roll back the whole shared
// transaction, taking the other callers' rows with it.
//
// On SQLite the callers that arrive while a commit is being written wait
// and then share the next transaction, so one fsync makes many rows
// durable. On PostgreSQL each call is a transaction of its own, and the
// server flushes concurrent commits together.
func (db *DB) InGroupTx(ctx context.Context, fn func(context.Context, store.Queries) error) error {
	if db.dialect != sqlite {
		return db.InTx(ctx, func(q store.Queries) error { return fn(ctx, q) })
	}
	return db.group.submit(ctx, fn)
}

// groupCommitter batches the InGroupTx calls of one SQLite database.
type groupCommitter struct {
	db      *DB
	mu      sync.Mutex
	queue   []*groupCall
	running bool // a goroutine is committing queued calls
}

type groupCall struct {
	ctx  context.Context
	fn   func(context.Context, store.Queries) error
	done chan error
}

func (g *groupCommitter) submit(ctx context.Context, fn func(context.Context, store.Queries) error) error {
	call := &groupCall{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, call)
	if !g.running {
		g.running = true
		go g.run()
	}
	g.mu.Unlock()
	// Wait for the commit even when ctx ends: the caller must learn
	// whether its row was stored.
	return <-call.done
}

// run commits queued calls, one transaction per batch, until the queue
// is empty.
func (g *groupCommitter) run() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroupSize)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = append([]*groupCall(nil), g.queue[n:]...)
		g.mu.Unlock()
		results := g.db.commitGroup(batch)
		for i, call := range batch {
			call.done <- results[i]
		}
	}
}

// commitGroup runs every call of batch in one transaction and returns
// each call's outcome. A call that succeeded gets the commit's error when
// the commit fails.
func (db *DB) commitGroup(batch []*groupCall) []error {
	results := make([]error, len(batch))
	fail := func(err error) []error {
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
		return results
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	tx, err := db.sqlDB.BeginTx(context.Background(), nil)
	if err != nil {
		return fail(fmt.Errorf("beginning transaction: %w", err))
	}
	q, done := db.txQueries(tx)
	defer done()
	succeeded := 0
	for i, call := range batch {
		if err := call.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		callErr, txErr := runInSavepoint(q, call)
		if txErr != nil {
			rollback(tx)
			return fail(txErr)
		}
		results[i] = callErr
		if callErr == nil {
			succeeded++
		}
	}
	if succeeded == 0 {
		rollback(tx)
		return results
	}
	if err := tx.Commit(); err != nil {
		return fail(fmt.Errorf("committing transaction: %w", err))
	}
	return results
}

// runInSavepoint runs one call inside a savepoint of q's transaction. It
// returns the call's own error, and a second error when the savepoint
// statements failed, which leaves the transaction unusable.
func runInSavepoint(q *Queries, call *groupCall) (error, error) {
	ctx := context.WithoutCancel(call.ctx)
	// The savepoint statements go through q, so they are prepared once
	// per transaction like the call's own.
	if _, err := q.q.ExecContext(ctx, "SAVEPOINT group_call"); err != nil {
		return nil, fmt.Errorf("opening savepoint: %w", err)
	}
	callErr := callSafely(ctx, q, call.fn)
	if callErr != nil {
		if _, err := q.q.ExecContext(ctx, "ROLLBACK TO group_call"); err != nil {
			return callErr, fmt.Errorf("rolling back to savepoint: %w", err)
		}
	}
	if _, err := q.q.ExecContext(ctx, "RELEASE group_call"); err != nil {
		return callErr, fmt.Errorf("releasing savepoint: %w", err)
	}
	return callErr, nil
}

// rollback drops the error of Rollback: every caller already gets the
// error that made the transaction roll back.
func rollback(tx *sql.Tx) { _ = tx.Rollback() }

// callSafely runs fn and turns a panic into its error. fn runs on the
// committer's goroutine, outside the HTTP server's recovery, so a panic
// would otherwise end the process and fail every call in the batch.
func callSafely(ctx context.Context, q *Queries, fn func(context.Context, store.Queries) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic in group transaction: %v\n%s", v, debug.Stack())
		}
	}()
	return fn(ctx, q)
}
