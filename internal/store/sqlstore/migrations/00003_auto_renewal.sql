-- +goose Up
-- Auto-renewal settings and the outcome of the last automatic renewal of
-- each CA. A CA without a row has auto-renewal off.
CREATE TABLE ca_auto_renewals (
    ca_id                TEXT PRIMARY KEY REFERENCES cas(id) ON DELETE CASCADE,
    enabled              BOOLEAN NOT NULL,
    days_before_expiry   BIGINT NOT NULL,
    last_renewal_status  TEXT,
    last_renewal_message TEXT,
    last_renewal_at      BIGINT,
    updated_at           BIGINT NOT NULL
);

-- +goose Down
DROP TABLE ca_auto_renewals;
