-- API tokens, stored as the SHA-256 of the secret: the secret itself is shown once and never kept.
CREATE TABLE tokens (
    id          BIGSERIAL PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    principal   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
