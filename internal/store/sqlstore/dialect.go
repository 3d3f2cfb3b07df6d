package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "modernc.org/sqlite"
)

type dialect int

const (
	sqlite dialect = iota + 1
	postgres
)

func (d dialect) String() string {
	if d == postgres {
		return "postgres"
	}
	return "sqlite"
}

func (d dialect) driver() string {
	if d == postgres {
		return "pgx"
	}
	return "sqlite"
}

// configurePool sizes the connection pool. SQLite in WAL mode serves many
// readers but one writer, and writes are serialized by DB.writeMu; a small
// pool keeps file handles bounded. PostgreSQL gets room for concurrent
// requests without exhausting the server's default of 100 connections
// when several replicas share it.
func (d dialect) configurePool(db *sql.DB) {
	if d == postgres {
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
}

// rebind turns the ? placeholders every query is written with into $1, $2…
// for PostgreSQL. No query text contains a literal question mark.
func (d dialect) rebind(query string) string {
	if d != postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// forUpdate is the row-lock suffix for a SELECT inside a transaction. On
// SQLite the immediate transaction already excludes every other writer.
func (d dialect) forUpdate() string {
	if d == postgres {
		return " FOR UPDATE"
	}
	return ""
}

// SQLite extended result code SQLITE_CONSTRAINT_UNIQUE and
// SQLITE_CONSTRAINT_PRIMARYKEY; PostgreSQL SQLSTATE unique_violation.
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
	pgUniqueViolation          = "23505"
)

func isUniqueViolation(err error) bool {
	var se *sqlite3.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintUnique || se.Code() == sqliteConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgUniqueViolation
	}
	return false
}
