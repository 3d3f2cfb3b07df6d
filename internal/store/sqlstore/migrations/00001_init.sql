-- +goose Up
-- Times are BIGINT milliseconds since the Unix epoch (UTC), and binary
-- values are base64 TEXT, so the same schema runs on SQLite and PostgreSQL.

CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    sealed     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE identities (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    org_role   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE universal_auths (
    identity_id          TEXT PRIMARY KEY REFERENCES identities(id) ON DELETE CASCADE,
    client_id            TEXT NOT NULL UNIQUE,
    access_token_ttl     BIGINT NOT NULL,
    access_token_max_ttl BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE client_secrets (
    id             TEXT PRIMARY KEY,
    identity_id    TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    secret_hash    TEXT NOT NULL,
    secret_prefix  TEXT NOT NULL,
    description    TEXT NOT NULL,
    ttl            BIGINT NOT NULL,
    num_uses_limit BIGINT NOT NULL,
    num_uses       BIGINT NOT NULL DEFAULT 0,
    revoked        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL
);
CREATE INDEX client_secrets_identity ON client_secrets(identity_id);

CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    type        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE project_memberships (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (project_id, identity_id)
);

CREATE TABLE cas (
    id                     TEXT PRIMARY KEY,
    project_id             TEXT NOT NULL REFERENCES projects(id),
    name                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    ca_type                TEXT NOT NULL,
    friendly_name          TEXT NOT NULL,
    common_name            TEXT NOT NULL,
    organization           TEXT NOT NULL,
    ou                     TEXT NOT NULL,
    country                TEXT NOT NULL,
    province               TEXT NOT NULL,
    locality               TEXT NOT NULL,
    dn                     TEXT NOT NULL,
    key_algorithm          TEXT NOT NULL,
    max_path_length        BIGINT,
    parent_ca_id           TEXT REFERENCES cas(id),
    not_before             BIGINT,
    not_after              BIGINT,
    serial_number          TEXT,
    active_ca_cert_id      TEXT,
    sealed_key             TEXT NOT NULL,
    enable_direct_issuance BOOLEAN NOT NULL,
    crl_urls               TEXT NOT NULL,
    disable_managed_crl    BOOLEAN NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX cas_parent ON cas(parent_ca_id);

CREATE TABLE ca_certificates (
    id                TEXT PRIMARY KEY,
    ca_id             TEXT NOT NULL REFERENCES cas(id) ON DELETE CASCADE,
    version           BIGINT NOT NULL,
    certificate       TEXT NOT NULL,
    certificate_chain TEXT NOT NULL,
    serial_number     TEXT NOT NULL,
    not_before        BIGINT NOT NULL,
    not_after         BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    UNIQUE (ca_id, version)
);

-- +goose Down
DROP TABLE ca_certificates;
DROP TABLE cas;
DROP TABLE project_memberships;
DROP TABLE projects;
DROP TABLE client_secrets;
DROP TABLE universal_auths;
DROP TABLE identities;
DROP TABLE server_keys;
