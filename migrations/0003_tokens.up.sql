-- API tokens: who may use the HTTP API, and as what. Only a token's SHA-256 is stored.
CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    name         text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    role         text        NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
    operator     text        REFERENCES operators (ext) ON DELETE CASCADE, -- the operator an operator token acts as
    hash         text        NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    CHECK ((role = 'operator') = (operator IS NOT NULL))
);
