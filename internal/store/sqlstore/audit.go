package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pkid/pkid/internal/store"
)

// InsertAudit stores one audit entry.
func (q *Queries) InsertAudit(ctx context.Context, e store.AuditEntry) error {
	meta, err := json.Marshal(e.Metadata)
	if err != nil {
		return fmt.Errorf("encoding audit metadata: %w", err)
	}
	err = q.exec(ctx, `INSERT INTO audit_logs (id, created_at, actor_type, identity_id, actor_name,
		action, project_id, ca_id, resource, metadata, req_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, toMillis(e.CreatedAt), e.ActorType, e.IdentityID, e.ActorName, e.Action, e.ProjectID,
		toNullString(e.CAID), e.Resource, string(meta), e.ReqID)
	if err != nil {
		return fmt.Errorf("inserting audit entry: %w", err)
	}
	return nil
}

// ListAudit returns the audit entries of a project matching f, oldest first.
func (q *Queries) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	where := []string{"project_id = ?"}
	args := []any{f.ProjectID}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.CAID != "" {
		where, args = append(where, "ca_id = ?"), append(args, f.CAID)
	}
	if f.Start != nil {
		where, args = append(where, "created_at >= ?"), append(args, toMillis(*f.Start))
	}
	if f.End != nil {
		where, args = append(where, "created_at <= ?"), append(args, toMillis(*f.End))
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := q.query(ctx, `SELECT id, created_at, actor_type, identity_id, actor_name, action,
		project_id, ca_id, resource, metadata, req_id FROM audit_logs WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at, id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing audit entries: %w", err)
	}
	defer rows.Close()
	out := []store.AuditEntry{}
	for rows.Next() {
		var e store.AuditEntry
		var created int64
		var caID sql.NullString
		var meta string
		if err := rows.Scan(&e.ID, &created, &e.ActorType, &e.IdentityID, &e.ActorName, &e.Action,
			&e.ProjectID, &caID, &e.Resource, &meta, &e.ReqID); err != nil {
			return nil, fmt.Errorf("scanning audit entry: %w", err)
		}
		e.CreatedAt, e.CAID = fromMillis(created), fromNullString(caID)
		if err := json.Unmarshal([]byte(meta), &e.Metadata); err != nil {
			return nil, fmt.Errorf("decoding audit metadata of %s: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
