-- +goose Up
-- End-entity certificates and the CRL of each CA.

CREATE TABLE certificates (
    id                TEXT PRIMARY KEY,
    ca_id             TEXT NOT NULL REFERENCES cas(id) ON DELETE CASCADE,
    ca_cert_id        TEXT NOT NULL REFERENCES ca_certificates(id) ON DELETE CASCADE,
    status            TEXT NOT NULL,
    serial_number     TEXT NOT NULL UNIQUE,
    friendly_name     TEXT NOT NULL,
    common_name       TEXT NOT NULL,
    alt_names         TEXT NOT NULL,
    key_usages        TEXT NOT NULL,
    ext_key_usages    TEXT NOT NULL,
    not_before        BIGINT NOT NULL,
    not_after         BIGINT NOT NULL,
    certificate       TEXT NOT NULL,
    certificate_chain TEXT NOT NULL,
    sealed_key        TEXT NOT NULL,
    revoked_at        BIGINT,
    revocation_reason TEXT,
    deleted_at        BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX certificates_ca_status ON certificates(ca_id, status);

CREATE TABLE crls (
    id          TEXT PRIMARY KEY,
    ca_id       TEXT NOT NULL UNIQUE REFERENCES cas(id) ON DELETE CASCADE,
    crl_number  BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    der         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX crls_next_update ON crls(next_update);

-- +goose Down
DROP TABLE crls;
DROP TABLE certificates;
