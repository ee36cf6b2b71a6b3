-- The call desk: operators and their phones' registrations, agent states and their history, the waiting
-- line, the queue's event log (from which every figure is computed) and the segments of each call.

CREATE TABLE operators (
    ext         text PRIMARY KEY CHECK (ext ~ '^[0-9]{2,10}$'),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    realm       text        NOT NULL,
    ha1_md5     text        NOT NULL CHECK (ha1_md5 ~ '^[0-9a-f]{32}$'),     -- MD5(ext:realm:password)
    ha1_sha256  text        NOT NULL CHECK (ha1_sha256 ~ '^[0-9a-f]{64}$'),  -- SHA-256(ext:realm:password)
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A phone's binding (RFC 3261 §10): where to INVITE the operator, until when.
CREATE TABLE registrations (
    ext         text        NOT NULL REFERENCES operators (ext) ON DELETE CASCADE,
    contact     text        NOT NULL,            -- the Contact URI the phone registered
    source      text        NOT NULL,            -- ip:port the REGISTER came from (the phone behind NAT)
    transport   text        NOT NULL,
    node_id     text        NOT NULL,            -- the node that took the REGISTER
    sip_call_id text        NOT NULL,
    cseq        bigint      NOT NULL,
    user_agent  text        NOT NULL DEFAULT '',
    expires_at  timestamptz NOT NULL,
    reachable   boolean     NOT NULL DEFAULT true, -- answered the last OPTIONS keepalive
    checked_at  timestamptz,
    PRIMARY KEY (ext, contact)
);
CREATE INDEX registrations_expiry_idx ON registrations (expires_at);

-- The current state of each operator; agent_state_log keeps every change.
CREATE TABLE agents (
    ext           text PRIMARY KEY REFERENCES operators (ext) ON DELETE CASCADE,
    state         text        NOT NULL CHECK (state IN ('offline', 'available', 'ringing', 'on_call', 'wrap_up', 'paused')),
    reason        text        NOT NULL DEFAULT '',
    since         timestamptz NOT NULL,
    call_id       uuid,                          -- the call it rings for or talks on
    idle_since    timestamptz NOT NULL,          -- end of the last call (or login): longest idle is offered first
    wrap_up_until timestamptz
);

CREATE TABLE agent_state_log (
    id      bigserial PRIMARY KEY,
    ext     text        NOT NULL,
    state   text        NOT NULL,
    reason  text        NOT NULL DEFAULT '',
    call_id uuid,
    at      timestamptz NOT NULL
);
CREATE INDEX agent_state_log_ext_idx ON agent_state_log (ext, at);

-- The waiting line. A row lives while its caller waits; the order is priority, then arrival.
CREATE TABLE queue_entries (
    call_id    uuid PRIMARY KEY REFERENCES calls (id),
    node_id    text        NOT NULL,            -- the node anchoring the caller's media (it bridges)
    field      text,
    priority   integer     NOT NULL DEFAULT 0,  -- higher first
    entered_at timestamptz NOT NULL,
    seq        bigserial,
    offered_to text                              -- extension being rung for this caller, if any
);
CREATE INDEX queue_entries_order_idx ON queue_entries (priority DESC, entered_at, seq);

-- One row per queue event, like Asterisk's queue_log: figures and reports are computed from it.
CREATE TABLE queue_log (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL,
    call_id  uuid        NOT NULL,
    event    text        NOT NULL CHECK (event IN ('enter', 'offer', 'ring_no_answer', 'decline', 'connect',
                                                   'abandon', 'voicemail', 'complete', 'pickup', 'exit')),
    ext      text,
    position integer,
    wait_ms  bigint,
    talk_ms  bigint,
    detail   text NOT NULL DEFAULT ''
);
CREATE INDEX queue_log_at_idx ON queue_log (at);
CREATE INDEX queue_log_call_idx ON queue_log (call_id);

-- The parts of a call, with their offsets into its recording, so a supervisor can jump to the talk.
CREATE TABLE call_segments (
    call_id    uuid        NOT NULL REFERENCES calls (id),
    seq        integer     NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('greeting', 'queued', 'ringing', 'talking', 'held', 'voicemail')),
    ext        text,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    offset_ms  bigint      NOT NULL,            -- from the start of the recording
    PRIMARY KEY (call_id, seq)
);

-- Settings shared by every node (e.g. the key that signs SIP digest nonces).
CREATE TABLE node_secrets (
    name       text PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A caller who left a message (or gave up waiting) is to be called back.
ALTER TABLE calls ADD COLUMN callback boolean NOT NULL DEFAULT false;
