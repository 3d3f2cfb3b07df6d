-- +goose Up
-- One row per CA or certificate change, written in the same transaction as
-- the change itself. metadata is a JSON object; it never holds keys,
-- secrets or tokens.
CREATE TABLE audit_logs (
    id          TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL,
    actor_type  TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    ca_id       TEXT,
    resource    TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    req_id      TEXT NOT NULL
);
CREATE INDEX audit_logs_project_time ON audit_logs(project_id, created_at);

-- +goose Down
DROP TABLE audit_logs;
