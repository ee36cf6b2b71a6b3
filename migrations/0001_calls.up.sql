-- Calls and their recordings: one row per INVITE that reached the call flow, one per finished recording.

CREATE TABLE calls (
    id              uuid PRIMARY KEY,
    node_id         text        NOT NULL,           -- the node whose media anchored the call (HOTLINE_NODE_ID)
    sip_call_id     text        NOT NULL,
    caller          text        NOT NULL,           -- the caller's number as received (From user part)
    caller_digits   text        NOT NULL,           -- the same in national form (0…), for search by number
    caller_name     text        NOT NULL DEFAULT '',
    called          text        NOT NULL,
    transport       text        NOT NULL,           -- udp | tcp
    source          text        NOT NULL,           -- ip:port the INVITE came from
    codec           text,                           -- PCMA | PCMU; null when none was agreed
    arrived_at      timestamptz NOT NULL,
    answered_at     timestamptz,
    queued_at       timestamptz,                    -- joined the queue (after the greeting)
    connected_at    timestamptz,                    -- an operator's leg was bridged
    operator        text,                           -- extension of the operator who took the call
    ended_at        timestamptz,
    end_reason      text,
    version         integer     NOT NULL,           -- bumped by every write; a write never replaces a newer one
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX calls_arrived_idx ON calls (arrived_at DESC, id DESC);
CREATE INDEX calls_caller_digits_idx ON calls (caller_digits, arrived_at DESC);
CREATE INDEX calls_open_idx ON calls (node_id) WHERE ended_at IS NULL;

CREATE TABLE recordings (
    id          uuid PRIMARY KEY,
    call_id     uuid        NOT NULL REFERENCES calls (id),
    kind        text        NOT NULL DEFAULT 'call' CHECK (kind IN ('call', 'voicemail')),
    path        text        NOT NULL UNIQUE,        -- relative to the recordings folder: YYYY/MM/DD/<call id>.wav
    started_at  timestamptz NOT NULL,
    duration_ms bigint      NOT NULL CHECK (duration_ms >= 0),
    bytes       bigint      NOT NULL CHECK (bytes >= 0),
    sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    repaired    boolean     NOT NULL DEFAULT false, -- finished by the start-up repair after a crash
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (call_id, kind)
);
